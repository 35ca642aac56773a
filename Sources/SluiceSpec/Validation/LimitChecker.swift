package import SluiceExpressions

extension WorkflowDocument {
    /// The values of this document past `limits`, each located: loop sizes (`withItems`, `withSequence`),
    /// durations (`timeout`, `activeDeadlineSeconds`, suspend `duration`, retry `backoff`), `retryStrategy.limit`,
    /// negative `parallelism`, and expressions (`when`, `{{= }}`) nested too deeply. Values still holding
    /// `{{...}}` are checked when the engine renders them.
    package func limitProblems(_ limits: InputLimits = .current) -> [SpecError] {
        var checker = LimitChecker(limits: limits)
        if let spec = tree["spec"] {
            checker.components = [.key("spec")]
            checker.visit(spec, key: "spec", parentKey: nil)
        }
        return checker.errors
    }
}

/// Walks a document's tree and records every value past a limit, at its position.
private struct LimitChecker {
    let limits: InputLimits
    var errors: [SpecError] = []
    /// The path of the value being visited, made a ``SpecPath`` only for a message.
    var components: [SpecPath.Component] = []
    private var path: SpecPath { SpecPath(components) }

    init(limits: InputLimits) { self.limits = limits }

    /// Fields holding a Go duration, by the key of the mapping that holds them ("" for any).
    private static let durationFields: [String: Set<String>] = [
        "timeout": [""], "duration": ["suspend", "backoff"], "maxDuration": ["backoff"], "cap": ["backoff"],
    ]

    mutating func visit(_ node: YAMLValue, key: String, parentKey: String?) {
        switch node {
        case .scalar(let text, _, let at):
            checkScalar(text, key: key, parentKey: parentKey, at: at)
        case .sequence(let elements, let at):
            if key == "withItems", elements.count > limits.loopItems {
                errors.append(
                    .limitExceeded(
                        limit: "loop-items",
                        detail: "withItems has \(elements.count) items, "
                            + "more than \(limits.loopItems)", at: at, path: path))
            }
            for (index, element) in elements.enumerated() {
                components.append(.index(index))
                visit(element, key: key, parentKey: parentKey)
                components.removeLast()
            }
        case .mapping(let entries, _):
            if key == "withSequence" { checkSequence(node, at: path) }
            for entry in entries where entry.key != "governance" {
                components.append(.key(entry.key))
                visit(entry.value, key: entry.key, parentKey: key)
                components.removeLast()
            }
        }
    }

    private mutating func checkScalar(_ text: String, key: String, parentKey: String?, at: SourceLocation) {
        let hasPlaceholder = text.containsPlaceholderOpening
        if hasPlaceholder, text.contains("{{=") { checkExpressions(in: text, at: at, path: path) }
        guard !hasPlaceholder else { return }
        if let parents = Self.durationFields[key], parents.contains("") || parents.contains(parentKey ?? "") {
            do {
                _ = try ArgoDuration.parse(text, limitSeconds: limits.durationSeconds)
            } catch .tooLong {
                errors.append(
                    .limitExceeded(
                        limit: "duration-seconds",
                        detail: "\(key) '\(text.excerpt(limit: 40))' "
                            + "is longer than \(limits.durationSeconds) seconds", at: at, path: path))
            } catch {
                errors.append(.invalidValue(message: "\(key) '\(text.excerpt())' is \(error)", at: at, path: path))
            }
        }
        switch key {
        case "activeDeadlineSeconds":
            checkInteger(
                text, field: key, limit: "duration-seconds", maximum: limits.durationSeconds, at: at,
                path: path)
        case "limit" where parentKey == "retryStrategy":
            checkInteger(
                text, field: "retryStrategy.limit", limit: "retry-limit", maximum: limits.retryLimit,
                at: at, path: path)
        case "parallelism":
            if let value = Int(text), value < 0 {
                errors.append(
                    .invalidValue(
                        message: "parallelism must be 0 (no limit) or more, not \(value)",
                        at: at, path: path))
            }
        case "when":
            do {
                try GovaluateExpression.checkSyntax(text, maxDepth: limits.expressionDepth)
            } catch let error where error.isTooDeep {
                errors.append(.badExpression(expression: text, reason: error.description, at: at, path: path))
            } catch {}  // other problems are reported when the engine evaluates it, with the run's values
        default:
            break
        }
    }

    /// A whole number of at most `maximum`, in a field bounded by the limit named `limit`.
    private mutating func checkInteger(
        _ text: String, field: String, limit: String, maximum: Int, at: SourceLocation, path: SpecPath
    ) {
        let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            errors.append(
                .invalidValue(
                    message: "\(field) must be a whole number, not '\(text.excerpt())'",
                    at: at, path: path))
            return
        }
        if text.hasPrefix("-") {
            errors.append(
                .invalidValue(
                    message: "\(field) must not be negative, not \(text.excerpt(limit: 40))",
                    at: at, path: path))
        } else if Int(text).map({ $0 > maximum }) ?? true {
            errors.append(
                .limitExceeded(
                    limit: limit,
                    detail: "\(field) \(text.excerpt(limit: 40)) is more than "
                        + "\(maximum)", at: at, path: path))
        }
    }

    /// `withSequence` with literal numbers: integers whose iteration count stays within the loop limit.
    private mutating func checkSequence(_ node: YAMLValue, at path: SpecPath) {
        var numbers: [String: Int] = [:]
        for field in ["count", "start", "end"] {
            guard let value = node[field], let text = value.scalarText else { continue }
            if text.contains("{{") { return }
            guard let number = Int(String(text.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())) else {
                errors.append(
                    .invalidValue(
                        message: "withSequence.\(field) must be an integer that fits 64 bits, "
                            + "not '\(text.excerpt())'", at: value.location, path: path.key(field)))
                return
            }
            numbers[field] = number
        }
        guard
            let size = SequenceSize.count(
                count: numbers["count"], start: numbers["start"] ?? 0,
                end: numbers["end"])
        else { return }
        if size > limits.loopItems {
            let field = numbers["count"] != nil ? "count" : "end"
            errors.append(
                .limitExceeded(
                    limit: "loop-items",
                    detail: "withSequence has \(size) items, more than "
                        + "\(limits.loopItems)", at: node[field]?.location ?? node.location, path: path.key(field)))
        }
    }

    /// Every `{{= expr}}` of `text` parsed, to refuse one nested too deeply before anything runs.
    private mutating func checkExpressions(in text: String, at: SourceLocation, path: SpecPath) {
        for placeholder in Placeholder.all(in: text) where placeholder.isExpression {
            do {
                _ = try ExprProgram(parsing: placeholder.text, maxDepth: limits.expressionDepth)
            } catch let error where error.isTooDeep {
                errors.append(
                    .badExpression(
                        expression: placeholder.text, reason: error.description, at: at,
                        path: path))
            } catch {}  // syntax is reported when the engine renders it
        }
    }
}

/// How many items a `withSequence` yields, computed without overflow.
package enum SequenceSize {
    /// `count` items (none when negative), or `start...end` inclusive in either direction; `Int.max` when the
    /// distance does not fit an `Int`, nil when neither `count` nor `end` is given.
    package static func count(count: Int?, start: Int, end: Int?) -> Int? {
        if let count { return max(count, 0) }
        guard let end else { return nil }
        let (distance, overflow) = end.subtractingReportingOverflow(start)
        guard !overflow, distance != Int.min else { return Int.max }
        let magnitude = abs(distance)
        return magnitude == Int.max ? Int.max : magnitude + 1
    }
}

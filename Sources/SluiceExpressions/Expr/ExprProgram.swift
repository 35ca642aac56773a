import Foundation

/// The expr-lang dialect Argo uses in `{{= ...}}`, `when: "{{= ...}}"`, `valueFrom.expression`, `fromExpression`.
///
/// Parse once, evaluate many times; the program is immutable and `Sendable`. Numbers are `Double` (integral
/// results render without ".0"); `/` always divides as floating point; `%` needs integers. Comparing or adding a
/// string and a number is a type error (parameters are strings: use `asInt`/`asFloat`), `==` between different
/// types is false. `&&`, `||`, `!` and `?:` require Booleans. Functions are checked when parsing.
///
/// ```swift
/// let program = try ExprProgram(parsing: "asInt(inputs.parameters.count) * 2")
/// let value = try program.evaluate(ExprScope(variables: ["inputs.parameters.count": .string("21")]))
/// // value == .number(42), value.asString == "42"
/// ```
package struct ExprProgram: Sendable {
    /// The source text the program was parsed from.
    package let source: String
    let root: ExprNode

    /// Parses `source`.
    ///
    /// - Throws: `ExpressionError.syntax` with the offset of the offending token (also for unknown functions),
    ///   `.tooDeep` past `maxDepth`.
    package init(parsing source: String, maxDepth: Int = InputLimits.current.expressionDepth) throws(ExpressionError) {
        self.source = source
        var parser = ExprParser(tokens: try ExprLexer.tokenize(source), source: source, maxDepth: maxDepth)
        root = try parser.parseProgram()
    }

    /// Variable references as dotted names, e.g. `inputs.parameters.x`, `tasks.a.outputs.result`.
    ///
    /// Member chains of constant names (`a.b`, `a['b-c']`) are joined with dots and only the longest chain is
    /// listed; dynamic parts (`a[i]`) end the chain. Closure variables (`#`) are not listed.
    package var referencedIdentifiers: Set<String> {
        var identifiers: Set<String> = []
        root.collectIdentifiers(into: &identifiers)
        return identifiers
    }

    /// Evaluates the program against `scope`.
    ///
    /// - Throws: `ExpressionError` (`unknownVariable`, `typeMismatch`, `invalidArgument`, …).
    package func evaluate(_ scope: ExprScope) throws(ExpressionError) -> ExpressionValue {
        try ExprEvaluator(scope: scope).evaluate(root, nil)
    }

    /// Evaluates the program and requires a Boolean, as for `when: "{{= ...}}"` and `depends`.
    ///
    /// - Throws: `ExpressionError.notBoolean` when the result is not a Boolean, or any evaluation error.
    package func evaluateBool(_ scope: ExprScope) throws(ExpressionError) -> Bool {
        let value = try evaluate(scope)
        guard case .bool(let result) = value else { throw .notBoolean(source: source, value: value) }
        return result
    }
}

/// The closure frame: current element, its index, and the accumulator for `reduce`.
struct ExprFrame {
    var element: ExpressionValue
    var index: Int
    var accumulator: ExpressionValue = .null
}

struct ExprEvaluator {
    let scope: ExprScope

    func evaluate(_ node: ExprNode, _ frame: ExprFrame?) throws(ExpressionError) -> ExpressionValue {
        switch node {
        case .literal(let value):
            return value
        case .path(let parts):
            return try scope.value(at: parts)
        case .pointer(let name):
            guard let frame else { throw .unknownVariable(name: "#\(name)") }
            switch name {
            case "": return frame.element
            case "index": return .number(Double(frame.index))
            case "acc": return frame.accumulator
            default: throw .unknownVariable(name: "#\(name)")
            }
        case .member(let baseNode, let keyNode, let optional):
            let base = try evaluate(baseNode, frame)
            if optional, base == .null { return .null }
            return try Self.member(of: base, key: try evaluate(keyNode, frame))
        case .slice(let baseNode, let fromNode, let toNode):
            let base = try evaluate(baseNode, frame)
            let from = try fromNode.map { (node) throws(ExpressionError) in try evaluate(node, frame) }
            let to = try toNode.map { (node) throws(ExpressionError) in try evaluate(node, frame) }
            return try Self.slice(base, from: from, to: to)
        case .unary(let name, let operandNode):
            let operand = try evaluate(operandNode, frame)
            switch (name, operand) {
            case ("not", .bool(let flag)): return .bool(!flag)
            case ("-", .number(let number)): return .number(-number)
            case ("+", .number): return operand
            default: throw .typeMismatch(operator: name == "not" ? "!" : name, lhs: operand, rhs: nil)
            }
        case .binary(let name, let lhs, let rhs):
            return try binary(name, lhs, rhs, frame)
        case .conditional(let conditionNode, let then, let otherwise):
            let condition = try evaluate(conditionNode, frame)
            guard case .bool(let flag) = condition else { throw .typeMismatch(operator: "?", lhs: condition, rhs: nil) }
            return try evaluate(flag ? then : otherwise, frame)
        case .call(let name, let arguments):
            if ExprFunctions.closureNames.contains(name) {
                return try callWithClosure(name, arguments, frame)
            }
            var values: [ExpressionValue] = []
            values.reserveCapacity(arguments.count)
            for argument in arguments { values.append(try evaluate(argument, frame)) }
            return try ExprFunctions.call(name, values)
        case .sprig(let name, let arguments):
            var values: [ExpressionValue] = []
            for argument in arguments { values.append(try evaluate(argument, frame)) }
            return try SprigFunctions.call(name, values)
        case .closure(let body):
            return try evaluate(body, frame)
        case .list(let items):
            var values: [ExpressionValue] = []
            values.reserveCapacity(items.count)
            for item in items { values.append(try evaluate(item, frame)) }
            return .list(values)
        case .map(let entries):
            var result: [String: ExpressionValue] = [:]
            for entry in entries {
                let key = try evaluate(entry.key, frame)
                guard case .string(let name) = key else { throw .typeMismatch(operator: "{}", lhs: key, rhs: nil) }
                result[name] = try evaluate(entry.value, frame)
            }
            return .map(result)
        }
    }

    // MARK: - Member access

    static func member(of base: ExpressionValue, key: ExpressionValue) throws(ExpressionError) -> ExpressionValue {
        switch (base, key) {
        case (.map(let entries), .string(let name)):
            return entries[name] ?? .null
        case (.list(let items), .number):
            guard let raw = key.exactInteger else { throw .typeMismatch(operator: "[]", lhs: base, rhs: key) }
            let index = raw < 0 ? items.count + raw : raw
            guard items.indices.contains(index) else { throw .indexOutOfRange(index: raw, count: items.count) }
            return items[index]
        case (.string(let text), .number):
            guard let raw = key.exactInteger else { throw .typeMismatch(operator: "[]", lhs: base, rhs: key) }
            let characters = Array(text.unicodeScalars)
            let index = raw < 0 ? characters.count + raw : raw
            guard characters.indices.contains(index) else {
                throw .indexOutOfRange(index: raw, count: characters.count)
            }
            return .string(String(characters[index]))
        default:
            throw .typeMismatch(operator: "[]", lhs: base, rhs: key)
        }
    }

    static func slice(
        _ base: ExpressionValue, from: ExpressionValue?, to: ExpressionValue?
    ) throws(ExpressionError) -> ExpressionValue {
        func bound(_ value: ExpressionValue?, _ fallback: Int, _ count: Int) throws(ExpressionError) -> Int {
            guard let value else { return fallback }
            guard let raw = value.exactInteger else { throw .typeMismatch(operator: "[:]", lhs: base, rhs: value) }
            return Swift.min(Swift.max(raw < 0 ? count + raw : raw, 0), count)
        }
        switch base {
        case .list(let items):
            let lower = try bound(from, 0, items.count)
            let upper = try bound(to, items.count, items.count)
            return .list(lower < upper ? Array(items[lower..<upper]) : [])
        case .string(let text):
            let scalars = Array(text.unicodeScalars)
            let lower = try bound(from, 0, scalars.count)
            let upper = try bound(to, scalars.count, scalars.count)
            var result = String.UnicodeScalarView()
            if lower < upper { result.append(contentsOf: scalars[lower..<upper]) }
            return .string(String(result))
        default:
            throw .typeMismatch(operator: "[:]", lhs: base, rhs: from ?? to)
        }
    }

    // MARK: - Operators

    private func binary(
        _ name: String, _ lhs: ExprNode, _ rhs: ExprNode, _ frame: ExprFrame?
    ) throws(ExpressionError) -> ExpressionValue {
        let left = try evaluate(lhs, frame)
        switch name {
        case "&&", "and", "||", "or":
            let isOr = name == "||" || name == "or"
            guard case .bool(let flag) = left else { throw .typeMismatch(operator: name, lhs: left, rhs: nil) }
            if flag == isOr { return .bool(flag) }
            let right = try evaluate(rhs, frame)
            guard case .bool(let other) = right else { throw .typeMismatch(operator: name, lhs: right, rhs: nil) }
            return .bool(other)
        case "??":
            return left == .null ? try evaluate(rhs, frame) : left
        default:
            return try Self.apply(name, left, try evaluate(rhs, frame))
        }
    }

    static func apply(
        _ name: String, _ left: ExpressionValue, _ right: ExpressionValue
    ) throws(ExpressionError) -> ExpressionValue {
        switch name {
        case "==": return .bool(left == right)
        case "!=": return .bool(left != right)
        case "<", "<=", ">", ">=":
            let order: Int
            switch (left, right) {
            case (.number(let a), .number(let b)):
                if a.isNaN || b.isNaN { return .bool(false) }
                order = a < b ? -1 : (a > b ? 1 : 0)
            case (.string(let a), .string(let b)):
                order = a == b ? 0 : (Array(a.utf8).lexicographicallyPrecedes(b.utf8) ? -1 : 1)
            default:
                throw .typeMismatch(operator: name, lhs: left, rhs: right)
            }
            switch name {
            case "<": return .bool(order < 0)
            case "<=": return .bool(order <= 0)
            case ">": return .bool(order > 0)
            default: return .bool(order >= 0)
            }
        case "+":
            switch (left, right) {
            case (.number(let a), .number(let b)): return .number(a + b)
            case (.string(let a), .string(let b)): return .string(a + b)
            case (.list(let a), .list(let b)): return .list(a + b)
            default: throw .typeMismatch(operator: name, lhs: left, rhs: right)
            }
        case "-", "*", "/", "**", "^":
            guard case .number(let a) = left, case .number(let b) = right else {
                throw .typeMismatch(operator: name, lhs: left, rhs: right)
            }
            switch name {
            case "-": return .number(a - b)
            case "*": return .number(a * b)
            case "/": return .number(a / b)
            default: return .number(pow(a, b))
            }
        case "%":
            guard let a = left.exactInteger, let b = right.exactInteger else {
                throw .typeMismatch(operator: name, lhs: left, rhs: right)
            }
            guard b != 0 else { throw .divisionByZero(operator: name) }
            return .number(Double(a % b))
        case "..":
            guard let a = left.exactInteger, let b = right.exactInteger else {
                throw .typeMismatch(operator: name, lhs: left, rhs: right)
            }
            guard a <= b else { return .list([]) }
            guard b - a < 10_000_000 else {
                throw .invalidArgument(
                    function: "..", value: right, reason: "build a range of more than 10000000 elements")
            }
            return .list((a...b).map { .number(Double($0)) })
        case "in":
            switch right {
            case .list(let items): return .bool(items.contains(left))
            case .map(let entries):
                guard case .string(let key) = left else { throw .typeMismatch(operator: name, lhs: left, rhs: right) }
                return .bool(entries[key] != nil)
            case .null: return .bool(false)
            default: throw .typeMismatch(operator: name, lhs: left, rhs: right)
            }
        case "contains", "startsWith", "endsWith", "matches":
            guard case .string(let a) = left, case .string(let b) = right else {
                throw .typeMismatch(operator: name, lhs: left, rhs: right)
            }
            switch name {
            case "contains": return .bool(b.isEmpty || a.contains(b))
            case "startsWith": return .bool(a.unicodeScalars.starts(with: b.unicodeScalars))
            case "endsWith": return .bool(a.unicodeScalars.reversed().starts(with: b.unicodeScalars.reversed()))
            default: return .bool(try RegexCache.matches(a, pattern: b))
            }
        default:
            throw .unknownFunction(name: name)
        }
    }

    // MARK: - Closures

    private func callWithClosure(
        _ name: String, _ arguments: [ExprNode], _ frame: ExprFrame?
    ) throws(ExpressionError) -> ExpressionValue {
        let collection = try evaluate(arguments[0], frame)
        let items: [ExpressionValue]
        switch collection {
        case .list(let values): items = values
        case .map(let entries): items = entries.keys.sorted().map { entries[$0, default: .null] }
        case .null: items = []
        default:
            throw .invalidArgument(function: name, value: collection, reason: "iterate over a value that is not a list")
        }
        guard arguments.count >= 2 else {
            // `sum(list)` (and `list | sum()`) adds the items themselves; the others need a predicate.
            guard name == "sum" else { throw .wrongArgumentCount(function: name, expected: "2", got: arguments.count) }
            return try ExprFunctions.call("sum", [.list(items)])
        }
        let body = arguments[1]
        func predicate(_ index: Int) throws(ExpressionError) -> Bool {
            let result = try evaluate(body, ExprFrame(element: items[index], index: index))
            guard case .bool(let flag) = result else {
                throw .invalidArgument(
                    function: name, value: result, reason: "use a predicate result that is not a boolean")
            }
            return flag
        }
        switch name {
        case "all":
            for index in items.indices where try !predicate(index) { return .bool(false) }
            return .bool(true)
        case "any":
            for index in items.indices where try predicate(index) { return .bool(true) }
            return .bool(false)
        case "none":
            for index in items.indices where try predicate(index) { return .bool(false) }
            return .bool(true)
        case "one":
            var count = 0
            for index in items.indices where try predicate(index) { count += 1 }
            return .bool(count == 1)
        case "filter":
            var kept: [ExpressionValue] = []
            for index in items.indices where try predicate(index) { kept.append(items[index]) }
            return .list(kept)
        case "count":
            var count = 0
            for index in items.indices where try predicate(index) { count += 1 }
            return .number(Double(count))
        case "find", "findIndex":
            for index in items.indices where try predicate(index) {
                return name == "find" ? items[index] : .number(Double(index))
            }
            return name == "find" ? .null : .number(-1)
        case "findLast", "findLastIndex":
            for index in items.indices.reversed() where try predicate(index) {
                return name == "findLast" ? items[index] : .number(Double(index))
            }
            return name == "findLast" ? .null : .number(-1)
        case "map":
            var mapped: [ExpressionValue] = []
            mapped.reserveCapacity(items.count)
            for index in items.indices {
                mapped.append(try evaluate(body, ExprFrame(element: items[index], index: index)))
            }
            return .list(mapped)
        case "sum":
            var total = 0.0
            for index in items.indices {
                let value = try evaluate(body, ExprFrame(element: items[index], index: index))
                guard case .number(let number) = value else {
                    throw .invalidArgument(function: name, value: value, reason: "add a value that is not a number")
                }
                total += number
            }
            return .number(total)
        case "groupBy":
            var groups: [String: [ExpressionValue]] = [:]
            for index in items.indices {
                let key = try evaluate(body, ExprFrame(element: items[index], index: index))
                groups[ExprFunctions.goString(key), default: []].append(items[index])
            }
            return .map(groups.mapValues { .list($0) })
        default:  // reduce
            var accumulator: ExpressionValue
            var start = 0
            if arguments.count > 2 {
                accumulator = try evaluate(arguments[2], frame)
            } else {
                guard let first = items.first else {
                    throw .invalidArgument(
                        function: name, value: collection, reason: "reduce an empty list without an initial value")
                }
                accumulator = first
                start = 1
            }
            for index in items.indices where index >= start {
                accumulator = try evaluate(
                    body, ExprFrame(element: items[index], index: index, accumulator: accumulator))
            }
            return accumulator
        }
    }
}

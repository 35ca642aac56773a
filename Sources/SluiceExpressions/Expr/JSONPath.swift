/// The JSONPath subset Argo's `jsonpath(json, path)` is used with: `$`, `.name`, `['name']`, `[0]` (negative from
/// the end), `[*]`, `.*`, `..name` (recursive descent), unions (`[0,2]`, `['a','b']`), slices (`[1:3]`, `[::2]`,
/// negative bounds from the end) and filters (`[?(@.age > 42 && @.name != "Mo")]`).
///
/// A path without wildcards, unions, slices or filters returns one value and fails when a key or index is missing;
/// any other path returns a list of every match (possibly empty), skipping elements that lack the key. A filter is
/// an expr-lang condition in which `@` is the element under test (a missing key is `nil`); an element for which the
/// condition fails to evaluate or is not `true` is skipped, as PaesslerAG/jsonpath (Argo's library) does.
struct JSONPath {
    private enum Segment {
        case key(String)
        case index(Int)
        case wildcard
        case descendant(String)
        case union([Segment])
        case slice(start: Int?, end: Int?, step: Int)
        case filter(ExprProgram)
    }

    /// The identifier `@` is rewritten to inside a filter, so the filter parses as an expr-lang expression.
    private static let currentName = "jsonpathCurrentElement"

    private let path: String
    private let segments: [Segment]

    init(_ path: String) throws(ExpressionError) {
        self.path = path
        let scalars = Array(path.trimmingWhitespace().unicodeScalars)
        guard scalars.first == "$" else { throw .invalidJSONPath(path: path, reason: "must start with '$'") }
        var segments: [Segment] = []
        var index = 1
        func name() -> String {
            var result = ""
            while index < scalars.count, scalars[index] != ".", scalars[index] != "[" {
                result.unicodeScalars.append(scalars[index])
                index += 1
            }
            return result
        }
        while index < scalars.count {
            if scalars[index] == "." {
                index += 1
                if index < scalars.count, scalars[index] == "." {
                    index += 1
                    let key = name()
                    guard !key.isEmpty else {
                        throw .invalidJSONPath(path: path, reason: "has an empty name after '..'")
                    }
                    segments.append(.descendant(key))
                    continue
                }
                let key = name()
                guard !key.isEmpty else { throw .invalidJSONPath(path: path, reason: "has an empty name after '.'") }
                segments.append(key == "*" ? .wildcard : .key(key))
            } else if scalars[index] == "[" {
                guard let close = Self.closingBracket(in: scalars, from: index) else {
                    throw .invalidJSONPath(path: path, reason: "has an unclosed '['")
                }
                var inner = ""
                inner.unicodeScalars.append(contentsOf: scalars[(index + 1)..<close])
                inner = inner.trimmingWhitespace()
                index = close + 1
                segments.append(try Self.selector(inner, path: path))
            } else {
                throw .invalidJSONPath(path: path, reason: "has an unexpected character '\(scalars[index])'")
            }
        }
        self.segments = segments
    }

    /// The index of the `]` closing the `[` at `open`, skipping brackets inside quotes and nested brackets.
    private static func closingBracket(in scalars: [Unicode.Scalar], from open: Int) -> Int? {
        var depth = 0
        var quote: Unicode.Scalar?
        var index = open
        while index < scalars.count {
            let scalar = scalars[index]
            if let open = quote {
                if scalar == "\\" {
                    index += 1
                } else if scalar == open {
                    quote = nil
                }
            } else if scalar == "'" || scalar == "\"" {
                quote = scalar
            } else if scalar == "[" {
                depth += 1
            } else if scalar == "]" {
                depth -= 1
                if depth == 0 { return index }
            }
            index += 1
        }
        return nil
    }

    /// Parses the inside of one `[...]`.
    private static func selector(_ inner: String, path: String) throws(ExpressionError) -> Segment {
        if inner == "*" { return .wildcard }
        if let number = Int(inner) { return .index(number) }
        if inner.count >= 2, let quote = inner.first, quote == "'" || quote == "\"", inner.last == quote,
            !inner.dropFirst().dropLast().contains(quote)
        {
            return .key(String(inner.dropFirst().dropLast()))
        }
        if inner.hasPrefix("?") {
            var condition = inner.dropFirst().trimmingPrefix(while: { $0 == " " })
            guard condition.hasPrefix("("), condition.hasSuffix(")") else {
                throw .invalidJSONPath(path: path, reason: "has a filter '[\(inner)]' that is not of the form ?(...)")
            }
            condition = condition.dropFirst().dropLast()
            do {
                return .filter(try ExprProgram(parsing: rewritingCurrent(String(condition))))
            } catch {
                throw .invalidJSONPath(path: path, reason: "has a filter '[\(inner)]' that does not parse: \(error)")
            }
        }
        if inner.contains(":") {
            let parts = inner.split(separator: ":", omittingEmptySubsequences: false).map {
                String($0).trimmingWhitespace()
            }
            guard parts.count <= 3 else {
                throw .invalidJSONPath(path: path, reason: "has a slice '[\(inner)]' with more than three parts")
            }
            var bounds: [Int?] = []
            for part in parts {
                if part.isEmpty {
                    bounds.append(nil)
                } else if let number = Int(part) {
                    bounds.append(number)
                } else {
                    throw .invalidJSONPath(
                        path: path, reason: "has a slice '[\(inner)]' with a bound that is not a number")
                }
            }
            let step = parts.count == 3 ? bounds[2] ?? 1 : 1
            guard step != 0 else { throw .invalidJSONPath(path: path, reason: "has a slice '[\(inner)]' with step 0") }
            return .slice(start: bounds[0], end: bounds[1], step: step)
        }
        if inner.contains(",") {
            var members: [Segment] = []
            for part in inner.split(separator: ",").map({ String($0).trimmingWhitespace() }) {
                let member = try selector(part, path: path)
                switch member {
                case .key, .index: members.append(member)
                default:
                    throw .invalidJSONPath(
                        path: path, reason: "has a union '[\(inner)]' member that is not a key or index")
                }
            }
            return .union(members)
        }
        throw .invalidJSONPath(path: path, reason: "has an unsupported selector '[\(inner)]'")
    }

    /// `condition` with every `@` outside quotes replaced by ``currentName``.
    private static func rewritingCurrent(_ condition: String) -> String {
        var result = ""
        var quote: Character?
        var escaped = false
        for character in condition {
            if let open = quote {
                if escaped {
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == open {
                    quote = nil
                }
                result.append(character)
            } else if character == "'" || character == "\"" {
                quote = character
                result.append(character)
            } else if character == "@" {
                result += currentName
            } else {
                result.append(character)
            }
        }
        return result
    }

    /// The elements of `items` a slice selects (Python's rules for negative and missing bounds).
    private static func sliced(_ items: [ExpressionValue], start: Int?, end: Int?, step: Int) -> [ExpressionValue] {
        let count = items.count
        func clamp(_ bound: Int?, default value: Int) -> Int {
            guard let bound else { return value }
            let absolute = bound < 0 ? bound + count : bound
            return step > 0 ? min(max(absolute, 0), count) : min(max(absolute, -1), count - 1)
        }
        var result: [ExpressionValue] = []
        if step > 0 {
            var index = clamp(start, default: 0)
            let stop = clamp(end, default: count)
            while index < stop {
                result.append(items[index])
                index += step
            }
        } else {
            var index = clamp(start, default: count - 1)
            let stop = clamp(end, default: -1)
            while index > stop {
                result.append(items[index])
                index += step
            }
        }
        return result
    }

    /// Whether `filter` holds for `element`; an evaluation error counts as false.
    private static func matches(_ filter: ExprProgram, _ element: ExpressionValue) -> Bool {
        let scope = ExprScope(variables: [currentName: element])
        return (try? filter.evaluate(scope)) == .bool(true)
    }

    func query(_ document: ExpressionValue) throws(ExpressionError) -> ExpressionValue {
        let isDefinite = segments.allSatisfy {
            switch $0 {
            case .key, .index: true
            case .wildcard, .descendant, .union, .slice, .filter: false
            }
        }
        if isDefinite {
            var current = document
            for segment in segments {
                switch (segment, current) {
                case (.key(let key), .map(let entries)):
                    guard let next = entries[key] else {
                        throw .invalidJSONPath(path: path, reason: "found no key '\(key)'")
                    }
                    current = next
                case (.index(let raw), .list(let items)):
                    let index = raw < 0 ? items.count + raw : raw
                    guard items.indices.contains(index) else {
                        throw .invalidJSONPath(
                            path: path, reason: "index \(raw) is out of range for length \(items.count)")
                    }
                    current = items[index]
                case (.key(let key), _):
                    throw .invalidJSONPath(
                        path: path, reason: "cannot read key '\(key)' of \(current.typedDescription)")
                default:
                    throw .invalidJSONPath(path: path, reason: "cannot index \(current.typedDescription)")
                }
            }
            return current
        }
        var matches = [document]
        for segment in segments {
            var next: [ExpressionValue] = []
            for value in matches {
                switch (segment, value) {
                case (.key(let key), .map(let entries)):
                    if let found = entries[key] { next.append(found) }
                case (.index(let raw), .list(let items)):
                    let index = raw < 0 ? items.count + raw : raw
                    if items.indices.contains(index) { next.append(items[index]) }
                case (.wildcard, .list(let items)):
                    next += items
                case (.wildcard, .map(let entries)):
                    next += entries.keys.sorted().map { entries[$0, default: .null] }
                case (.descendant(let key), _):
                    Self.collect(key, in: value, into: &next)
                case (.union(let members), .list(let items)):
                    for case .index(let raw) in members {
                        let index = raw < 0 ? items.count + raw : raw
                        if items.indices.contains(index) { next.append(items[index]) }
                    }
                case (.union(let members), .map(let entries)):
                    for case .key(let key) in members {
                        if let found = entries[key] { next.append(found) }
                    }
                case (.slice(let start, let end, let step), .list(let items)):
                    next += Self.sliced(items, start: start, end: end, step: step)
                case (.filter(let condition), .list(let items)):
                    next += items.filter { Self.matches(condition, $0) }
                case (.filter(let condition), .map(let entries)):
                    next += entries.keys.sorted().compactMap { key in
                        entries[key].flatMap { Self.matches(condition, $0) ? $0 : nil }
                    }
                default:
                    break
                }
            }
            matches = next
        }
        return .list(matches)
    }

    private static func collect(_ key: String, in value: ExpressionValue, into results: inout [ExpressionValue]) {
        switch value {
        case .map(let entries):
            if let found = entries[key] { results.append(found) }
            for name in entries.keys.sorted() { collect(key, in: entries[name, default: .null], into: &results) }
        case .list(let items):
            for item in items { collect(key, in: item, into: &results) }
        default:
            break
        }
    }
}

extension String {
    func trimmingWhitespace() -> String {
        ExprFunctions.trimScalars(self) { $0.properties.isWhitespace }
    }
}

import Foundation

/// expr-lang built-in functions plus Argo's additions (`asInt`, `asFloat`, `toJson`, `jsonpath`).
enum ExprFunctions {
    /// Functions whose second argument is a closure over `#`.
    static let closureNames: Set<String> = [
        "all", "any", "none", "one", "filter", "map", "count", "find", "findIndex", "findLast", "findLastIndex",
        "sum", "groupBy", "reduce",
    ]

    /// Functions taking plain arguments (`sum` also accepts a plain list).
    static let names: Set<String> = [
        "asInt", "asFloat", "int", "float", "string", "toJson", "toJSON", "fromJSON", "jsonpath", "len", "abs",
        "ceil", "floor", "round", "upper", "lower", "trim", "trimPrefix", "trimSuffix", "split", "join", "replace",
        "repeat", "indexOf", "lastIndexOf", "hasPrefix", "hasSuffix", "max", "min", "mean", "first", "last",
        "keys", "values", "sort", "reverse", "uniq", "concat", "flatten", "toBase64", "fromBase64", "type", "get",
        "now",
    ]

    /// Sprig functions reachable as `sprig.<name>(...)`.
    static var sprigNames: Set<String> { SprigFunctions.names }

    static func call(_ name: String, _ arguments: [ExpressionValue]) throws(ExpressionError) -> ExpressionValue {
        func arity(_ counts: ClosedRange<Int>) throws(ExpressionError) {
            guard counts.contains(arguments.count) else {
                let expected =
                    counts.count == 1 ? "\(counts.lowerBound)" : "\(counts.lowerBound) to \(counts.upperBound)"
                throw .wrongArgumentCount(function: name, expected: expected, got: arguments.count)
            }
        }
        func string(_ index: Int) throws(ExpressionError) -> String {
            guard case .string(let text) = arguments[index] else {
                throw .invalidArgument(
                    function: name, value: arguments[index], reason: "use a value that is not a string")
            }
            return text
        }
        func list(_ index: Int) throws(ExpressionError) -> [ExpressionValue] {
            guard case .list(let items) = arguments[index] else {
                throw .invalidArgument(
                    function: name, value: arguments[index], reason: "use a value that is not a list")
            }
            return items
        }
        func number(_ index: Int) throws(ExpressionError) -> Double {
            guard case .number(let value) = arguments[index] else {
                throw .invalidArgument(
                    function: name, value: arguments[index], reason: "use a value that is not a number")
            }
            return value
        }

        switch name {
        case "asInt", "int":
            try arity(1...1)
            return try toInt(arguments[0], function: name)
        case "asFloat", "float":
            try arity(1...1)
            switch arguments[0] {
            case .number: return arguments[0]
            case .string(let text):
                guard let value = Double(text.trimmingCharacters(in: .whitespaces)), !text.isEmpty else {
                    throw .invalidArgument(function: name, value: arguments[0], reason: "convert to a float")
                }
                return .number(value)
            default: throw .invalidArgument(function: name, value: arguments[0], reason: "convert to a float")
            }
        case "string":
            try arity(1...1)
            return .string(goString(arguments[0]))
        case "toJson", "toJSON":
            try arity(1...1)
            return .string(arguments[0].jsonString)
        case "fromJSON":
            try arity(1...1)
            return try ExpressionValue(jsonString: try string(0))
        case "jsonpath":
            try arity(2...2)
            let document = try ExpressionValue(jsonString: try string(0))
            return try JSONPath(try string(1)).query(document)
        case "len":
            try arity(1...1)
            switch arguments[0] {
            case .string(let text): return .number(Double(text.unicodeScalars.count))
            case .list(let items): return .number(Double(items.count))
            case .map(let entries): return .number(Double(entries.count))
            default:
                throw .invalidArgument(function: name, value: arguments[0], reason: "take the length of this value")
            }
        case "abs", "ceil", "floor", "round":
            try arity(1...1)
            let value = try number(0)
            switch name {
            case "abs": return .number(Swift.abs(value))
            case "ceil": return .number(value.rounded(.up))
            case "floor": return .number(value.rounded(.down))
            default: return .number(value.rounded(.toNearestOrAwayFromZero))
            }
        case "upper":
            try arity(1...1)
            return .string(try string(0).uppercased())
        case "lower":
            try arity(1...1)
            return .string(try string(0).lowercased())
        case "trim":
            try arity(1...2)
            let text = try string(0)
            if arguments.count == 2 {
                let cutset = Set(try string(1).unicodeScalars)
                return .string(trimScalars(text) { cutset.contains($0) })
            }
            return .string(trimScalars(text) { $0.properties.isWhitespace })
        case "trimPrefix", "trimSuffix":
            try arity(1...2)
            let text = try string(0)
            let affix = arguments.count == 2 ? try string(1) : " "
            if name == "trimPrefix" {
                return .string(text.hasPrefix(affix) ? String(text.dropFirst(affix.count)) : text)
            }
            return .string(text.hasSuffix(affix) ? String(text.dropLast(affix.count)) : text)
        case "split":
            try arity(2...3)
            let limit = arguments.count == 3 ? Int(try number(2)) : -1
            return .list(goSplit(try string(0), try string(1), limit: limit).map { .string($0) })
        case "join":
            try arity(1...2)
            let separator = arguments.count == 2 ? try string(1) : ""
            return .string(try list(0).map(goString).joined(separator: separator))
        case "replace":
            try arity(3...3)
            return .string(try string(0).replacingOccurrences(of: try string(1), with: try string(2)))
        case "repeat":
            try arity(2...2)
            let count = Int(try number(1))
            guard count >= 0 else {
                throw .invalidArgument(function: name, value: arguments[1], reason: "repeat a negative number of times")
            }
            return .string(String(repeating: try string(0), count: count))
        case "indexOf", "lastIndexOf":
            try arity(2...2)
            let text = try string(0)
            let needle = try string(1)
            let range = name == "indexOf" ? text.range(of: needle) : text.range(of: needle, options: .backwards)
            guard let range else { return .number(-1) }
            return .number(Double(text.unicodeScalars.distance(from: text.startIndex, to: range.lowerBound)))
        case "hasPrefix":
            try arity(2...2)
            return .bool(try string(0).hasPrefix(try string(1)))
        case "hasSuffix":
            try arity(2...2)
            return .bool(try string(0).hasSuffix(try string(1)))
        case "max", "min", "mean":
            guard !arguments.isEmpty else { throw .wrongArgumentCount(function: name, expected: "at least 1", got: 0) }
            var values: [Double] = []
            let flat: [ExpressionValue] = arguments.count == 1 ? (try? list(0)) ?? arguments : arguments
            for value in flat {
                guard case .number(let number) = value else {
                    throw .invalidArgument(function: name, value: value, reason: "compare a value that is not a number")
                }
                values.append(number)
            }
            if name == "mean" { return .number(values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)) }
            guard let result = name == "max" ? values.max() : values.min() else { return .null }
            return .number(result)
        case "first", "last":
            try arity(1...1)
            let items = try list(0)
            return (name == "first" ? items.first : items.last) ?? .null
        case "keys", "values":
            try arity(1...1)
            guard case .map(let entries) = arguments[0] else {
                throw .invalidArgument(function: name, value: arguments[0], reason: "use a value that is not a map")
            }
            let sortedKeys = entries.keys.sorted()
            return .list(
                name == "keys" ? sortedKeys.map { .string($0) } : sortedKeys.map { entries[$0, default: .null] })
        case "sort":
            try arity(1...2)
            let descending = arguments.count == 2 ? try string(1) == "desc" : false
            var items = try list(0)
            var failure: ExpressionError?
            items.sort { a, b in
                do throws(ExpressionError) {
                    guard case .bool(let less) = try ExprEvaluator.apply(descending ? ">" : "<", a, b) else {
                        return false
                    }
                    return less
                } catch {
                    failure = error
                    return false
                }
            }
            if let failure { throw failure }
            return .list(items)
        case "reverse":
            try arity(1...1)
            return .list(try list(0).reversed())
        case "uniq":
            try arity(1...1)
            var seen: Set<ExpressionValue> = []
            return .list(try list(0).filter { seen.insert($0).inserted })
        case "concat":
            var result: [ExpressionValue] = []
            for index in arguments.indices { result += try list(index) }
            return .list(result)
        case "flatten":
            try arity(1...1)
            func flatten(_ items: [ExpressionValue]) -> [ExpressionValue] {
                items.flatMap { item -> [ExpressionValue] in
                    if case .list(let inner) = item { return flatten(inner) }
                    return [item]
                }
            }
            return .list(flatten(try list(0)))
        case "sum":
            try arity(1...1)
            var total = 0.0
            for value in try list(0) {
                guard case .number(let number) = value else {
                    throw .invalidArgument(function: name, value: value, reason: "add a value that is not a number")
                }
                total += number
            }
            return .number(total)
        case "toBase64":
            try arity(1...1)
            return .string(Data(try string(0).utf8).base64EncodedString())
        case "fromBase64":
            try arity(1...1)
            guard let data = Data(base64Encoded: try string(0)), let text = String(data: data, encoding: .utf8) else {
                throw .invalidArgument(function: name, value: arguments[0], reason: "decode invalid base64")
            }
            return .string(text)
        case "type":
            try arity(1...1)
            switch arguments[0] {
            case .number(let value): return .string(value == value.rounded() ? "int" : "float")
            case .list: return .string("array")
            default: return .string(arguments[0].typeName)
            }
        case "get":
            try arity(2...2)
            switch arguments[0] {
            case .map(let entries):
                guard case .string(let key) = arguments[1] else { return .null }
                return entries[key] ?? .null
            case .list(let items):
                guard let raw = arguments[1].exactInteger else { return .null }
                let index = raw < 0 ? items.count + raw : raw
                return items.indices.contains(index) ? items[index] : .null
            default:
                return .null
            }
        case "now":
            try arity(0...0)
            return .number(Date().timeIntervalSince1970)
        default:
            throw .unknownFunction(name: name)
        }
    }

    /// expr's `int()`: numbers truncate, strings must be decimal integers (Go `strconv.Atoi`).
    static func toInt(_ value: ExpressionValue, function: String) throws(ExpressionError) -> ExpressionValue {
        switch value {
        case .number(let number): return .number(number.rounded(.towardZero))
        case .string(let text):
            guard let parsed = Int64(text) else {
                throw .invalidArgument(function: function, value: value, reason: "convert to an integer")
            }
            return .number(Double(parsed))
        default:
            throw .invalidArgument(function: function, value: value, reason: "convert to an integer")
        }
    }

    /// Go's `fmt.Sprint` rendering (`%v`): `<nil>`, `[1 2]`, `map[a:1 b:2]`.
    static func goString(_ value: ExpressionValue) -> String {
        switch value {
        case .null: "<nil>"
        case .bool(let flag): flag ? "true" : "false"
        case .number(let number): ExpressionValue.format(number: number)
        case .string(let text): text
        case .list(let items): "[" + items.map(goString).joined(separator: " ") + "]"
        case .map(let entries):
            "map["
                + entries.keys.sorted().map { "\($0):\(goString(entries[$0, default: .null]))" }
                .joined(separator: " ") + "]"
        }
    }

    static func trimScalars(_ text: String, _ shouldTrim: (Unicode.Scalar) -> Bool) -> String {
        let scalars = Array(text.unicodeScalars)
        guard let start = scalars.firstIndex(where: { !shouldTrim($0) }),
            let end = scalars.lastIndex(where: { !shouldTrim($0) })
        else { return "" }
        var result = String.UnicodeScalarView()
        result.append(contentsOf: scalars[start...end])
        return String(result)
    }

    /// Go's `strings.SplitN`: an empty separator splits into characters; `limit < 0` means no limit.
    static func goSplit(_ text: String, _ separator: String, limit: Int) -> [String] {
        if limit == 0 { return [] }
        if separator.isEmpty {
            let characters = text.unicodeScalars.map { String($0) }
            guard limit > 0, characters.count > limit else { return characters }
            return Array(characters.prefix(limit - 1)) + [characters.dropFirst(limit - 1).joined()]
        }
        var parts: [String] = []
        var rest = Substring(text)
        while limit < 0 || parts.count < limit - 1, let range = rest.range(of: separator) {
            parts.append(String(rest[..<range.lowerBound]))
            rest = rest[range.upperBound...]
        }
        parts.append(String(rest))
        return parts
    }
}

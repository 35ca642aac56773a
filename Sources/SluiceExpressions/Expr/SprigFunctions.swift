import Foundation

/// The Sprig functions Argo exposes as `sprig.<name>` in expressions, with Sprig's lenient conversions.
///
/// Like Sprig, conversions do not fail: `sprig.int('x')` is 0, `sprig.b64dec` of bad input returns the error
/// text. Integer arithmetic (`add`, `sub`, `mul`, `div`, `mod`, `max`, `min`) truncates operands to integers.
/// Times are Unix seconds (`sprig.now()`), formatted with Go layouts by `date` (local zone) and `dateInZone`.
enum SprigFunctions {
    static let names: Set<String> = [
        "add", "add1", "sub", "mul", "div", "mod", "max", "min", "addf", "subf", "mulf", "divf", "trim", "trimAll",
        "trimPrefix", "trimSuffix", "upper", "lower", "title", "replace", "b64enc", "b64dec", "toString", "atoi",
        "int", "int64", "float64", "date", "dateInZone", "now", "unixEpoch", "default", "empty", "coalesce",
        "ternary", "contains", "hasPrefix", "hasSuffix", "splitList", "join", "list", "dict", "quote", "squote",
        "repeat", "substr", "trunc", "toJson", "toStrings", "first", "last", "has", "cat", "nospace",
    ]

    static func call(_ name: String, _ arguments: [ExpressionValue]) throws(ExpressionError) -> ExpressionValue {
        let qualified = "sprig.\(name)"
        func arity(_ count: Int) throws(ExpressionError) {
            guard arguments.count == count else {
                throw .wrongArgumentCount(function: qualified, expected: "\(count)", got: arguments.count)
            }
        }
        func text(_ index: Int) -> String { strval(arguments[index]) }

        switch name {
        case "add", "mul":
            var result: Int64 = name == "add" ? 0 : 1
            for argument in arguments {
                let value = toInt64(argument)
                result = name == "add" ? result &+ value : result &* value
            }
            return integer(result)
        case "add1":
            try arity(1)
            return integer(toInt64(arguments[0]) &+ 1)
        case "sub", "div", "mod":
            try arity(2)
            let a = toInt64(arguments[0])
            let b = toInt64(arguments[1])
            if name == "sub" { return integer(a &- b) }
            guard b != 0 else { throw .divisionByZero(operator: qualified) }
            return integer(name == "div" ? a / b : a % b)
        case "max", "min":
            guard let first = arguments.first else {
                throw .wrongArgumentCount(function: qualified, expected: "at least 1", got: 0)
            }
            var result = toInt64(first)
            for argument in arguments.dropFirst() {
                let value = toInt64(argument)
                result = name == "max" ? Swift.max(result, value) : Swift.min(result, value)
            }
            return integer(result)
        case "addf", "mulf":
            var result = name == "addf" ? 0.0 : 1.0
            for argument in arguments {
                result = name == "addf" ? result + toFloat64(argument) : result * toFloat64(argument)
            }
            return .number(result)
        case "subf", "divf":
            guard let first = arguments.first else {
                throw .wrongArgumentCount(function: qualified, expected: "at least 1", got: 0)
            }
            var result = toFloat64(first)
            for argument in arguments.dropFirst() {
                result = name == "subf" ? result - toFloat64(argument) : result / toFloat64(argument)
            }
            return .number(result)
        case "trim":
            try arity(1)
            return .string(ExprFunctions.trimScalars(text(0)) { $0.properties.isWhitespace })
        case "trimAll":
            try arity(2)
            let cutset = Set(text(0).unicodeScalars)
            return .string(ExprFunctions.trimScalars(text(1)) { cutset.contains($0) })
        case "trimPrefix", "trimSuffix", "hasPrefix", "hasSuffix", "contains":
            try arity(2)
            let affix = text(0)
            let subject = text(1)
            switch name {
            case "trimPrefix":
                return .string(subject.hasPrefix(affix) ? String(subject.dropFirst(affix.count)) : subject)
            case "trimSuffix":
                return .string(subject.hasSuffix(affix) ? String(subject.dropLast(affix.count)) : subject)
            case "hasPrefix": return .bool(subject.hasPrefix(affix))
            case "hasSuffix": return .bool(subject.hasSuffix(affix))
            default: return .bool(affix.isEmpty || subject.contains(affix))
            }
        case "upper":
            try arity(1)
            return .string(text(0).uppercased())
        case "lower":
            try arity(1)
            return .string(text(0).lowercased())
        case "title":
            try arity(1)
            return .string(text(0).capitalized)
        case "replace":
            try arity(3)
            return .string(text(2).replacingOccurrences(of: text(0), with: text(1)))
        case "b64enc":
            try arity(1)
            return .string(Data(text(0).utf8).base64EncodedString())
        case "b64dec":
            try arity(1)
            guard let data = Data(base64Encoded: text(0)), let decoded = String(data: data, encoding: .utf8) else {
                return .string("illegal base64 data")
            }
            return .string(decoded)
        case "toString":
            try arity(1)
            return .string(text(0))
        case "atoi":
            try arity(1)
            return integer(Int64(text(0)) ?? 0)
        case "int", "int64":
            try arity(1)
            return integer(toInt64(arguments[0]))
        case "float64":
            try arity(1)
            return .number(toFloat64(arguments[0]))
        case "date", "dateInZone":
            try arity(name == "date" ? 2 : 3)
            let zone =
                name == "date" ? TimeZone.current : (TimeZone(identifier: text(2)) ?? TimeZone(identifier: "UTC"))
            let seconds: Double
            if case .number(let value) = arguments[1] {
                seconds = value
            } else {
                seconds = Date().timeIntervalSince1970
            }
            return .string(
                GoTimeFormat.format(Date(timeIntervalSince1970: seconds), layout: text(0), zone: zone ?? .current))
        case "now":
            try arity(0)
            return .number(Date().timeIntervalSince1970)
        case "unixEpoch":
            try arity(1)
            guard case .number(let value) = arguments[0] else { return .string("0") }
            return .string(String(Int64(clamping: value.rounded(.down))))
        case "default":
            guard !arguments.isEmpty else { throw .wrongArgumentCount(function: qualified, expected: "1 or 2", got: 0) }
            guard arguments.count > 1, !isEmpty(arguments[1]) else { return arguments[0] }
            return arguments[1]
        case "empty":
            try arity(1)
            return .bool(isEmpty(arguments[0]))
        case "coalesce":
            return arguments.first { !isEmpty($0) } ?? .null
        case "ternary":
            try arity(3)
            return arguments[2] == .bool(true) ? arguments[0] : arguments[1]
        case "splitList":
            try arity(2)
            return .list(ExprFunctions.goSplit(text(1), text(0), limit: -1).map { .string($0) })
        case "join":
            try arity(2)
            switch arguments[1] {
            case .list(let items): return .string(items.filter { $0 != .null }.map(strval).joined(separator: text(0)))
            default: return .string(text(1))
            }
        case "toStrings":
            try arity(1)
            guard case .list(let items) = arguments[0] else { return .list([.string(text(0))]) }
            return .list(items.map { .string(strval($0)) })
        case "list":
            return .list(arguments)
        case "dict":
            var result: [String: ExpressionValue] = [:]
            var index = 0
            while index < arguments.count {
                result[strval(arguments[index])] = index + 1 < arguments.count ? arguments[index + 1] : .string("")
                index += 2
            }
            return .map(result)
        case "quote":
            return .string(arguments.filter { $0 != .null }.map { goQuote(strval($0)) }.joined(separator: " "))
        case "squote":
            return .string(arguments.filter { $0 != .null }.map { "'\(strval($0))'" }.joined(separator: " "))
        case "cat":
            return .string(arguments.filter { $0 != .null }.map(strval).joined(separator: " "))
        case "nospace":
            try arity(1)
            return .string(String(text(0).unicodeScalars.filter { !$0.properties.isWhitespace }.map(Character.init)))
        case "repeat":
            try arity(2)
            return .string(String(repeating: text(1), count: Int(Swift.max(0, toInt64(arguments[0])))))
        case "substr":
            try arity(3)
            let scalars = Array(text(2).unicodeScalars)
            let start = Int(toInt64(arguments[0]))
            let end = Int(toInt64(arguments[1]))
            let range: Range<Int>
            if start < 0 {
                range = 0..<Swift.min(Swift.max(end, 0), scalars.count)
            } else if end < 0 || end > scalars.count {
                range = Swift.min(start, scalars.count)..<scalars.count
            } else {
                range = Swift.min(start, end)..<end
            }
            return .string(String(String.UnicodeScalarView(scalars[range])))
        case "trunc":
            try arity(2)
            let scalars = Array(text(1).unicodeScalars)
            let count = Int(toInt64(arguments[0]))
            if count < 0, scalars.count + count > 0 {
                return .string(String(String.UnicodeScalarView(scalars[(scalars.count + count)...])))
            }
            if count >= 0, scalars.count > count {
                return .string(String(String.UnicodeScalarView(scalars[..<count])))
            }
            return .string(text(1))
        case "toJson":
            try arity(1)
            return .string(arguments[0].jsonString)
        case "first", "last":
            try arity(1)
            guard case .list(let items) = arguments[0] else { return .null }
            return (name == "first" ? items.first : items.last) ?? .null
        case "has":
            try arity(2)
            guard case .list(let items) = arguments[1] else { return .bool(false) }
            return .bool(items.contains(arguments[0]))
        default:
            throw .unknownFunction(name: qualified)
        }
    }

    private static func integer(_ value: Int64) -> ExpressionValue { .number(Double(value)) }

    /// Sprig's `strval`: strings as-is, everything else as Go's `%v`.
    static func strval(_ value: ExpressionValue) -> String {
        if case .string(let text) = value { return text }
        return ExprFunctions.goString(value)
    }

    /// Sprig's `empty`: nil, false, 0, "" and empty collections.
    static func isEmpty(_ value: ExpressionValue) -> Bool { !value.isTruthy }

    /// `cast.ToInt64`: numbers truncate, Booleans are 0/1, strings parse with Go base prefixes, failures are 0.
    static func toInt64(_ value: ExpressionValue) -> Int64 {
        switch value {
        case .number(let number): return Int64(clamping: number)
        case .bool(let flag): return flag ? 1 : 0
        case .string(var text):
            // cast trims a trailing ".0…" before parsing.
            if let dot = text.firstIndex(of: "."), text[text.index(after: dot)...].allSatisfy({ $0 == "0" }) {
                text = String(text[..<dot])
            }
            var negative = false
            if text.hasPrefix("-") || text.hasPrefix("+") {
                negative = text.hasPrefix("-")
                text.removeFirst()
            }
            text = text.replacingOccurrences(of: "_", with: "")
            let lowered = text.lowercased()
            let parsed: Int64?
            if lowered.hasPrefix("0x") {
                parsed = Int64(lowered.dropFirst(2), radix: 16)
            } else if lowered.hasPrefix("0b") {
                parsed = Int64(lowered.dropFirst(2), radix: 2)
            } else if lowered.hasPrefix("0o") {
                parsed = Int64(lowered.dropFirst(2), radix: 8)
            } else if lowered.count > 1, lowered.hasPrefix("0") {
                parsed = Int64(lowered.dropFirst(), radix: 8)
            } else {
                parsed = Int64(lowered)
            }
            guard let parsed, !text.isEmpty else { return 0 }
            return negative ? -parsed : parsed
        default:
            return 0
        }
    }

    /// `cast.ToFloat64`: numbers as-is, Booleans 0/1, parseable strings, otherwise 0.
    static func toFloat64(_ value: ExpressionValue) -> Double {
        switch value {
        case .number(let number): number
        case .bool(let flag): flag ? 1 : 0
        case .string(let text): Double(text) ?? 0
        default: 0
        }
    }

    /// Go's `strconv.Quote` for printable text: double quotes with `\"`, `\\` and control escapes.
    static func goQuote(_ text: String) -> String {
        var output = ""
        ExpressionValue.writeJSONString(text, into: &output)
        return output
    }
}

import Foundation

// MARK: - JSON rendering

extension ExpressionValue {
    /// Parses JSON text into a value.
    ///
    /// Numbers become `.number`, `null` becomes `.null`; duplicate object keys keep the last value. Leading and
    /// trailing whitespace is allowed, anything else after the value is an error.
    /// - Throws: `ExpressionError.invalidJSON` with the character offset of the problem.
    package init(jsonString: String) throws(ExpressionError) {
        var parser = JSONParser(text: jsonString)
        self = try parser.parseDocument()
    }

    /// Compact JSON text for the value, object keys sorted (as Go's `json.Marshal` writes maps).
    ///
    /// `nil` renders as `null`; non-finite numbers render as `NaN`/`+Inf`/`-Inf`, which is not valid JSON.
    package var jsonString: String {
        var output = ""
        writeJSON(into: &output)
        return output
    }

    private func writeJSON(into output: inout String) {
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .number(let value): output += Self.format(number: value)
        case .string(let value): Self.writeJSONString(value, into: &output)
        case .list(let items):
            output += "["
            for (index, item) in items.enumerated() {
                if index > 0 { output += "," }
                item.writeJSON(into: &output)
            }
            output += "]"
        case .map(let entries):
            output += "{"
            for (index, key) in entries.keys.sorted().enumerated() {
                if index > 0 { output += "," }
                Self.writeJSONString(key, into: &output)
                output += ":"
                entries[key, default: .null].writeJSON(into: &output)
            }
            output += "}"
        }
    }

    /// Appends `text` as a quoted JSON string literal.
    static func writeJSONString(_ text: String, into output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            default:
                if scalar.value < 0x20 {
                    output += String(format: "\\u%04x", scalar.value)
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }
}

// MARK: - JSON parsing

/// A small recursive-descent JSON parser over Unicode scalars (offsets in error messages count scalars).
private struct JSONParser {
    let scalars: [Unicode.Scalar]
    var position = 0

    init(text: String) {
        scalars = Array(text.unicodeScalars)
    }

    mutating func parseDocument() throws(ExpressionError) -> ExpressionValue {
        skipWhitespace()
        let value = try parseValue(depth: 0)
        skipWhitespace()
        guard position == scalars.count else { throw fail("unexpected text after the JSON value") }
        return value
    }

    private func fail(_ reason: String) -> ExpressionError {
        .invalidJSON(reason: reason, offset: position)
    }

    private mutating func skipWhitespace() {
        while position < scalars.count, [" ", "\n", "\r", "\t"].contains(scalars[position]) { position += 1 }
    }

    private mutating func parseValue(depth: Int) throws(ExpressionError) -> ExpressionValue {
        guard depth < 512 else { throw fail("nesting deeper than 512 levels") }
        guard position < scalars.count else { throw fail("unexpected end of JSON text") }
        switch scalars[position] {
        case "{": return try parseObject(depth: depth)
        case "[": return try parseArray(depth: depth)
        case "\"": return .string(try parseString())
        case "t": try expectWord("true"); return .bool(true)
        case "f": try expectWord("false"); return .bool(false)
        case "n": try expectWord("null"); return .null
        case "-", "0"..."9": return try parseNumber()
        default: throw fail("unexpected character '\(scalars[position])'")
        }
    }

    private mutating func expectWord(_ word: String) throws(ExpressionError) {
        for expected in word.unicodeScalars {
            guard position < scalars.count, scalars[position] == expected else { throw fail("invalid literal") }
            position += 1
        }
    }

    private mutating func parseObject(depth: Int) throws(ExpressionError) -> ExpressionValue {
        position += 1
        var entries: [String: ExpressionValue] = [:]
        skipWhitespace()
        if position < scalars.count, scalars[position] == "}" {
            position += 1
            return .map(entries)
        }
        while true {
            skipWhitespace()
            guard position < scalars.count, scalars[position] == "\"" else { throw fail("expected a string key") }
            let key = try parseString()
            skipWhitespace()
            guard position < scalars.count, scalars[position] == ":" else { throw fail("expected ':' after key") }
            position += 1
            skipWhitespace()
            entries[key] = try parseValue(depth: depth + 1)
            skipWhitespace()
            guard position < scalars.count else { throw fail("unterminated object") }
            if scalars[position] == "," {
                position += 1
                continue
            }
            guard scalars[position] == "}" else { throw fail("expected ',' or '}' in object") }
            position += 1
            return .map(entries)
        }
    }

    private mutating func parseArray(depth: Int) throws(ExpressionError) -> ExpressionValue {
        position += 1
        var items: [ExpressionValue] = []
        skipWhitespace()
        if position < scalars.count, scalars[position] == "]" {
            position += 1
            return .list(items)
        }
        while true {
            skipWhitespace()
            items.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            guard position < scalars.count else { throw fail("unterminated array") }
            if scalars[position] == "," {
                position += 1
                continue
            }
            guard scalars[position] == "]" else { throw fail("expected ',' or ']' in array") }
            position += 1
            return .list(items)
        }
    }

    private mutating func parseString() throws(ExpressionError) -> String {
        position += 1
        var result = String.UnicodeScalarView()
        while position < scalars.count {
            let scalar = scalars[position]
            position += 1
            switch scalar {
            case "\"":
                return String(result)
            case "\\":
                guard position < scalars.count else { throw fail("unterminated string") }
                let escape = scalars[position]
                position += 1
                switch escape {
                case "\"": result.append("\"")
                case "\\": result.append("\\")
                case "/": result.append("/")
                case "b": result.append("\u{08}")
                case "f": result.append("\u{0C}")
                case "n": result.append("\n")
                case "r": result.append("\r")
                case "t": result.append("\t")
                case "u": result.append(try parseUnicodeEscape())
                default: throw fail("invalid escape '\\\(escape)'")
                }
            default:
                guard scalar.value >= 0x20 else { throw fail("control character in string") }
                result.append(scalar)
            }
        }
        throw fail("unterminated string")
    }

    private mutating func parseHex4() throws(ExpressionError) -> UInt32 {
        guard position + 4 <= scalars.count else { throw fail("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let digit = UInt32(String(scalars[position]), radix: 16) else { throw fail("invalid \\u escape") }
            value = value * 16 + digit
            position += 1
        }
        return value
    }

    private mutating func parseUnicodeEscape() throws(ExpressionError) -> Unicode.Scalar {
        let high = try parseHex4()
        if (0xD800...0xDBFF).contains(high), position + 1 < scalars.count, scalars[position] == "\\",
            scalars[position + 1] == "u"
        {
            position += 2
            let low = try parseHex4()
            if (0xDC00...0xDFFF).contains(low) {
                let combined = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                return Unicode.Scalar(combined) ?? "\u{FFFD}"
            }
            return "\u{FFFD}"
        }
        return Unicode.Scalar(high) ?? "\u{FFFD}"
    }

    private mutating func parseNumber() throws(ExpressionError) -> ExpressionValue {
        let start = position
        if scalars[position] == "-" { position += 1 }
        func digits(_ parser: inout JSONParser) -> Int {
            let begin = parser.position
            while parser.position < parser.scalars.count, ("0"..."9").contains(parser.scalars[parser.position]) {
                parser.position += 1
            }
            return parser.position - begin
        }
        guard digits(&self) > 0 else { throw fail("invalid number") }
        if position < scalars.count, scalars[position] == "." {
            position += 1
            guard digits(&self) > 0 else { throw fail("invalid number") }
        }
        if position < scalars.count, scalars[position] == "e" || scalars[position] == "E" {
            position += 1
            if position < scalars.count, scalars[position] == "+" || scalars[position] == "-" { position += 1 }
            guard digits(&self) > 0 else { throw fail("invalid number") }
        }
        var text = String.UnicodeScalarView()
        text.append(contentsOf: scalars[start..<position])
        guard let number = Double(String(text)) else { throw fail("invalid number") }
        return .number(number)
    }
}

// MARK: - Strict parsing

extension CanonicalJSON {
    /// Parses JSON strictly, for bytes that came from outside (envelopes, statements).
    ///
    /// Whitespace between tokens is allowed, so the input need not be canonical. Refused: invalid UTF-8, a byte
    /// order mark, duplicate object keys (compared after unescaping), numbers with a fraction or exponent, integers
    /// beyond ±(2^53 − 1), lone surrogate escapes, raw control characters in strings, nesting deeper than 128, and
    /// trailing content.
    /// - Throws: `GovernanceError.malformedJSON` with the reason and the byte offset.
    package init(parsing data: [UInt8]) throws(GovernanceError) {
        guard String(validating: data, as: UTF8.self) != nil else {
            throw .malformedJSON(reason: "input is not valid UTF-8", offset: 0)
        }
        if data.starts(with: [0xef, 0xbb, 0xbf]) {
            throw .malformedJSON(reason: "input starts with a byte order mark", offset: 0)
        }
        var parser = StrictJSONParser(bytes: data)
        self = try parser.parseDocument()
    }
}

/// Recursive-descent parser over UTF-8 bytes that were already validated.
private struct StrictJSONParser {
    let bytes: [UInt8]
    var position = 0
    static let maxDepth = 128

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func parseDocument() throws(GovernanceError) -> CanonicalJSON {
        skipWhitespace()
        let value = try parseValue(depth: 0)
        skipWhitespace()
        guard position == bytes.count else { throw failure("unexpected content after the JSON value") }
        return value
    }

    private func failure(_ reason: String) -> GovernanceError {
        .malformedJSON(reason: reason, offset: position)
    }

    private mutating func skipWhitespace() {
        while position < bytes.count, [0x20, 0x09, 0x0a, 0x0d].contains(bytes[position]) { position += 1 }
    }

    private mutating func parseValue(depth: Int) throws(GovernanceError) -> CanonicalJSON {
        guard depth <= Self.maxDepth else { throw failure("nesting deeper than \(Self.maxDepth) levels") }
        guard position < bytes.count else { throw failure("unexpected end of input") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .integer(try parseInteger())
        default:
            throw failure("unexpected character '\(Character(Unicode.Scalar(bytes[position])))'")
        }
    }

    private mutating func expectLiteral(_ literal: String) throws(GovernanceError) {
        let utf8 = Array(literal.utf8)
        guard bytes[position...].starts(with: utf8) else { throw failure("invalid literal, expected '\(literal)'") }
        position += utf8.count
    }

    private mutating func parseObject(depth: Int) throws(GovernanceError) -> CanonicalJSON {
        position += 1
        var members: [String: CanonicalJSON] = [:]
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                throw failure("expected a string key")
            }
            let keyOffset = position
            let key = try parseString()
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                throw failure("expected ':' after key '\(key)'")
            }
            position += 1
            skipWhitespace()
            let value = try parseValue(depth: depth + 1)
            guard members.updateValue(value, forKey: key) == nil else {
                throw .malformedJSON(reason: "duplicate key '\(key)'", offset: keyOffset)
            }
            skipWhitespace()
            guard position < bytes.count else { throw failure("unexpected end of input inside an object") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                continue
            }
            guard bytes[position] == UInt8(ascii: "}") else { throw failure("expected ',' or '}' in an object") }
            position += 1
            return .object(members)
        }
    }

    private mutating func parseArray(depth: Int) throws(GovernanceError) -> CanonicalJSON {
        position += 1
        var elements: [CanonicalJSON] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            guard position < bytes.count else { throw failure("unexpected end of input inside an array") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                continue
            }
            guard bytes[position] == UInt8(ascii: "]") else { throw failure("expected ',' or ']' in an array") }
            position += 1
            return .array(elements)
        }
    }

    private mutating func parseInteger() throws(GovernanceError) -> Int64 {
        let start = position
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        let digitsStart = position
        while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
            position += 1
        }
        let digitCount = position - digitsStart
        guard digitCount > 0 else { throw failure("a number needs at least one digit") }
        if digitCount > 1 && bytes[digitsStart] == UInt8(ascii: "0") {
            throw .malformedJSON(reason: "numbers must not have leading zeros", offset: start)
        }
        if position < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[position]) {
            throw .malformedJSON(reason: "floating-point numbers are not allowed", offset: start)
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        guard digitCount <= 16, let value = Int64(text),
            value >= -CanonicalJSON.maxSafeInteger, value <= CanonicalJSON.maxSafeInteger
        else {
            throw .malformedJSON(reason: "integer \(text) is outside ±(2^53 − 1)", offset: start)
        }
        return value
    }

    private mutating func parseString() throws(GovernanceError) -> String {
        position += 1
        var out: [UInt8] = []
        while true {
            guard position < bytes.count else { throw failure("unterminated string") }
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                position += 1
                try parseEscape(into: &out)
            case 0x00..<0x20:
                throw failure("raw control character U+00\(Hex.encode([byte])) in a string")
            default:
                out.append(byte)
                position += 1
            }
        }
    }

    private mutating func parseEscape(into out: inout [UInt8]) throws(GovernanceError) {
        guard position < bytes.count else { throw failure("unterminated escape") }
        let byte = bytes[position]
        position += 1
        switch byte {
        case UInt8(ascii: "\""): out.append(0x22)
        case UInt8(ascii: "\\"): out.append(0x5c)
        case UInt8(ascii: "/"): out.append(0x2f)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0c)
        case UInt8(ascii: "n"): out.append(0x0a)
        case UInt8(ascii: "r"): out.append(0x0d)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try parseHex4()
            if (0xd800...0xdbff).contains(scalar) {
                guard bytes[position...].starts(with: [UInt8(ascii: "\\"), UInt8(ascii: "u")]) else {
                    throw failure("high surrogate escape without a low surrogate")
                }
                position += 2
                let low = try parseHex4()
                guard (0xdc00...0xdfff).contains(low) else { throw failure("invalid low surrogate escape") }
                scalar = 0x10000 + ((scalar - 0xd800) << 10) + (low - 0xdc00)
            } else if (0xdc00...0xdfff).contains(scalar) {
                throw failure("lone low surrogate escape")
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw failure("invalid unicode escape") }
            out.append(contentsOf: Array(String(Character(unicode)).utf8))
        default:
            throw failure("invalid escape '\\\(Character(Unicode.Scalar(byte)))'")
        }
    }

    private mutating func parseHex4() throws(GovernanceError) -> UInt32 {
        guard position + 4 <= bytes.count,
            let decoded = Hex.decode(String(decoding: bytes[position..<position + 4], as: UTF8.self))
        else { throw failure("\\u must be followed by four hex digits") }
        position += 4
        return UInt32(decoded[0]) << 8 | UInt32(decoded[1])
    }
}

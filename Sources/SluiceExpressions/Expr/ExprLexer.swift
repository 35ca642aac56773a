/// A token of the expr-lang dialect.
struct ExprToken: Equatable {
    enum Kind: Equatable {
        case number(Double)
        case string(String)
        case identifier(String)
        /// `#`, `#index`, `#acc`: the closure's current element (name "") or a named closure variable.
        case pointer(String)
        case punctuation(String)
        case end
    }
    var kind: Kind
    var offset: Int

    func isPunctuation(_ text: String) -> Bool { kind == .punctuation(text) }
}

/// Hand-written lexer for expr-lang source; offsets count Unicode scalars.
enum ExprLexer {
    private static let twoCharacterPunctuation: Set<String> = [
        "**", "==", "!=", "<=", ">=", "&&", "||", "??", "?.", "..",
    ]
    private static let singleCharacterPunctuation: Set<Unicode.Scalar> = [
        "+", "-", "*", "/", "%", "^", "<", ">", "!", "?", ":", ".", ",", "(", ")", "[", "]", "{", "}", "|",
    ]

    static func tokenize(_ source: String) throws(ExpressionError) -> [ExprToken] {
        let scalars = Array(source.unicodeScalars)
        var tokens: [ExprToken] = []
        tokens.reserveCapacity(scalars.count / 2 + 1)
        var index = 0
        func fail(_ reason: String, _ offset: Int) -> ExpressionError {
            .syntax(reason: reason, offset: offset, source: source)
        }
        func isDigit(_ at: Int) -> Bool { at < scalars.count && ("0"..."9").contains(scalars[at]) }
        func isIdentifierStart(_ scalar: Unicode.Scalar) -> Bool {
            scalar.properties.isAlphabetic || scalar == "_" || scalar == "$"
        }
        func isIdentifierPart(_ scalar: Unicode.Scalar) -> Bool {
            isIdentifierStart(scalar) || scalar.properties.numericType == .decimal
        }

        while index < scalars.count {
            let scalar = scalars[index]
            let start = index
            if scalar.properties.isWhitespace {
                index += 1
            } else if isDigit(index)
                || (scalar == "." && isDigit(index + 1) && !(tokens.last.map(Self.endsOperand) ?? false))
            {
                tokens.append(ExprToken(kind: .number(try number(scalars, &index, source)), offset: start))
            } else if scalar == "\"" || scalar == "'" || scalar == "`" {
                tokens.append(ExprToken(kind: .string(try string(scalars, &index, source)), offset: start))
            } else if isIdentifierStart(scalar) {
                var name = ""
                while index < scalars.count, isIdentifierPart(scalars[index]) {
                    name.unicodeScalars.append(scalars[index])
                    index += 1
                }
                tokens.append(ExprToken(kind: .identifier(name), offset: start))
            } else if scalar == "#" {
                index += 1
                var name = ""
                while index < scalars.count, isIdentifierPart(scalars[index]) {
                    name.unicodeScalars.append(scalars[index])
                    index += 1
                }
                tokens.append(ExprToken(kind: .pointer(name), offset: start))
            } else {
                if index + 1 < scalars.count {
                    var pair = String(scalar)
                    pair.unicodeScalars.append(scalars[index + 1])
                    // `a ?.5 : 1` is a ternary with a number, not optional chaining.
                    if twoCharacterPunctuation.contains(pair), !(pair == "?." && isDigit(index + 2)) {
                        index += 2
                        tokens.append(ExprToken(kind: .punctuation(pair), offset: start))
                        continue
                    }
                }
                guard singleCharacterPunctuation.contains(scalar) else {
                    throw fail("unexpected character '\(scalar)'", start)
                }
                index += 1
                tokens.append(ExprToken(kind: .punctuation(String(scalar)), offset: start))
            }
        }
        tokens.append(ExprToken(kind: .end, offset: scalars.count))
        return tokens
    }

    /// Whether a `.` after this token is member access rather than the start of a number like `.5`.
    private static func endsOperand(_ token: ExprToken) -> Bool {
        switch token.kind {
        case .number, .string, .identifier, .pointer: true
        case .punctuation(let text): text == ")" || text == "]" || text == "}"
        case .end: false
        }
    }

    private static func number(
        _ scalars: [Unicode.Scalar], _ index: inout Int, _ source: String
    ) throws(ExpressionError) -> Double {
        let start = index
        var text = ""
        func at(_ offset: Int) -> Unicode.Scalar? { offset < scalars.count ? scalars[offset] : nil }
        if scalars[index] == "0", let marker = at(index + 1), ["x", "X", "o", "O", "b", "B"].contains(marker) {
            index += 2
            while let scalar = at(index), scalar.properties.isASCIIHexDigit || scalar == "_" {
                if scalar != "_" { text.unicodeScalars.append(scalar) }
                index += 1
            }
            let radix = marker == "x" || marker == "X" ? 16 : (marker == "o" || marker == "O" ? 8 : 2)
            guard let value = Int64(text, radix: radix) else {
                throw .syntax(reason: "invalid number literal", offset: start, source: source)
            }
            return Double(value)
        }
        while let scalar = at(index), ("0"..."9").contains(scalar) || scalar == "_" {
            if scalar != "_" { text.unicodeScalars.append(scalar) }
            index += 1
        }
        // A fraction, unless this is the range operator `1..3`.
        if at(index) == ".", at(index + 1) != "." {
            text += "."
            index += 1
            while let scalar = at(index), ("0"..."9").contains(scalar) || scalar == "_" {
                if scalar != "_" { text.unicodeScalars.append(scalar) }
                index += 1
            }
        }
        if let marker = at(index), marker == "e" || marker == "E" {
            var exponent = "e"
            var probe = index + 1
            if let sign = at(probe), sign == "+" || sign == "-" {
                exponent.unicodeScalars.append(sign)
                probe += 1
            }
            if let digit = at(probe), ("0"..."9").contains(digit) {
                while let digit = at(probe), ("0"..."9").contains(digit) {
                    exponent.unicodeScalars.append(digit)
                    probe += 1
                }
                text += exponent
                index = probe
            }
        }
        if text.hasPrefix(".") { text = "0" + text }
        if text.hasSuffix(".") { text += "0" }
        guard let value = Double(text) else {
            throw .syntax(reason: "invalid number literal", offset: start, source: source)
        }
        if let next = at(index), next.properties.isAlphabetic || next == "_" {
            throw .syntax(reason: "invalid number literal", offset: start, source: source)
        }
        return value
    }

    private static func string(
        _ scalars: [Unicode.Scalar], _ index: inout Int, _ source: String
    ) throws(ExpressionError) -> String {
        let start = index
        let quote = scalars[index]
        index += 1
        var result = String.UnicodeScalarView()
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            if scalar == quote { return String(result) }
            guard scalar == "\\", quote != "`" else {
                result.append(scalar)
                continue
            }
            guard index < scalars.count else { break }
            let escape = scalars[index]
            index += 1
            switch escape {
            case "n": result.append("\n")
            case "t": result.append("\t")
            case "r": result.append("\r")
            case "a": result.append("\u{07}")
            case "b": result.append("\u{08}")
            case "f": result.append("\u{0C}")
            case "v": result.append("\u{0B}")
            case "0": result.append("\u{00}")
            case "\\", "'", "\"", "`": result.append(escape)
            case "u", "x", "U":
                let length = escape == "x" ? 2 : (escape == "u" ? 4 : 8)
                guard index + length <= scalars.count else {
                    throw .syntax(reason: "invalid escape in string", offset: index - 2, source: source)
                }
                var hex = ""
                hex.unicodeScalars.append(contentsOf: scalars[index..<index + length])
                guard let code = UInt32(hex, radix: 16), let decoded = Unicode.Scalar(code) else {
                    throw .syntax(reason: "invalid escape in string", offset: index - 2, source: source)
                }
                result.append(decoded)
                index += length
            default:
                throw .syntax(reason: "invalid escape '\\\(escape)' in string", offset: index - 2, source: source)
            }
        }
        throw .syntax(reason: "unterminated string literal", offset: start, source: source)
    }
}

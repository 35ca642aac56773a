import Foundation

/// Argo's `when:` dialect (govaluate), evaluated after `{{...}}` substitution.
///
/// As Argo's `shouldExecute()` does, bare identifiers (govaluate VARIABLE tokens, including `[escaped names]`) are
/// treated as string literals, so `heads == heads` is true. Supported: numbers (decimal and `0x` hex, always
/// floating point), `'single'`/`"double"` strings (a string ends at either quote kind; `\` escapes any character),
/// `true`/`false`, `== != < <= > >=`, `=~ !~` (regular expression search), `in` with `(a, b, c)`, `&& || !`,
/// `+ - * / % **`, bitwise `& | ^ << >> ~`, unary `-`, parentheses, ternary `? :` and `??`.
///
/// govaluate's typing rules apply: `==` is strict (`'5' == 5` is false), ordering needs two numbers or two
/// strings (strings compare bytewise), `+` concatenates when either side is a string. Dotted identifiers
/// (`a.b`) are govaluate accessors, which Argo does not convert; evaluating one throws `unknownVariable`.
/// Differences from govaluate: strings that look like dates are not converted to Unix times.
package enum GovaluateExpression {
    /// Evaluates `source` and requires a Boolean result, as Argo does for `when:`.
    ///
    /// - Throws: `ExpressionError.syntax` for malformed text, `.typeMismatch` for operators on wrong types,
    ///   `.notBoolean` when the result is not a Boolean.
    package static func evaluateBool(_ source: String) throws(ExpressionError) -> Bool {
        let value = try evaluate(source)
        guard case .bool(let result) = value else { throw .notBoolean(source: source, value: value) }
        return result
    }

    /// Parses `source` without evaluating it.
    ///
    /// - Throws: `ExpressionError.syntax` for malformed text, `.tooDeep` past `maxDepth`.
    package static func checkSyntax(_ source: String, maxDepth: Int) throws(ExpressionError) {
        var parser = GovaluateParser(tokens: try GovaluateLexer.tokenize(source), source: source, maxDepth: maxDepth)
        _ = try parser.parseExpression()
    }

    /// Evaluates `source` to a value (a number, string, Boolean or list).
    ///
    /// - Throws: `ExpressionError.syntax` for malformed text and evaluation errors as for `evaluateBool`.
    package static func evaluate(_ source: String) throws(ExpressionError) -> ExpressionValue {
        let tokens = try GovaluateLexer.tokenize(source)
        var parser = GovaluateParser(tokens: tokens, source: source)
        let node = try parser.parseExpression()
        return try node.evaluate()
    }
}

// MARK: - Lexer

struct GovaluateToken: Equatable {
    enum Kind: Equatable {
        case number(Double)
        case string(String)
        case bool(Bool)
        case accessor(String)
        case symbol(String)
        case prefix(String)
        case open, close, comma, end
    }
    var kind: Kind
    var offset: Int
}

enum GovaluateLexer {
    private static let binarySymbols: Set<String> = [
        "+", "-", "*", "/", "%", "**", "&", "|", "^", ">>", "<<", "&&", "||",
        "==", "!=", ">", ">=", "<", "<=", "=~", "!~", "?", ":", "??",
    ]

    static func tokenize(_ source: String) throws(ExpressionError) -> [GovaluateToken] {
        let scalars = Array(source.unicodeScalars)
        var tokens: [GovaluateToken] = []
        var index = 0
        func fail(_ reason: String, _ offset: Int) -> ExpressionError {
            .syntax(reason: reason, offset: offset, source: source)
        }
        func expectsValue() -> Bool {
            guard let last = tokens.last else { return true }
            switch last.kind {
            case .symbol, .prefix, .open, .comma: return true
            default: return false
            }
        }
        while index < scalars.count {
            let scalar = scalars[index]
            let start = index
            if scalar.properties.isWhitespace {
                index += 1
                continue
            }
            if scalar == "0", index + 1 < scalars.count, scalars[index + 1] == "x" {
                index += 2
                var hex = ""
                while index < scalars.count, scalars[index].properties.isASCIIHexDigit {
                    hex.unicodeScalars.append(scalars[index])
                    index += 1
                }
                guard let value = UInt64(hex, radix: 16) else { throw fail("invalid hex number '0x\(hex)'", start) }
                tokens.append(GovaluateToken(kind: .number(Double(value)), offset: start))
            } else if isNumeric(scalar) {
                var text = ""
                while index < scalars.count, isNumeric(scalars[index]) {
                    text.unicodeScalars.append(scalars[index])
                    index += 1
                }
                guard let value = Double(text) else { throw fail("invalid number '\(text)'", start) }
                tokens.append(GovaluateToken(kind: .number(value), offset: start))
            } else if scalar == "," {
                index += 1
                tokens.append(GovaluateToken(kind: .comma, offset: start))
            } else if scalar == "[" {
                index += 1
                var text = ""
                var closed = false
                while index < scalars.count {
                    if scalars[index] == "\\", index + 1 < scalars.count {
                        text.unicodeScalars.append(scalars[index + 1])
                        index += 2
                        continue
                    }
                    if scalars[index] == "]" {
                        closed = true
                        index += 1
                        break
                    }
                    text.unicodeScalars.append(scalars[index])
                    index += 1
                }
                guard closed else { throw fail("unclosed parameter bracket", start) }
                tokens.append(GovaluateToken(kind: .string(text), offset: start))
            } else if scalar.properties.isAlphabetic {
                var text = ""
                while index < scalars.count, isVariableName(scalars[index]) {
                    text.unicodeScalars.append(scalars[index])
                    index += 1
                }
                let kind: GovaluateToken.Kind
                switch text {
                case "true": kind = .bool(true)
                case "false": kind = .bool(false)
                case "in", "IN": kind = .symbol("in")
                default:
                    if text.contains(".") {
                        guard !text.hasSuffix(".") else { throw fail("hanging accessor on token '\(text)'", start) }
                        kind = .accessor(text)
                    } else {
                        // Argo's shouldExecute() turns govaluate VARIABLE tokens into string literals.
                        kind = .string(text)
                    }
                }
                tokens.append(GovaluateToken(kind: kind, offset: start))
            } else if scalar == "'" || scalar == "\"" {
                index += 1
                var text = ""
                var closed = false
                while index < scalars.count {
                    if scalars[index] == "\\", index + 1 < scalars.count {
                        text.unicodeScalars.append(scalars[index + 1])
                        index += 2
                        continue
                    }
                    // govaluate ends a string at either quote character.
                    if scalars[index] == "'" || scalars[index] == "\"" {
                        closed = true
                        index += 1
                        break
                    }
                    text.unicodeScalars.append(scalars[index])
                    index += 1
                }
                guard closed else { throw fail("unclosed string literal", start) }
                tokens.append(GovaluateToken(kind: .string(text), offset: start))
            } else if scalar == "(" {
                index += 1
                tokens.append(GovaluateToken(kind: .open, offset: start))
            } else if scalar == ")" {
                index += 1
                tokens.append(GovaluateToken(kind: .close, offset: start))
            } else {
                var text = ""
                while index < scalars.count, isSymbolCharacter(scalars[index]) {
                    text.unicodeScalars.append(scalars[index])
                    index += 1
                }
                if expectsValue(), ["-", "!", "~"].contains(text) {
                    tokens.append(GovaluateToken(kind: .prefix(text), offset: start))
                } else if binarySymbols.contains(text) {
                    tokens.append(GovaluateToken(kind: .symbol(text), offset: start))
                } else {
                    throw fail("invalid token '\(text)'", start)
                }
            }
        }
        tokens.append(GovaluateToken(kind: .end, offset: scalars.count))
        return tokens
    }

    private static func isNumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("0"..."9").contains(scalar) || scalar == "."
    }

    private static func isVariableName(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isAlphabetic || scalar.properties.numericType == .decimal || scalar == "_" || scalar == "."
    }

    private static func isSymbolCharacter(_ scalar: Unicode.Scalar) -> Bool {
        !(scalar.properties.isWhitespace || scalar.properties.isAlphabetic || scalar.properties.numericType == .decimal
            || ["(", ")", "[", "]", "'", "\""].contains(scalar))
    }
}

// MARK: - Parser

indirect enum GovaluateNode {
    case value(ExpressionValue)
    case accessor(String)
    case list([GovaluateNode])
    case prefix(String, GovaluateNode)
    case binary(String, GovaluateNode, GovaluateNode)
}

struct GovaluateParser {
    let tokens: [GovaluateToken]
    let source: String
    var position = 0
    /// How deep the tree built so far nests (parentheses, prefixes, chained operators); at most `maxDepth`.
    private var depth = 0
    private let maxDepth: Int

    init(tokens: [GovaluateToken], source: String, maxDepth: Int = InputLimits.current.expressionDepth) {
        self.tokens = tokens
        self.source = source
        self.maxDepth = maxDepth
    }

    /// Enters one more level of nesting, refusing past `maxDepth` so that neither parsing nor evaluating the tree
    /// can exhaust the stack. The caller lowers `depth` again when it leaves the level.
    private mutating func enter() throws(ExpressionError) {
        depth += 1
        guard depth <= maxDepth else { throw .tooDeep(limit: maxDepth, offset: current.offset, source: source) }
    }

    private var current: GovaluateToken { tokens[position] }

    private func fail(_ reason: String) -> ExpressionError {
        .syntax(reason: reason, offset: current.offset, source: source)
    }

    private func describe(_ token: GovaluateToken) -> String {
        switch token.kind {
        case .number(let value): "number \(ExpressionValue.format(number: value))"
        case .string(let value): "'\(value)'"
        case .bool(let value): "\(value)"
        case .accessor(let name): "'\(name)'"
        case .symbol(let symbol), .prefix(let symbol): "'\(symbol)'"
        case .open: "'('"
        case .close: "')'"
        case .comma: "','"
        case .end: "end of expression"
        }
    }

    mutating func parseExpression() throws(ExpressionError) -> GovaluateNode {
        guard current.kind != .end else { throw fail("empty expression") }
        let node = try parseSeparated()
        guard current.kind == .end else { throw fail("expected an operator, found \(describe(current))") }
        return node
    }

    private mutating func parseSeparated() throws(ExpressionError) -> GovaluateNode {
        let first = try parseBinary(level: 0)
        guard current.kind == .comma else { return first }
        var items = [first]
        while current.kind == .comma {
            position += 1
            items.append(try parseBinary(level: 0))
        }
        return .list(items)
    }

    /// Binary operator levels from loosest to tightest, as govaluate's stage planner orders them.
    private static let levels: [Set<String>] = [
        ["?", ":", "??"], ["||"], ["&&"], ["==", "!=", ">", ">=", "<", "<=", "=~", "!~", "in"],
        ["&", "|", "^"], ["<<", ">>"], ["+", "-"], ["*", "/", "%"], ["**"],
    ]

    private mutating func parseBinary(level: Int) throws(ExpressionError) -> GovaluateNode {
        guard level < Self.levels.count else { return try parsePrefix() }
        var left = try parseBinary(level: level + 1)
        let outer = depth
        defer { depth = outer }
        while case .symbol(let symbol) = current.kind, Self.levels[level].contains(symbol) {
            try enter()
            position += 1
            let right = try parseBinary(level: level + 1)
            left = .binary(symbol, left, right)
        }
        return left
    }

    private mutating func parsePrefix() throws(ExpressionError) -> GovaluateNode {
        if case .prefix(let symbol) = current.kind {
            try enter()
            defer { depth -= 1 }
            position += 1
            return .prefix(symbol, try parsePrefix())
        }
        return try parseValue()
    }

    private mutating func parseValue() throws(ExpressionError) -> GovaluateNode {
        let token = current
        let node: GovaluateNode
        switch token.kind {
        case .number(let value): node = .value(.number(value))
        case .string(let value): node = .value(.string(value))
        case .bool(let value): node = .value(.bool(value))
        case .accessor(let name): node = .accessor(name)
        case .open:
            try enter()
            defer { depth -= 1 }
            position += 1
            guard current.kind != .close else { throw fail("expected a value, found ')'") }
            let inner = try parseSeparated()
            guard current.kind == .close else {
                throw current.kind == .end
                    ? fail("unbalanced parenthesis") : fail("expected ')', found \(describe(current))")
            }
            position += 1
            return inner
        default:
            throw fail("expected a value, found \(describe(token))")
        }
        position += 1
        return node
    }
}

// MARK: - Evaluation

extension GovaluateNode {
    func evaluate() throws(ExpressionError) -> ExpressionValue {
        switch self {
        case .value(let value):
            return value
        case .accessor(let name):
            throw .unknownVariable(name: name)
        case .list(let items):
            var values: [ExpressionValue] = []
            for item in items { values.append(try item.evaluate()) }
            return .list(values)
        case .prefix(let symbol, let operand):
            let value = try operand.evaluate()
            switch (symbol, value) {
            case ("-", .number(let number)): return .number(-number)
            case ("!", .bool(let flag)): return .bool(!flag)
            case ("~", .number(let number)): return .number(Double(~Int64(clamping: number)))
            default: throw .typeMismatch(operator: symbol, lhs: value, rhs: nil)
            }
        case .binary(let symbol, let lhs, let rhs):
            return try Self.evaluateBinary(symbol, lhs, rhs)
        }
    }

    private static func evaluateBinary(
        _ symbol: String, _ lhs: GovaluateNode, _ rhs: GovaluateNode
    ) throws(ExpressionError) -> ExpressionValue {
        let left = try lhs.evaluate()
        // Short-circuiting operators evaluate the right side only when needed.
        switch symbol {
        case "&&", "||":
            guard case .bool(let flag) = left else { throw .typeMismatch(operator: symbol, lhs: left, rhs: nil) }
            if flag == (symbol == "||") { return .bool(flag) }
            let right = try rhs.evaluate()
            guard case .bool(let other) = right else { throw .typeMismatch(operator: symbol, lhs: right, rhs: nil) }
            return .bool(other)
        case "?":
            guard case .bool(let flag) = left else { throw .typeMismatch(operator: symbol, lhs: left, rhs: nil) }
            return flag ? try rhs.evaluate() : .null
        case ":", "??":
            return left == .null ? try rhs.evaluate() : left
        default:
            break
        }
        let right = try rhs.evaluate()
        switch symbol {
        case "==": return .bool(left == right)
        case "!=": return .bool(left != right)
        case "<", "<=", ">", ">=":
            let order: Int
            switch (left, right) {
            case (.number(let a), .number(let b)): order = a < b ? -1 : (a > b ? 1 : 0)
            case (.string(let a), .string(let b)):
                order = a == b ? 0 : (Array(a.utf8).lexicographicallyPrecedes(b.utf8) ? -1 : 1)
            default: throw .typeMismatch(operator: symbol, lhs: left, rhs: right)
            }
            if case .number(let a) = left, case .number(let b) = right, a.isNaN || b.isNaN { return .bool(false) }
            switch symbol {
            case "<": return .bool(order < 0)
            case "<=": return .bool(order <= 0)
            case ">": return .bool(order > 0)
            default: return .bool(order >= 0)
            }
        case "=~", "!~":
            guard case .string(let text) = left, case .string(let pattern) = right else {
                throw .typeMismatch(operator: symbol, lhs: left, rhs: right)
            }
            let matched = try RegexCache.matches(text, pattern: pattern)
            return .bool(symbol == "=~" ? matched : !matched)
        case "in":
            guard case .list(let items) = right else { throw .typeMismatch(operator: symbol, lhs: left, rhs: right) }
            return .bool(items.contains(left))
        case "+":
            switch (left, right) {
            case (.number(let a), .number(let b)): return .number(a + b)
            case (.string, _), (_, .string): return .string(goFormat(left) + goFormat(right))
            default: throw .typeMismatch(operator: symbol, lhs: left, rhs: right)
            }
        default:
            guard case .number(let a) = left, case .number(let b) = right else {
                throw .typeMismatch(operator: symbol, lhs: left, rhs: right)
            }
            switch symbol {
            case "-": return .number(a - b)
            case "*": return .number(a * b)
            case "/": return .number(a / b)
            case "%": return .number(fmod(a, b))
            case "**": return .number(pow(a, b))
            case "&": return .number(Double(Int64(clamping: a) & Int64(clamping: b)))
            case "|": return .number(Double(Int64(clamping: a) | Int64(clamping: b)))
            case "^": return .number(Double(Int64(clamping: a) ^ Int64(clamping: b)))
            case "<<": return .number(Double(Int64(clamping: a) << Int64(clamping: b)))
            default: return .number(Double(Int64(clamping: a) >> Int64(clamping: b)))
            }
        }
    }

    /// Go's `%v` rendering of a govaluate value, used by string concatenation.
    private static func goFormat(_ value: ExpressionValue) -> String {
        switch value {
        case .string(let text): text
        case .null: "<nil>"
        default: value.asString
        }
    }
}

extension Int64 {
    /// Converts a Double to Int64 by truncation, saturating at the bounds and mapping NaN to 0.
    init(clamping value: Double) {
        if value.isNaN {
            self = 0
        } else if value >= 9.2e18 {
            self = .max
        } else if value <= -9.2e18 {
            self = .min
        } else {
            self = Int64(value)
        }
    }
}

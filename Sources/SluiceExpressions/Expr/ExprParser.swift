/// Pratt parser for expr-lang, following expr's operator table (precedence and associativity).
struct ExprParser {
    private struct Operator {
        var precedence: Int
        var rightAssociative = false
    }

    private static let binary: [String: Operator] = [
        "or": Operator(precedence: 10), "||": Operator(precedence: 10),
        "and": Operator(precedence: 15), "&&": Operator(precedence: 15),
        "==": Operator(precedence: 20), "!=": Operator(precedence: 20), "<": Operator(precedence: 20),
        ">": Operator(precedence: 20), ">=": Operator(precedence: 20), "<=": Operator(precedence: 20),
        "in": Operator(precedence: 20), "matches": Operator(precedence: 20), "contains": Operator(precedence: 20),
        "startsWith": Operator(precedence: 20), "endsWith": Operator(precedence: 20),
        "..": Operator(precedence: 25),
        "+": Operator(precedence: 30), "-": Operator(precedence: 30),
        "*": Operator(precedence: 60), "/": Operator(precedence: 60), "%": Operator(precedence: 60),
        "**": Operator(precedence: 100, rightAssociative: true), "^": Operator(precedence: 100, rightAssociative: true),
        "??": Operator(precedence: 500),
    ]
    private static let unary: [String: Int] = ["not": 50, "!": 50, "-": 90, "+": 90]
    private static let negatable: Set<String> = ["in", "matches", "contains", "startsWith", "endsWith"]
    private static let comparisons: Set<String> = ["<", ">", "<=", ">="]

    private let tokens: [ExprToken]
    private let source: String
    private var position = 0
    private var closureDepth = 0
    /// How deep the tree built so far nests (sub-expressions, chained operators, postfix accesses); at most
    /// `maxDepth`, so that neither parsing nor evaluating can exhaust the stack.
    private var depth = 0
    private let maxDepth: Int

    init(tokens: [ExprToken], source: String, maxDepth: Int = InputLimits.current.expressionDepth) {
        self.tokens = tokens
        self.source = source
        self.maxDepth = maxDepth
    }

    /// Enters one more level of nesting, refusing past `maxDepth`; the caller restores `depth` when it leaves.
    private mutating func enter() throws(ExpressionError) {
        depth += 1
        guard depth <= maxDepth else { throw .tooDeep(limit: maxDepth, offset: current.offset, source: source) }
    }

    private var current: ExprToken { tokens[position] }

    private func fail(_ reason: String, at token: ExprToken? = nil) -> ExpressionError {
        .syntax(reason: reason, offset: (token ?? current).offset, source: source)
    }

    private func describe(_ token: ExprToken) -> String {
        switch token.kind {
        case .number(let value): "number \(ExpressionValue.format(number: value))"
        case .string(let value): "string '\(value)'"
        case .identifier(let name): "'\(name)'"
        case .pointer(let name): "'#\(name)'"
        case .punctuation(let text): "'\(text)'"
        case .end: "end of expression"
        }
    }

    private mutating func expect(_ punctuation: String) throws(ExpressionError) {
        guard current.isPunctuation(punctuation) else {
            throw fail("expected '\(punctuation)', found \(describe(current))")
        }
        position += 1
    }

    /// The binary operator at the current token, if any (identifiers such as `and`, `in`, `matches` included).
    private var currentOperator: String? {
        switch current.kind {
        case .punctuation(let text): Self.binary[text] != nil ? text : nil
        case .identifier(let name): Self.binary[name] != nil || name == "not" ? name : nil
        default: nil
        }
    }

    mutating func parseProgram() throws(ExpressionError) -> ExprNode {
        guard current.kind != .end else { throw fail("empty expression") }
        let node = try parseExpression(0)
        guard current.kind == .end else { throw fail("unexpected \(describe(current))") }
        return node
    }

    private mutating func parseExpression(_ precedence: Int) throws(ExpressionError) -> ExprNode {
        let outer = depth
        defer { depth = outer }
        try enter()
        var left = try parsePrimary()
        var previous = ""
        while true {
            // `value | f(args)` is `f(value, args)`: expr's pipe, the loosest binary operator.
            if precedence == 0, current.isPunctuation("|") {
                try enter()
                position += 1
                left = try parsePipeCall(left)
                continue
            }
            guard var name = currentOperator else { break }
            try enter()
            let operatorToken = current
            var negate = false
            if name == "not" {
                guard position + 1 < tokens.count, case .identifier(let next) = tokens[position + 1].kind,
                    Self.negatable.contains(next)
                else { throw fail("unexpected 'not'") }
                guard let op = Self.binary[next], op.precedence >= precedence else { break }
                position += 1
                name = next
                negate = true
            }
            guard let op = Self.binary[name], op.precedence >= precedence else { break }
            position += 1
            if previous == "??", name != "??" {
                throw fail("operator '\(name)' and '??' cannot be mixed; wrap either in parentheses", at: operatorToken)
            }
            if Self.comparisons.contains(name) {
                left = try parseComparison(left, name, op.precedence)
            } else {
                let right = try parseExpression(op.rightAssociative ? op.precedence : op.precedence + 1)
                left = .binary(name, left, right)
                if negate { left = .unary("not", left) }
            }
            previous = name
        }
        if precedence == 0 { left = try parseConditional(left) }
        return left
    }

    /// `a < b < c` means `a < b && b < c`, as in expr.
    private mutating func parseComparison(
        _ left: ExprNode, _ name: String, _ precedence: Int
    ) throws(ExpressionError) -> ExprNode {
        var lhs = left
        var op = name
        var result: ExprNode?
        let outer = depth
        defer { depth = outer }
        while true {
            try enter()
            let rhs = try parseExpression(precedence + 1)
            let comparison = ExprNode.binary(op, lhs, rhs)
            result = result.map { .binary("&&", $0, comparison) } ?? comparison
            guard case .punctuation(let next) = current.kind, Self.comparisons.contains(next) else { break }
            position += 1
            lhs = rhs
            op = next
        }
        return result ?? left
    }

    private mutating func parseConditional(_ condition: ExprNode) throws(ExpressionError) -> ExprNode {
        guard current.isPunctuation("?") else { return condition }
        position += 1
        let then = try parseExpression(0)
        try expect(":")
        let otherwise = try parseExpression(0)
        return .conditional(condition, then, otherwise)
    }

    private mutating func parsePrimary() throws(ExpressionError) -> ExprNode {
        let token = current
        let unaryName: String?
        switch token.kind {
        case .punctuation(let text) where Self.unary[text] != nil: unaryName = text
        case .identifier("not"): unaryName = "not"
        default: unaryName = nil
        }
        if let unaryName, let precedence = Self.unary[unaryName] {
            position += 1
            let operand = try parseExpression(precedence)
            if unaryName == "-", case .literal(.number(let value)) = operand { return .literal(.number(-value)) }
            return try parsePostfix(.unary(unaryName == "!" ? "not" : unaryName, operand))
        }
        if token.isPunctuation("(") {
            position += 1
            let inner = try parseExpression(0)
            try expect(")")
            return try parsePostfix(inner)
        }
        return try parsePostfix(try parseSecondary())
    }

    private mutating func parseSecondary() throws(ExpressionError) -> ExprNode {
        let token = current
        switch token.kind {
        case .number(let value):
            position += 1
            return .literal(.number(value))
        case .string(let value):
            position += 1
            return .literal(.string(value))
        case .pointer(let name):
            guard closureDepth > 0 else { throw fail("cannot use '#\(name)' outside a closure") }
            position += 1
            return .pointer(name)
        case .identifier(let name):
            position += 1
            switch name {
            case "true": return .literal(.bool(true))
            case "false": return .literal(.bool(false))
            case "nil": return .literal(.null)
            default: break
            }
            if current.isPunctuation("(") {
                return try parseCall(name, at: token)
            }
            if name == "sprig", current.isPunctuation("."), position + 2 < tokens.count,
                case .identifier(let function) = tokens[position + 1].kind, tokens[position + 2].isPunctuation("(")
            {
                position += 2
                guard ExprFunctions.sprigNames.contains(function) else {
                    throw fail("unknown function 'sprig.\(function)'", at: token)
                }
                return .sprig(function, try parseArguments())
            }
            return .path([name])
        case .punctuation("["):
            position += 1
            var items: [ExprNode] = []
            while !current.isPunctuation("]") {
                items.append(try parseExpression(0))
                guard current.isPunctuation(",") else { break }
                position += 1
            }
            try expect("]")
            return .list(items)
        case .punctuation("{"):
            return try parseMapLiteral()
        case .punctuation("."):
            // `.name` inside a closure is `#.name`.
            guard closureDepth > 0 else { throw fail("unexpected '.'") }
            position += 1
            guard case .identifier(let name) = current.kind else { throw fail("expected a field name after '.'") }
            position += 1
            return .member(.pointer(""), .literal(.string(name)), optional: false)
        default:
            throw fail(token.kind == .end ? "unexpected end of expression" : "unexpected \(describe(token))")
        }
    }

    private mutating func parseMapLiteral() throws(ExpressionError) -> ExprNode {
        try expect("{")
        var entries: [ExprMapEntry] = []
        while !current.isPunctuation("}") {
            let key: ExprNode
            switch current.kind {
            case .identifier(let name):
                position += 1
                key = .literal(.string(name))
            case .string(let text):
                position += 1
                key = .literal(.string(text))
            case .number(let value):
                position += 1
                key = .literal(.string(ExpressionValue.format(number: value)))
            case .punctuation("("):
                position += 1
                key = try parseExpression(0)
                try expect(")")
            default:
                throw fail("expected a map key, found \(describe(current))")
            }
            try expect(":")
            entries.append(ExprMapEntry(key: key, value: try parseExpression(0)))
            guard current.isPunctuation(",") else { break }
            position += 1
        }
        try expect("}")
        return .map(entries)
    }

    private mutating func parseArguments() throws(ExpressionError) -> [ExprNode] {
        try expect("(")
        var arguments: [ExprNode] = []
        while !current.isPunctuation(")") {
            arguments.append(try parseExpression(0))
            guard current.isPunctuation(",") else { break }
            position += 1
        }
        try expect(")")
        return arguments
    }

    private mutating func parseCall(_ name: String, at token: ExprToken) throws(ExpressionError) -> ExprNode {
        if ExprFunctions.closureNames.contains(name) {
            try expect("(")
            var arguments = [try parseExpression(0)]
            if name == "sum", current.isPunctuation(")") {
                position += 1
                return .call(name, arguments)
            }
            try expect(",")
            arguments.append(try parseClosure())
            while current.isPunctuation(",") {
                position += 1
                if current.isPunctuation(")") { break }
                arguments.append(try parseExpression(0))
            }
            try expect(")")
            return .call(name, arguments)
        }
        guard ExprFunctions.names.contains(name) else { throw fail("unknown function '\(name)'", at: token) }
        return .call(name, try parseArguments())
    }

    /// The call after a pipe, `name(args)` or `name`, with `first` as its first argument.
    private mutating func parsePipeCall(_ first: ExprNode) throws(ExpressionError) -> ExprNode {
        let token = current
        guard case .identifier(let name) = token.kind else {
            throw fail("expected a function name after '|', found \(describe(token))")
        }
        position += 1
        guard ExprFunctions.names.contains(name) || ExprFunctions.closureNames.contains(name) else {
            throw fail("unknown function '\(name)'", at: token)
        }
        guard current.isPunctuation("(") else { return .call(name, [first]) }
        guard ExprFunctions.closureNames.contains(name) else { return .call(name, [first] + (try parseArguments())) }
        try expect("(")
        if current.isPunctuation(")") {
            position += 1
            return .call(name, [first])
        }
        var arguments = [first, try parseClosure()]
        while current.isPunctuation(",") {
            position += 1
            if current.isPunctuation(")") { break }
            arguments.append(try parseExpression(0))
        }
        try expect(")")
        return .call(name, arguments)
    }

    /// A predicate argument: `{ # > 1 }` or, as expr also accepts, a bare expression using `#`.
    private mutating func parseClosure() throws(ExpressionError) -> ExprNode {
        closureDepth += 1
        defer { closureDepth -= 1 }
        if current.isPunctuation("{") {
            // `{a: 1}` would be a map literal; a closure body starts with anything but `key:`.
            let isMap: Bool
            if position + 2 < tokens.count, tokens[position + 2].isPunctuation(":") {
                switch tokens[position + 1].kind {
                case .identifier, .string: isMap = true
                default: isMap = false
                }
            } else {
                isMap = tokens.count > position + 1 && tokens[position + 1].isPunctuation("}")
            }
            if !isMap {
                position += 1
                let body = try parseExpression(0)
                try expect("}")
                return .closure(body)
            }
        }
        return .closure(try parseExpression(0))
    }

    private mutating func parsePostfix(_ base: ExprNode) throws(ExpressionError) -> ExprNode {
        var node = base
        let outer = depth
        defer { depth = outer }
        while true {
            if current.isPunctuation(".") || current.isPunctuation("?.") {
                try enter()
                let optional = current.isPunctuation("?.")
                position += 1
                if optional, current.isPunctuation("[") {
                    position += 1
                    let key = try parseExpression(0)
                    try expect("]")
                    node = .member(node, key, optional: true)
                    continue
                }
                guard case .identifier(let name) = current.kind else {
                    throw fail("expected a field name, found \(describe(current))")
                }
                position += 1
                if current.isPunctuation("(") {
                    throw fail("unknown method '\(name)'", at: tokens[position - 1])
                }
                if !optional, case .path(let parts) = node {
                    node = .path(parts + [name])
                } else {
                    node = .member(node, .literal(.string(name)), optional: optional)
                }
            } else if current.isPunctuation("[") {
                try enter()
                position += 1
                if current.isPunctuation(":") {
                    position += 1
                    let to = current.isPunctuation("]") ? nil : try parseExpression(0)
                    try expect("]")
                    node = .slice(node, from: nil, to: to)
                    continue
                }
                let key = try parseExpression(0)
                if current.isPunctuation(":") {
                    position += 1
                    let to = current.isPunctuation("]") ? nil : try parseExpression(0)
                    try expect("]")
                    node = .slice(node, from: key, to: to)
                    continue
                }
                try expect("]")
                if case .path(let parts) = node, case .literal(.string(let name)) = key {
                    node = .path(parts + [name])
                } else {
                    node = .member(node, key, optional: false)
                }
            } else {
                return node
            }
        }
    }
}

/// Argo's DAG `depends:` logic, e.g. `(A.Succeeded || B.Failed) && !C.Skipped`, `A && B`, `A.AnySucceeded`.
///
/// Operands are task names (letters, digits, `-`, `_`; Argo's regex is `[a-zA-Z0-9][-a-zA-Z0-9]*`) optionally
/// followed by `.Succeeded`, `.Failed`, `.Errored`, `.Skipped`, `.Omitted`, `.Daemoned`, `.AnySucceeded` or
/// `.AllFailed`; operators are `&&`, `||`, `!` and parentheses (`!` binds tightest, then `&&`, then `||`).
/// A bare name `A` means `(A.Succeeded || A.Skipped || A.Daemoned)`, widened by `continueOn` (see
/// `DependsContinueOn`). When the expression is false Argo marks the task Omitted with the message
/// "omitted: depends condition not met".
package struct DependsExpression: Sendable, Equatable {
    /// The task results Argo defines, by their spelling in `depends`.
    package static let resultNames = [
        "Succeeded", "Failed", "Errored", "Skipped", "Omitted", "Daemoned", "AnySucceeded", "AllFailed",
    ]

    indirect enum Node: Sendable, Equatable {
        /// An empty `dependencies:` list.
        case always
        case task(String, result: String?)
        case not(Node)
        case and(Node, Node)
        case or(Node, Node)
    }

    let root: Node

    /// Task names in order of first appearance, deduplicated, spelled as in the source (with `-`).
    package let taskNames: [String]

    /// Parses a `depends:` string.
    ///
    /// - Throws: `ExpressionError.syntax` with the offset of the problem, or `.invalidTaskResult` for an unknown
    ///   result such as `A.Success` (Argo's message: "task result 'Success' for task 'A' is invalid").
    package init(parsing source: String, maxDepth: Int = InputLimits.current.expressionDepth) throws(ExpressionError) {
        var parser = Parser(scalars: Array(source.unicodeScalars), source: source, maxDepth: maxDepth)
        root = try parser.parse()
        taskNames = parser.names
    }

    /// `dependencies: [a, b]`, which Argo treats as `depends: "a && b"`.
    ///
    /// An empty list yields an expression that is always true.
    package init(dependencies: [String]) {
        var seen: Set<String> = []
        taskNames = dependencies.filter { seen.insert($0).inserted }
        let operands = dependencies.map { Node.task($0, result: nil) }
        if operands.count <= 64 {
            // As `depends: "a && b && c"` parses (left to right), so both spellings compare equal.
            root = operands.reduce(nil) { partial, next -> Node? in partial.map { .and($0, next) } ?? next } ?? .always
        } else {
            root = Self.balancedConjunction(operands[...]) ?? .always
        }
    }

    /// `a && b && …` as a balanced tree, so that a fan-in of thousands of dependencies nests only a few levels
    /// (evaluating and freeing a chain of thousands would recurse as deep).
    private static func balancedConjunction(_ nodes: ArraySlice<Node>) -> Node? {
        switch nodes.count {
        case 0: return nil
        case 1: return nodes.first
        default:
            let middle = nodes.startIndex + nodes.count / 2
            guard let left = balancedConjunction(nodes[..<middle]), let right = balancedConjunction(nodes[middle...])
            else { return nil }
            return .and(left, right)
        }
    }

    /// Evaluates the expression with each task's results (called with names as spelled in `taskNames`).
    package func evaluate(_ results: (String) -> TaskResults) -> Bool {
        evaluate(results, continueOn: { _ in DependsContinueOn() })
    }

    /// Evaluates the expression, widening bare task names by each dependency's `continueOn`.
    package func evaluate(
        _ results: (String) -> TaskResults, continueOn: (String) -> DependsContinueOn
    ) -> Bool {
        func evaluate(_ node: Node) -> Bool {
            switch node {
            case .always: return true
            case .task(let name, let result):
                let value = results(name)
                switch result {
                case nil:
                    let settings = continueOn(name)
                    return value.succeeded || value.skipped || value.daemoned || (settings.error && value.errored)
                        || (settings.failed && value.failed)
                case "Succeeded": return value.succeeded
                case "Failed": return value.failed
                case "Errored": return value.errored
                case "Skipped": return value.skipped
                case "Omitted": return value.omitted
                case "Daemoned": return value.daemoned
                case "AnySucceeded": return value.anySucceeded
                default: return value.allFailed
                }
            case .not(let inner): return !evaluate(inner)
            case .and(let lhs, let rhs): return evaluate(lhs) && evaluate(rhs)
            case .or(let lhs, let rhs): return evaluate(lhs) || evaluate(rhs)
            }
        }
        return evaluate(root)
    }

    // MARK: - Parsing

    private struct Parser {
        let scalars: [Unicode.Scalar]
        let source: String
        var position = 0
        var names: [String] = []
        private var seen: Set<String> = []
        /// How deep the tree built so far nests; at most `maxDepth`, so that parsing, evaluating and freeing it
        /// cannot exhaust the stack.
        private var depth = 0
        private let maxDepth: Int

        init(scalars: [Unicode.Scalar], source: String, maxDepth: Int) {
            self.scalars = scalars
            self.source = source
            self.maxDepth = maxDepth
        }

        /// Enters one more level of nesting; the caller restores `depth` when it leaves.
        private mutating func enter() throws(ExpressionError) {
            depth += 1
            guard depth <= maxDepth else { throw .tooDeep(limit: maxDepth, offset: position, source: source) }
        }

        private func fail(_ reason: String, at offset: Int? = nil) -> ExpressionError {
            .syntax(reason: reason, offset: offset ?? position, source: source)
        }

        private mutating func skipSpace() {
            while position < scalars.count, scalars[position].properties.isWhitespace { position += 1 }
        }

        private mutating func consume(_ text: String) -> Bool {
            skipSpace()
            let expected = Array(text.unicodeScalars)
            guard position + expected.count <= scalars.count,
                Array(scalars[position..<position + expected.count]) == expected
            else { return false }
            position += expected.count
            return true
        }

        mutating func parse() throws(ExpressionError) -> Node {
            skipSpace()
            guard position < scalars.count else { throw fail("empty depends expression") }
            let node = try parseOr()
            skipSpace()
            guard position == scalars.count else { throw fail("unexpected '\(scalars[position])'") }
            return node
        }

        private mutating func parseOr() throws(ExpressionError) -> Node {
            let outer = depth
            defer { depth = outer }
            var node = try parseAnd()
            while consume("||") {
                try enter()
                node = .or(node, try parseAnd())
            }
            return node
        }

        private mutating func parseAnd() throws(ExpressionError) -> Node {
            let outer = depth
            defer { depth = outer }
            var node = try parseUnary()
            while consume("&&") {
                try enter()
                node = .and(node, try parseUnary())
            }
            return node
        }

        private mutating func parseUnary() throws(ExpressionError) -> Node {
            skipSpace()
            let outer = depth
            defer { depth = outer }
            try enter()
            if position < scalars.count, scalars[position] == "!" {
                position += 1
                return .not(try parseUnary())
            }
            if consume("(") {
                let inner = try parseOr()
                guard consume(")") else {
                    throw fail(position < scalars.count ? "expected ')', found '\(scalars[position])'" : "missing ')'")
                }
                return inner
            }
            return try parseOperand()
        }

        private func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
            scalar.isASCII
                && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "-"
                    || scalar == "_")
        }

        private mutating func parseOperand() throws(ExpressionError) -> Node {
            skipSpace()
            guard position < scalars.count else { throw fail("expected a task name, found end of expression") }
            guard isNameScalar(scalars[position]), scalars[position] != "-" else {
                throw fail("expected a task name, found '\(scalars[position])'")
            }
            var name = ""
            while position < scalars.count, isNameScalar(scalars[position]) {
                name.unicodeScalars.append(scalars[position])
                position += 1
            }
            var result: String?
            if position < scalars.count, scalars[position] == "." {
                position += 1
                var text = ""
                while position < scalars.count, scalars[position].isASCII, scalars[position].properties.isAlphabetic {
                    text.unicodeScalars.append(scalars[position])
                    position += 1
                }
                guard DependsExpression.resultNames.contains(text) else {
                    if text.isEmpty { throw fail("expected a task result after '\(name).'") }
                    throw .invalidTaskResult(task: name, result: text)
                }
                result = text
            }
            if seen.insert(name).inserted { names.append(name) }
            return .task(name, result: result)
        }
    }
}

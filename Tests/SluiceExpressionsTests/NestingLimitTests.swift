import SluiceExpressions
import Testing

/// Deep nesting fails cleanly with the depth and offset (issue 16: stack overflows from depth ~1,000 in `when`,
/// ~5,000 in `{{= }}` and `depends`), and nesting within the limit still works.
@Suite("Expression nesting limits")
struct NestingLimitTests {
    private static func parenthesized(_ inner: String, depth: Int) -> String {
        String(repeating: "(", count: depth) + inner + String(repeating: ")", count: depth)
    }

    @Test("govaluate refuses parentheses past the limit, at any depth", arguments: [257, 5_000, 200_000])
    func govaluateTooDeep(depth: Int) {
        let source = Self.parenthesized("1 == 1", depth: depth)
        #expect(throws: ExpressionError.tooDeep(limit: 256, offset: 256, source: source)) {
            try GovaluateExpression.evaluateBool(source)
        }
    }

    @Test("govaluate evaluates nesting up to the limit")
    func govaluateWithin() throws {
        #expect(try GovaluateExpression.evaluateBool(Self.parenthesized("1 == 1", depth: 250)))
        let chain = Array(repeating: "1", count: 200).joined(separator: " + ") + " == 200"
        #expect(try GovaluateExpression.evaluateBool(chain))
    }

    @Test("a long operator chain counts as nesting")
    func govaluateChain() {
        let chain = Array(repeating: "1", count: 100_000).joined(separator: " + ")
        #expect(throws: ExpressionError.tooDeep(limit: 256, offset: 1026, source: chain)) {
            try GovaluateExpression.evaluate(chain)
        }
    }

    @Test(
        "expr refuses nesting past the limit",
        arguments: [
            String(repeating: "(", count: 5_000) + "1" + String(repeating: ")", count: 5_000),
            String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000),
            String(repeating: "-", count: 5_000) + "1",
            Array(repeating: "a", count: 5_000).joined(separator: " ?? "),
        ])
    func exprTooDeep(source: String) {
        #expect(throws: ExpressionError.self) { try ExprProgram(parsing: source) }
        do {
            _ = try ExprProgram(parsing: source)
        } catch {
            #expect(error.isTooDeep, "\(error)")
        }
    }

    @Test("expr evaluates nesting within the limit")
    func exprWithin() throws {
        let program = try ExprProgram(parsing: Self.parenthesized("1 + 1", depth: 100))
        #expect(try program.evaluate(ExprScope(variables: [:])) == .number(2))
    }

    @Test("depends refuses nesting past the limit with its offset")
    func dependsTooDeep() {
        let source = Self.parenthesized("a", depth: 6_000)
        #expect(throws: ExpressionError.tooDeep(limit: 256, offset: 256, source: source)) {
            try DependsExpression(parsing: source)
        }
        #expect(
            ExpressionError.tooDeep(limit: 256, offset: 256, source: source).description
                == "nested deeper than 256 levels at offset 256 of 12001 characters: raise the limit with --limit "
                + "expression-depth=N")
    }

    @Test("a fan-in of many dependencies evaluates without deep recursion")
    func wideDependencies() {
        let names = (0..<100_000).map { "t\($0)" }
        let expression = DependsExpression(dependencies: names)
        #expect(expression.evaluate { _ in TaskResults(succeeded: true) })
    }
}

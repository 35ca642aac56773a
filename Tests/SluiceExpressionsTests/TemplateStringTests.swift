import Testing

@testable import SluiceExpressions

@Suite("TemplateString")
struct TemplateStringTests {
    @Test("splits literals, variables and expressions, trimming whitespace inside braces")
    func parts() throws {
        let template = try TemplateString(parsing: "echo {{ inputs.parameters.x }}-{{=asInt(a) + 1}}!{{steps.s.id}}")
        #expect(
            template.parts == [
                .literal("echo "), .variable(name: "inputs.parameters.x"), .literal("-"),
                .expression("asInt(a) + 1"), .literal("!"), .variable(name: "steps.s.id"),
            ])
        #expect(template.hasPlaceholders)
    }

    @Test("treats text without placeholders as one literal")
    func plain() throws {
        let template = try TemplateString(parsing: "just { text } here")
        #expect(template.parts == [.literal("just { text } here")])
        #expect(!template.hasPlaceholders)
        #expect(try TemplateString(parsing: "").parts.isEmpty)
    }

    @Test(
        "reports an unterminated placeholder with its offset",
        arguments: [
            (
                "echo {{inputs.parameters.x",
                "unterminated '{{' at offset 5 in 'echo {{inputs.parameters.x': missing '}}'"
            ),
            ("{{a}} and {{b", "unterminated '{{' at offset 10 in '{{a}} and {{b': missing '}}'"),
            ("{{a}", "unterminated '{{' at offset 0 in '{{a}': missing '}}'"),
        ])
    func unterminated(source: String, message: String) {
        #expect {
            _ = try TemplateString(parsing: source)
        } throws: { error in
            "\(error)" == message
        }
    }

    @Test("renders with resolvers, keeping or rejecting unknown names by strictness")
    func render() throws {
        let template = try TemplateString(parsing: "{{a}}+{{ missing }}={{= 1 + 2 }}")
        let variables = ["a": "1"]
        let evaluate: (String) throws(ExpressionError) -> String = { source throws(ExpressionError) in
            try ExprProgram(parsing: source).evaluate(ExprScope(variables: [:])).asString
        }
        let lenient = try template.render(strict: false, variable: { variables[$0] }, expression: evaluate)
        #expect(lenient == "1+{{missing}}=3")
        #expect(throws: ExpressionError.unresolvedPlaceholder(name: "missing")) {
            try template.render(strict: true, variable: { variables[$0] }, expression: evaluate)
        }
        #expect("\(ExpressionError.unresolvedPlaceholder(name: "missing"))" == "unresolved placeholder '{{missing}}'")
    }
}

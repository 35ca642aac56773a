import SluiceSpec
import Testing

@Suite("SpecPath reads and prints paths the way Argo's docs write them")
struct SpecPathTests {
    @Test(
        "a path string survives a round trip through its components",
        arguments: [
            "spec.entrypoint",
            "metadata.name",
            "spec.templates[0].steps[1][0].template",
            "spec.templates[12].dag.tasks[3].dependencies[0]",
            "spec.arguments.parameters[2].value",
        ]
    )
    func roundTrip(_ text: String) {
        #expect(SpecPath(stringLiteral: text).description == text)
    }

    @Test("a literal parses into keys and indices")
    func components() {
        let path: SpecPath = "spec.templates[0].steps[1][2].template"
        #expect(
            path.components == [
                .key("spec"), .key("templates"), .index(0), .key("steps"), .index(1), .index(2), .key("template"),
            ])
    }

    @Test("building with key and index equals the literal")
    func building() {
        let built = SpecPath().key("spec").key("templates").index(4).key("dag").key("tasks").index(0)
        #expect(built == "spec.templates[4].dag.tasks[0]")
        #expect(built.description == "spec.templates[4].dag.tasks[0]")
    }

    @Test("the root prints as (document) and has no parent")
    func root() {
        #expect(SpecPath().description == "(document)")
        #expect(SpecPath("").components.isEmpty)
        #expect(SpecPath().parent == nil)
    }

    @Test("parent drops the last component")
    func parent() {
        let path: SpecPath = "spec.templates[0].name"
        #expect(path.parent == "spec.templates[0]")
        #expect(path.parent?.parent == "spec.templates")
    }

    @Test("brackets that do not hold a number stay part of the key")
    func nonNumericBrackets() {
        let path: SpecPath = "spec.a[x]"
        #expect(path.components == [.key("spec"), .key("a[x]")])
    }
}

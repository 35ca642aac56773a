import Testing

@testable import SluiceKube

@Suite("Rendered YAML text")
struct RenderedYAMLTests {
    @Test("strings YAML could read as something else are quoted; plain scalars stay as written")
    func quoting() {
        let tree: RenderedYAML = .object([
            "a": .string("true"), "b": .string("3"), "c": .scalar("3", isPlain: true), "d": .string("hello world"),
            "e": .string("{{inputs.parameters.x}}"), "f": .string(""), "g": .scalar("", isPlain: true),
        ])
        #expect(
            tree.text == """
                a: "true"
                b: "3"
                c: 3
                d: hello world
                e: "{{inputs.parameters.x}}"
                f: ""
                g: null

                """)
    }

    @Test("multi-line strings are literal blocks with the chomping that reads them back")
    func literalBlocks() {
        let tree: RenderedYAML = .object([
            "keep": .sequence([.string("echo a\necho b\n")]), "strip": .string("a\nb"), "more": .string("a\n\n"),
            "indented": .string(" a\nb"),
        ])
        #expect(
            tree.text == """
                keep:
                  - |
                    echo a
                    echo b
                strip: |-
                  a
                  b
                more: |+
                  a

                indented: " a\\nb"

                """)
    }
}

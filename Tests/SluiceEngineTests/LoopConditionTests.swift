import Foundation
import SluiceEngine
import SluiceSpec
import SluiceStore
import Testing

/// A loop's `when` is evaluated per iteration, with `item` in scope, as Argo does.
@Suite("Loop iterations with when", .timeLimit(.minutes(2)))
struct LoopConditionTests {
    @Test("an iteration whose when is false is Skipped with Argo's message; the others run; a malformed one errors")
    func perIterationWhen() async throws {
        let yaml = """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata: {name: loop-when}
            spec:
              entrypoint: main
              templates:
              - name: main
                steps:
                - - name: each
                    template: echo
                    arguments: {parameters: [{name: word, value: "{{item}}"}]}
                    withItems: [a, b, c]
                    when: "'{{item}}' != 'b'"
              - name: echo
                inputs: {parameters: [{name: word}]}
                container: {image: alpine, command: [echo, "{{inputs.parameters.word}}"]}
            """
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(yaml, in: directory)
            #expect(run.summary.phase == .succeeded, "\(run.summary.message ?? "")")
            #expect(try run.node("each(0:a)").phase == .succeeded)
            #expect(try run.result("each(0:a)") == "a")
            let skipped = try run.node("each(1:b)")
            #expect(skipped.phase == .skipped)
            #expect(skipped.message == "when ''b' != 'b'' evaluated false")
            #expect(try run.result("each(2:c)") == "c")
        }
    }
}

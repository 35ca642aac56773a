import SluiceEngine
import SluiceRuntimes
import SluiceSpec
import Testing

/// One list of runtime names: what `--runtime`, the `sluice.dev/runtime` annotation and a run's runtime choice
/// accept are the same kinds, each served by a runtime of that kind.
@Suite("Runtime registry")
struct RuntimeRegistryTests {
    @Test("the annotation accepts exactly the runtime kinds, and messages list them in order")
    func annotationNamesTheKinds() {
        #expect(RuntimeAnnotation.values == RuntimeKind.allCases.map(\.rawValue))
        #expect(RuntimeKind.choices == "process, podman or docker")
    }

    @Test("each kind's built-in runtime reports that kind; a run's choice serves unknown names with nothing")
    func builtInsServeTheirKind() {
        let choice = RuntimeChoice(runtime: ProcessRuntime(isolation: .none))
        for kind in RuntimeKind.allCases {
            #expect(kind.builtIn().kind == kind.rawValue)
            #expect(choice.runtime(kind: kind.rawValue)?.kind == kind.rawValue)
        }
        #expect(choice.runtime(kind: "kubernetes") == nil)
        #expect(choice.runtime(kind: "process")?.isolation == Isolation.none, "the run's own runtime serves its kind")
        #expect(RuntimeKind.process.containerEngine == nil)
        #expect(RuntimeKind.podman.containerEngine == .podman)
    }
}

import SluiceExpressions
import SluicePlan
import Testing

/// ``VariableScope/merging(_:)``: the other scope's variables win, whatever it adds, changes or repeats.
struct VariableScopeTests {
    private static func reference(_ digest: String) -> ArtifactReference {
        ArtifactReference(name: "a", kind: .file, digest: digest, storedPath: "/store/\(digest)")
    }

    private static func base() -> VariableScope {
        var scope = VariableScope()
        scope.set("workflow.status", "Running")
        scope.set("tasks.a.outputs.result", "1", provenance: [.argument("x")])
        scope.setArtifact("tasks.a.outputs.artifacts.a", reference("d1"))
        return scope
    }

    @Test func mergingWhatTheScopeAlreadyHoldsChangesNothing() {
        var globals = VariableScope()
        globals.set("workflow.status", "Running")
        let merged = Self.base().merging(globals)
        #expect(merged.values == Self.base().values)
        #expect(merged.artifacts == Self.base().artifacts)
        #expect(Self.base().merging(VariableScope()).values == Self.base().values)
    }

    @Test func theOtherScopeWinsOnChangedValuesProvenanceAndArtifacts() {
        var other = VariableScope()
        other.set("workflow.status", "Failed")
        other.set("tasks.a.outputs.result", "1")
        other.set("workflow.outputs.parameters.p", "v")
        other.markAbsent("tasks.b.outputs.result")
        other.setArtifact("tasks.a.outputs.artifacts.a", Self.reference("d2"))
        let merged = Self.base().merging(other)
        #expect(merged.value("workflow.status")?.text == "Failed")
        #expect(merged.value("tasks.a.outputs.result")?.provenance == [])
        #expect(merged.value("workflow.outputs.parameters.p")?.text == "v")
        #expect(merged.value("tasks.b.outputs.result")?.isAbsent == true)
        #expect(merged.artifacts["tasks.a.outputs.artifacts.a"]?.digest == "d2")
        #expect(merged.values.count == 4)
        #expect(VariableScope().merging(other).values == other.values)
    }
}

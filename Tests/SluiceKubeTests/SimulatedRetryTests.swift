import Foundation
import SluiceKube
import SluiceSpec
import Testing

/// `kube simulate` runs a template's `retryStrategy` as Argo's controller does (pure walk, pods as a table).
@Suite("Simulated retries")
struct SimulatedRetryTests {
    static func workflow(strategy: String) -> String {
        """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {name: rt}
        spec:
          entrypoint: main
          templates:
            - name: main
              steps:
                - - {name: flaky, template: flaky}
            - name: flaky
              retryStrategy: \(strategy)
              container: {image: busybox, command: [sh, -c, "exit {{retries}}"]}
        """
    }

    /// Walks `text`, each pod ending in `phases[attempt]` (the last one repeated).
    static func walk(_ text: String, phases: [WalkPhase]) async throws -> (ArgoWalk, [PodCall], WalkPhase) {
        let loaded = try SpecLoader.load(text: text, file: "wf.yaml", clusterFeatures: true)
        var walk = try ArgoWalk(workflow: RenderedYAML(loaded.documents[0].tree), runID: "run-1")
        var calls: [PodCall] = []
        let phase = try await walk.run { (call: PodCall) async throws(KubeError) -> PodResult in
            let phase = phases[min(calls.count, phases.count - 1)]
            calls.append(call)
            return PodResult(
                phase: phase, message: phase == .succeeded ? nil : "Error (exit code 1)", outputs: PodOutputs())
        }
        return (walk, calls, phase)
    }

    @Test("attempts NAME(0), NAME(1)… under a Retry node, {{retries}} their index, until one succeeds")
    func untilSuccess() async throws {
        let (walk, calls, phase) = try await Self.walk(
            Self.workflow(strategy: "{limit: 3}"), phases: [.failed, .failed, .succeeded])
        #expect(phase == .succeeded)
        #expect(calls.map(\.nodeName) == ["rt[0].flaky(0)", "rt[0].flaky(1)", "rt[0].flaky(2)"])
        #expect(
            calls.map { $0.template["container"]?["command"]?.elements.last?.scalarText } == [
                "exit 0", "exit 1", "exit 2",
            ])
        let retry = try #require(walk.nodes.first { $0.kind == .retry })
        #expect(retry.name == "rt[0].flaky")
        #expect(retry.phase == .succeeded)
        #expect(retry.children == calls.map(\.nodeID))
        #expect(Set(calls.map(\.podName)).count == 3)
    }

    @Test("a spent limit fails the Retry node with Argo's message; OnError does not retry a Failed pod")
    func exhaustedAndPolicy() async throws {
        let (walk, calls, phase) = try await Self.walk(Self.workflow(strategy: "{limit: \"1\"}"), phases: [.failed])
        #expect(phase == .failed)
        #expect(calls.count == 2)
        #expect(walk.nodes.first { $0.kind == .retry }?.message == "No more retries left")

        let (onError, errorCalls, _) = try await Self.walk(
            Self.workflow(strategy: "{limit: 3, retryPolicy: OnError}"), phases: [.failed])
        #expect(errorCalls.count == 1)
        #expect(onError.nodes.first { $0.kind == .retry }?.message == "Error (exit code 1)")
    }

    @Test("a retryStrategy without a limit is refused, naming the node")
    func noLimit() async throws {
        await #expect(
            throws: KubeError.simulation(
                reason: "node 'rt[0].flaky': a retryStrategy without a numeric limit is not simulated")
        ) {
            _ = try await Self.walk(Self.workflow(strategy: "{retryPolicy: Always}"), phases: [.failed])
        }
    }

    /// Pins Argo's assessDAGPhase: any failed task failed the DAG before, even one whose failure a `depends`
    /// consumed (Argo's dag-enhanced-depends example ended Failed instead of Succeeded).
    @Test("a DAG fails by its leaf branches: a failure another task's depends consumes does not fail it")
    func dagPhase() async throws {
        let dag = """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata: {name: dp}
            spec:
              entrypoint: main
              templates:
                - name: main
                  dag:
                    tasks:
                      - {name: c, template: run}
                      - {name: on-failure, template: run, depends: "c.Failed"}
                - name: run
                  container: {image: busybox, command: ["true"]}
            """
        let (_, handled, handledPhase) = try await Self.walk(dag, phases: [.failed, .succeeded])
        #expect(handled.map(\.displayName) == ["c", "on-failure"])
        #expect(handledPhase == .succeeded)
        let unhandled = dag.replacingOccurrences(of: "depends: \"c.Failed\"", with: "depends: \"c.Succeeded\"")
        let (_, calls, phase) = try await Self.walk(unhandled, phases: [.failed, .succeeded])
        #expect(calls.map(\.displayName) == ["c"])  // on-failure is Omitted, and its branch inherits c's failure
        #expect(phase == .failed)
    }
}

import Foundation
import SluiceEngine
import SluiceSpec
import SluiceStore
import Testing

/// `sluice run --target`: only the named tasks of the entrypoint DAG and what they depend on run.
@Suite("DAG targets", .timeLimit(.minutes(2)))
struct TargetsTests {
    static let diamond = """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: targets
        spec:
          entrypoint: main
          templates:
            - name: main
              dag:
                tasks:
                  - {name: A, template: echo}
                  - {name: B, template: echo, depends: A}
                  - {name: C, template: echo, depends: A}
                  - {name: D, template: echo, depends: "B && C"}
                  - {name: E, template: echo, depends: C}
            - name: echo
              container:
                image: alpine
                command: [echo, hi]
        """

    static func run(targets: [String], in directory: String) async throws -> RecordedRun {
        let path = try EngineHarness.write(Self.diamond, in: directory)
        let state = directory + "/state"
        let summary = try await WorkflowEngine().run(
            RunRequest(workflowPath: path, stateDirectory: state, targets: targets))
        let store = try Store(stateDirectory: state)
        let run = try store.run(named: summary.name)
        return RecordedRun(
            directory: directory, stateDirectory: state, summary: summary, store: store, run: run,
            nodes: try store.nodes(runID: run.id))
    }

    @Test(
        "a target runs with its ancestors only; other tasks get no node",
        arguments: [
            (["E"], ["A", "C", "E"]),
            (["B", "E"], ["A", "B", "C", "E"]),
            (["D"], ["A", "B", "C", "D"]),
            ([], ["A", "B", "C", "D", "E"]),
        ])
    func targets(targets: [String], expected: [String]) async throws {
        try await EngineHarness.withDirectory { directory in
            let run = try await Self.run(targets: targets, in: directory)
            #expect(run.summary.phase == .succeeded)
            let tasks = run.nodes.filter { $0.type == .pod }
            #expect(tasks.map(\.displayName).sorted() == expected)
            #expect(tasks.allSatisfy { $0.phase == .succeeded })
        }
    }

    @Test("an unknown target, or a target for an entrypoint that is not a DAG, is refused before anything runs")
    func invalidTargets() async throws {
        try await EngineHarness.withDirectory { directory in
            await #expect(
                throws: EngineError.invalidTarget(
                    target: "X", template: "main", reason: "the dag has no such task (tasks: A, B, C, D, E)")
            ) {
                _ = try await Self.run(targets: ["E", "X"], in: directory)
            }
            let steps = """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata:
                  name: not-a-dag
                spec:
                  entrypoint: echo
                  templates:
                    - name: echo
                      container:
                        image: alpine
                        command: [echo, hi]
                """
            let path = try EngineHarness.write(steps, in: directory, name: "steps.yaml")
            await #expect(
                throws: EngineError.invalidTarget(
                    target: "A,B", template: "echo", reason: "--target needs an entrypoint with a dag")
            ) {
                _ = try await WorkflowEngine().run(
                    RunRequest(workflowPath: path, stateDirectory: directory + "/state", targets: ["A", "B"]))
            }
            let store = try Store(stateDirectory: directory + "/state")
            #expect(try store.runs().isEmpty)
        }
    }
}

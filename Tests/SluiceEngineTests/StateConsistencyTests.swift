import Foundation
import SluiceEngine
import SluiceSpec
import SluiceStore
import Testing

/// The state database after runs that go wrong: nothing for invalid files, terminal phases for broken runs.
@Suite("State consistency", .timeLimit(.minutes(2)))
struct StateConsistencyTests {
    @Test("an invalid workflow file throws invalidWorkflow with its position and records nothing")
    func invalidFileRecordsNothing() async throws {
        try await EngineHarness.withDirectory { directory in
            let yaml = """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata:
                  name: broken
                spec:
                  entrypoint: main
                  templates:
                    - name: main
                      steps:
                        - - name: a
                            template: ecko
                """
            let path = try EngineHarness.write(yaml, in: directory)
            let state = directory + "/state"
            do {
                _ = try await WorkflowEngine().run(RunRequest(workflowPath: path, stateDirectory: state))
                Issue.record("an invalid file ran")
            } catch let error as EngineError {
                guard case .invalidWorkflow(let spec) = error else {
                    Issue.record("expected invalidWorkflow, got \(error)")
                    return
                }
                #expect(spec.description.hasPrefix(path + ":11:"), "\(spec.description)")
                #expect(spec.description.contains("error: unknown template 'ecko'"), "\(spec.description)")
            } catch {
                Issue.record("expected an EngineError, got \(error)")
            }
            let store = try Store(stateDirectory: state)
            #expect(try store.runs().isEmpty)
            #expect(FileManager.default.fileExists(atPath: state + "/runs/broken") == false)
        }
    }

    @Test("a node past its activeDeadlineSeconds is killed, fails with the deadline message, and the run ends Failed")
    func deadline() async throws {
        try await EngineHarness.withDirectory { directory in
            let yaml = """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata:
                  name: deadline
                spec:
                  entrypoint: main
                  templates:
                    - name: main
                      activeDeadlineSeconds: 1
                      container:
                        image: alpine
                        command: [sh, -c, "echo started; sleep 30"]
                """
            let run = try await EngineHarness.run(yaml, in: directory)
            #expect(run.summary.phase == .failed)
            #expect(run.run.phase == .failed)
            let node = try run.node("deadline")
            #expect(node.phase == .failed)
            #expect(node.message == "Step exceeded its deadline (1s): the node's process group was killed")
            let attempt = try #require(try run.store.attempts(runID: run.run.id).first)
            #expect(attempt.outcome == "timeout")
            #expect(try run.outputs("deadline").result == "started")
        }
    }

    @Test("a script template runs its source; its stdout less one trailing newline is outputs.result, as Argo trims it")
    func scriptTemplate() async throws {
        try await EngineHarness.withDirectory { directory in
            let yaml = """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata:
                  name: script
                spec:
                  entrypoint: main
                  arguments:
                    parameters:
                      - {name: n, value: "6"}
                  templates:
                    - name: main
                      script:
                        image: alpine
                        command: [sh]
                        source: |
                          echo "$(({{workflow.parameters.n}} * 7))"
                          echo
                """
            let run = try await EngineHarness.run(yaml, in: directory)
            #expect(run.summary.phase == .succeeded)
            // Argo trims exactly one trailing newline: the empty `echo` leaves one.
            #expect(try run.outputs("script").result == "42\n")
        }
    }

    @Test("a run with failed, errored, skipped and omitted nodes ends terminal with every node fulfilled")
    func errorsLeaveTerminalState() async throws {
        try await EngineHarness.withDirectory { directory in
            let yaml = """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata:
                  name: messy
                spec:
                  entrypoint: main
                  templates:
                    - name: main
                      dag:
                        tasks:
                          - {name: fails, template: fail}
                          - {name: after-fail, template: ok, depends: fails}
                          - {name: bad-enum, template: picky, arguments: {parameters: [{name: v, value: z}]}}
                          - {name: unmapped, template: no-command}
                          - {name: skipped, template: ok, when: "a == b"}
                          - {name: fine, template: ok}
                    - name: fail
                      container: {image: alpine, command: [sh, -c, "exit 5"]}
                    - name: ok
                      container: {image: alpine, command: [sh, -c, "echo ok"]}
                    - name: picky
                      inputs:
                        parameters:
                          - {name: v, enum: [x, y]}
                      container: {image: alpine, command: [sh, -c, "echo {{inputs.parameters.v}}"]}
                    - name: no-command
                      container: {image: not-in-any-profile}
                """
            let run = try await EngineHarness.run(yaml, in: directory)
            #expect(run.run.phase.isTerminal)
            // Argo's assessDAGPhase (failFast): the first failing target in declaration order decides: after-fail,
            // omitted below the Failed 'fails'.
            #expect(run.run.phase == .failed)
            #expect(run.run.finishedAt != nil)
            #expect(run.summary.refused == false)
            let terminal: Set<NodePhase> = [.succeeded, .failed, .error, .skipped, .omitted]
            for node in run.nodes {
                #expect(terminal.contains(node.phase), "\(node.displayName) left \(node.phase)")
                #expect(node.finishedAt != nil, "\(node.displayName) has no finishedAt")
            }
            #expect(try run.node("fails").phase == .failed)
            #expect(try run.node("after-fail").phase == .omitted)
            #expect(try run.node("bad-enum").phase == .error)
            let unmapped = try run.node("unmapped")
            #expect(unmapped.phase == .error)
            #expect(unmapped.message == EngineError.imageNotMapped(image: "not-in-any-profile").description)
            #expect(try run.node("skipped").phase == .skipped)
            #expect(try run.node("fine").phase == .succeeded)
            // A later run in the same state directory still works and is the latest.
            let again = try await EngineHarness.run(yaml, in: directory)
            #expect(again.run.name.hasPrefix("messy-"))
            #expect(try again.store.run(named: "@latest").id == again.run.id)
            #expect(try again.store.runs().count == 2)
        }
    }
}

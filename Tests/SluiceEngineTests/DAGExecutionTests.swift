import Foundation
import SluiceEngine
import SluiceSpec
import SluiceStore
import Testing

/// `dag` templates run through the real engine: ordering, omitted tasks, handled failures.
@Suite("DAG execution", .timeLimit(.minutes(2)))
struct DAGExecutionTests {
    @Test("in a diamond, D starts after both B and C finished, and the tree links tasks as Argo does")
    func diamond() async throws {
        try await EngineHarness.withDirectory { directory in
            let yaml = """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata:
                  name: diamond
                spec:
                  entrypoint: main
                  templates:
                    - name: main
                      dag:
                        tasks:
                          - {name: A, template: nap}
                          - {name: B, template: nap, depends: A}
                          - {name: C, template: nap, depends: A}
                          - {name: D, template: nap, depends: B && C}
                    - name: nap
                      container:
                        image: alpine
                        command: [sh, -c, "sleep 0.2; echo ok"]
                """
            let run = try await EngineHarness.run(yaml, in: directory)
            #expect(run.summary.phase == .succeeded)
            let a = try run.node("A")
            let b = try run.node("B")
            let c = try run.node("C")
            let d = try run.node("D")
            let dStart = try #require(d.startedAt)
            let aEnd = try #require(a.finishedAt)
            let bEnd = try #require(b.finishedAt)
            let cEnd = try #require(c.finishedAt)
            #expect(try #require(b.startedAt) >= aEnd)
            #expect(try #require(c.startedAt) >= aEnd)
            #expect(dStart >= bEnd)
            #expect(dStart >= cEnd)

            let root = try run.node("diamond")
            #expect(root.id == "diamond")
            #expect(root.type == .dag)
            #expect(root.phase == .succeeded)
            #expect(a.name == "diamond.A")
            #expect(a.boundaryID == "diamond")
            #expect(a.type == .pod)
            #expect(try run.childNames("diamond") == ["A"])
            #expect(try run.childNames("A").sorted() == ["B", "C"])
            #expect(try run.childNames("B") == ["D"])
            #expect(try run.childNames("C") == ["D"])
            #expect(try run.childNames("D") == [])
        }
    }

    @Test("a failing task omits its dependents, runs its A.Failed handler, and fails the DAG")
    func failureOmitsDependents() async throws {
        try await EngineHarness.withDirectory { directory in
            let yaml = """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata:
                  name: dag-fail
                spec:
                  entrypoint: main
                  templates:
                    - name: main
                      dag:
                        tasks:
                          - {name: A, template: fail}
                          - {name: B, template: ok, depends: A}
                          - {name: C, template: ok, depends: B}
                          - {name: handler, template: ok, depends: A.Failed}
                    - name: fail
                      container:
                        image: alpine
                        command: [sh, -c, "exit 1"]
                    - name: ok
                      container:
                        image: alpine
                        command: [sh, -c, "echo handled"]
                """
            let run = try await EngineHarness.run(yaml, in: directory)
            #expect(run.summary.phase == .failed)
            #expect(run.run.phase == .failed)
            let a = try run.node("A")
            #expect(a.phase == .failed)
            #expect(a.message == "Error (exit code 1)")
            for name in ["B", "C"] {
                let omitted = try run.node(name)
                #expect(omitted.phase == .omitted)
                #expect(omitted.type == .skipped)
                #expect(omitted.message == "omitted: depends condition not met")
            }
            #expect(try run.node("handler").phase == .succeeded)
            #expect(try run.outputs("handler").result == "handled")
            let root = try run.node("dag-fail")
            #expect(root.phase == .failed)
            #expect(root.message == "child '\(a.id)' failed")
            #expect(run.run.message == "child '\(a.id)' failed")
        }
    }

    @Test("a failure handled by an A.Failed task that is the only leaf lets the DAG succeed")
    func handledFailureSucceeds() async throws {
        try await EngineHarness.withDirectory { directory in
            let yaml = """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata:
                  name: dag-handled
                spec:
                  entrypoint: main
                  templates:
                    - name: main
                      dag:
                        tasks:
                          - {name: A, template: fail}
                          - {name: cleanup, template: ok, depends: A.Failed}
                          - {name: tolerant, template: fail, continueOn: {failed: true}}
                    - name: fail
                      container:
                        image: alpine
                        command: [sh, -c, "exit 2"]
                    - name: ok
                      container:
                        image: alpine
                        command: [sh, -c, "true"]
                """
            let run = try await EngineHarness.run(yaml, in: directory)
            #expect(run.summary.phase == .succeeded)
            #expect(run.run.phase == .succeeded)
            #expect(try run.node("A").phase == .failed)
            #expect(try run.node("tolerant").phase == .failed)
            #expect(try run.node("cleanup").phase == .succeeded)
            #expect(try run.node("dag-handled").phase == .succeeded)
        }
    }
}

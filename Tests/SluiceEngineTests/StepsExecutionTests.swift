import Foundation
import SluiceEngine
import SluiceSpec
import SluiceStore
import Testing

/// `steps` templates run through the real engine: ordering, node tree and failure handling.
@Suite("Steps execution", .timeLimit(.minutes(2)))
struct StepsExecutionTests {
    static let ordered = """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: steps-order
        spec:
          entrypoint: main
          templates:
            - name: main
              steps:
                - - name: a
                    template: nap
                  - name: b
                    template: nap
                - - name: c
                    template: nap
                  - name: never
                    template: nap
                    when: "1 == 2"
            - name: nap
              container:
                image: alpine
                command: [sh, -c, "sleep 0.3; echo napped"]
        """

    @Test("group [1] starts only after every step of group [0] ended, and the steps of a group overlap")
    func groupOrdering() async throws {
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(Self.ordered, in: directory)
            #expect(run.summary.phase == .succeeded)
            #expect(run.run.phase == .succeeded)
            let a = try run.node("a")
            let b = try run.node("b")
            let c = try run.node("c")
            let aEnd = try #require(a.finishedAt)
            let bEnd = try #require(b.finishedAt)
            let aStart = try #require(a.startedAt)
            let bStart = try #require(b.startedAt)
            let cStart = try #require(c.startedAt)
            #expect(cStart >= aEnd)
            #expect(cStart >= bEnd)
            // Parallel within the group: each started before the other finished.
            #expect(aStart < bEnd)
            #expect(bStart < aEnd)
            let groupOne = try run.node("[1]")
            #expect(try #require(groupOne.startedAt) >= max(aEnd, bEnd))
        }
    }

    @Test("the node tree has Argo's names, display names, types, boundaries and children links")
    func nodeTree() async throws {
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(Self.ordered, in: directory)
            let root = try run.node("steps-order")
            #expect(root.id == "steps-order")
            #expect(root.name == "steps-order")
            #expect(root.type == .steps)
            #expect(root.phase == .succeeded)
            #expect(root.boundaryID == nil)

            let group0 = try run.node("[0]")
            #expect(group0.name == "steps-order[0]")
            #expect(group0.type == .stepGroup)
            #expect(group0.phase == .succeeded)
            #expect(group0.boundaryID == "steps-order")
            let group1 = try run.node("[1]")
            #expect(group1.name == "steps-order[1]")
            #expect(group1.type == .stepGroup)

            let a = try run.node("a")
            #expect(a.name == "steps-order[0].a")
            #expect(a.id == "steps-order-\(NodeIdentity.fnv1a32("steps-order[0].a"))")
            #expect(a.type == .pod)
            #expect(a.phase == .succeeded)
            #expect(a.templateName == "nap")
            #expect(a.boundaryID == "steps-order")
            #expect(try run.node("c").name == "steps-order[1].c")

            let never = try run.node("never")
            #expect(never.name == "steps-order[1].never")
            #expect(never.type == .skipped)
            #expect(never.phase == .skipped)
            #expect(never.message == "when '1 == 2' evaluated false")

            // Argo: Steps -> [0]; [0] -> its steps; every step of [0] -> [1]; [1] -> its steps.
            #expect(try run.childNames("steps-order") == ["[0]"])
            #expect(try run.childNames("[0]") == ["a", "b"])
            #expect(try run.childNames("a") == ["[1]"])
            #expect(try run.childNames("b") == ["[1]"])
            // Argo adds a group's children in step order, skipped steps included.
            let groupChildren = try run.childNames("[1]")
            #expect(groupChildren == ["c", "never"], "children of [1]: \(groupChildren)")
            #expect(try run.childNames("c") == [])
            #expect(try run.outputs("a").result == "napped")
            #expect(try run.outputs("a").exitCode == "0")
        }
    }

    @Test("a failing step fails its group and the Steps node, and later groups never run")
    func failureStopsLaterGroups() async throws {
        try await EngineHarness.withDirectory { directory in
            let yaml = """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata:
                  name: steps-fail
                spec:
                  entrypoint: main
                  templates:
                    - name: main
                      steps:
                        - - name: breaks
                            template: exit3
                          - name: tolerated
                            template: exit3
                            continueOn: {failed: true}
                        - - name: later
                            template: exit3
                    - name: exit3
                      container:
                        image: alpine
                        command: [sh, -c, "echo bad >&2; exit 3"]
                """
            let run = try await EngineHarness.run(yaml, in: directory)
            #expect(run.summary.phase == .failed)
            #expect(run.run.phase == .failed)
            #expect(run.summary.refused == false)
            let breaks = try run.node("breaks")
            #expect(breaks.phase == .failed)
            #expect(breaks.message == "Error (exit code 3)")
            #expect(try run.outputs("breaks").exitCode == "3")
            #expect(try run.node("tolerated").phase == .failed)
            let group = try run.node("[0]")
            #expect(group.phase == .failed)
            #expect(group.message == "child '\(breaks.id)' failed")
            let root = try run.node("steps-fail")
            #expect(root.phase == .failed)
            #expect(root.message == "child '\(breaks.id)' failed")
            #expect(run.nodes.contains { $0.displayName == "later" } == false)
            #expect(run.nodes.contains { $0.displayName == "[1]" } == false)
        }
    }
}

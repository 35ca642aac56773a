import Foundation
import SluiceEngine
import SluiceSpec
import SluiceStore
import SluiceTesting
import Testing

/// A fan-out wider than the started-task bound (64) runs every node and records every child link: the DAG starts
/// the tasks beyond the bound as earlier ones end, a loop does the same with its iterations, and the children
/// lists the coordinator writes at most every 250 ms are all written by the run's end.
@Suite("Wide fan-out")
struct WideFanOutTests {
    static let width = 150

    static var dag: String {
        var yaml = """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata:
              name: wide-dag
            spec:
              entrypoint: main
              parallelism: 2
              templates:
              - name: one
                container:
                  image: alpine
                  command: [sh, -c, "true"]
              - name: main
                dag:
                  tasks:
                  - {name: source, template: one}

            """
        for index in 1...width { yaml += "      - {name: w\(index), template: one, dependencies: [source]}\n" }
        yaml +=
            "      - {name: sink, template: one, dependencies: [\((1...width).map { "w\($0)" }.joined(separator: ", "))]}\n"
        return yaml
    }

    static let loop = """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: wide-loop
        spec:
          entrypoint: main
          parallelism: 2
          templates:
          - name: one
            container:
              image: alpine
              command: [sh, -c, "true"]
          - name: main
            steps:
            - - name: work
                template: one
                withSequence: {count: "\(width)"}

        """

    @Test("a DAG of 1 -> 150 -> 1 runs every task and links every child", .timeLimit(.minutes(2)))
    func dagFanOut() async throws {
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(Self.dag, in: directory)
            #expect(run.summary.phase == .succeeded)
            let pods = run.nodes.filter { $0.type == .pod }
            #expect(pods.count == Self.width + 2)
            #expect(pods.allSatisfy { $0.phase == .succeeded })
            let middle = Set((1...Self.width).map { "w\($0)" })
            #expect(Set(try run.childNames("source")) == middle)
            for name in ["w1", "w75", "w150"] { #expect(try run.childNames(name) == ["sink"]) }
            #expect(try run.store.attempts(runID: run.run.id).count == Self.width + 2)
        }
    }

    @Test("a loop of 150 iterations runs and records each one in order", .timeLimit(.minutes(2)))
    func loopFanOut() async throws {
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(Self.loop, in: directory)
            #expect(run.summary.phase == .succeeded)
            let names = try run.childNames("[0]")
            #expect(names == (0..<Self.width).map { "work(\($0):\($0))" })
        }
    }
}

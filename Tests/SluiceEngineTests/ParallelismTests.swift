import Foundation
import SluiceEngine
import SluiceRuntimes
import SluiceSpec
import SluiceStore
import SluiceTesting
import Testing

/// `parallelism: 0` is Argo's "no limit" (KFP v1 writes it on every `ParallelFor`); it deadlocked silently before
/// (issue 16). And a run never has more nodes running at once than its bound.
@Suite("Parallelism")
struct ParallelismTests {
    static func fanOut(items: Int, specParallelism: String = "", templateParallelism: String = "") -> String {
        """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: fan
        spec:
          entrypoint: main
        \(specParallelism)  templates:
          - name: main
        \(templateParallelism)    steps:
            - - name: work
                template: nap
                withSequence: {count: "\(items)"}
          - name: nap
            container:
              image: alpine
              command: [sh, -c, "sleep 0.3"]

        """
    }

    /// The most attempts that were running at the same moment, from their recorded start and end.
    static func peakConcurrency(_ attempts: [AttemptRecord]) -> Int {
        let events = attempts.flatMap { attempt -> [(Date, Int)] in
            [(attempt.startedAt, 1), (attempt.finishedAt ?? attempt.startedAt, -1)]
        }.sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
        var running = 0
        var peak = 0
        for (_, change) in events {
            running += change
            peak = max(peak, running)
        }
        return peak
    }

    @Test("parallelism 0 on the workflow and on a template means no limit", .timeLimit(.minutes(1)))
    func zeroIsUnlimited() async throws {
        try await EngineHarness.withDirectory { directory in
            let yaml = Self.fanOut(
                items: 4, specParallelism: "  parallelism: 0\n",
                templateParallelism: "    parallelism: 0\n")
            let run = try await EngineHarness.run(yaml, in: directory)
            #expect(run.summary.phase == .succeeded)
            #expect(run.nodes.filter { $0.displayName.hasPrefix("work(") }.count == 4)
        }
    }

    @Test("--parallelism bounds the nodes running at once", .timeLimit(.minutes(1)))
    func flagBoundsConcurrency() async throws {
        try await EngineHarness.withDirectory { directory in
            let path = try EngineHarness.write(Self.fanOut(items: 6), in: directory)
            var request = RunRequest(workflowPath: path, stateDirectory: directory + "/state")
            request.parallelism = 2
            let summary = try await WorkflowEngine(runtime: ProcessRuntime()).run(request)
            #expect(summary.phase == .succeeded)
            let store = try Store(stateDirectory: directory + "/state")
            let attempts = try store.attempts(runID: summary.id)
            #expect(attempts.count == 6)
            #expect(Self.peakConcurrency(attempts) <= 2)
        }
    }

    @Test("without a workflow limit the machine's default bound applies; --parallelism and spec.parallelism win")
    func nodeLimit() {
        var request = RunRequest(workflowPath: "w.yaml", stateDirectory: "/tmp/none")
        #expect(request.nodeLimit(specified: nil) == RunRequest.defaultParallelism)
        #expect(request.nodeLimit(specified: 0) == RunRequest.defaultParallelism)
        #expect(request.nodeLimit(specified: 3) == 3)
        request.parallelism = 5
        #expect(request.nodeLimit(specified: 3) == 5)
        #expect(RunRequest.defaultParallelism >= 8)
    }
}

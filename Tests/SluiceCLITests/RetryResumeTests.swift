import Foundation
import Testing

/// Retries continue across `sluice resume`: attempts keep their history and `retryStrategy.limit` counts every
/// attempt ever made (issue 16: 94 of 180 steps ran 5-6 times against `limit: 3`, the history overwritten).
@Suite("Retries across resume", .serialized)
struct RetryResumeTests {
    static func workflow(marker: String) -> String {
        """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          generateName: retry-resume-
        spec:
          entrypoint: flaky
          templates:
            - name: flaky
              retryStrategy: {limit: 3}
              container:
                image: alpine
                command: [sh, -c, "sleep \(marker); exit 1"]
        """
    }

    @Test(
        "a retry resumed after its engine was killed makes limit + 1 attempts in all, keeping the first ones",
        .timeLimit(.minutes(3)))
    func limitCountsEveryAttempt() async throws {
        try await SluiceCLI.withScratch { cli in
            // Each attempt sleeps about 6 s: long enough to catch attempt (1) running on a busy machine.
            let file = try cli.write(Self.workflow(marker: StopResumeTests.marker(base: 6)), name: "wf.yaml")
            let engine = try cli.start(["run", file])
            var seen = false
            let deadline = ContinuousClock.now + .seconds(90)
            while !seen, ContinuousClock.now < deadline, kill(engine.pid, 0) == 0 {
                // An attempt running now, (1) or later: `sluice get` itself can take seconds on a loaded machine,
                // so an attempt that merely exists may have ended before the kill (all four then Fail).
                let state = try StopResumeTests.nodes(cli)
                seen = state.nodes.contains { name, node in
                    name.hasSuffix(")") && !name.hasSuffix("(0)") && node["phase"] == "Running"
                }
                if !seen { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(seen, "no attempt after the first was seen running")
            kill(engine.pid, SIGKILL)
            _ = try await engine.finish()

            let resume = try cli.run(["resume", "@latest"])
            #expect(resume.status == 1, "\(resume)")
            let after = try StopResumeTests.nodes(cli)
            let attempts = after.nodes.keys.filter { $0.hasSuffix(")") }.sorted()
            #expect(attempts.map { String($0.suffix(3)) } == ["(0)", "(1)", "(2)", "(3)"])
            let phases = attempts.map { after.nodes[$0]?["phase"] ?? "" }
            // The attempt running when the engine was killed is an Error (attempt (1), or a later one on a busy
            // machine); every other attempt Failed on its own, and none ran past the limit.
            #expect(phases.filter { $0 == "Error" }.count == 1, "\(phases)")
            #expect(phases.first == "Failed", "\(phases)")
            // Killed during the last allowed attempt, the retry ends as that attempt did: Error.
            #expect(after.phase == (phases.last == "Error" ? "Error" : "Failed"))
            let json = try cli.run(["get", "@latest", "-o", "json"]).stdout
            #expect(json.contains("the engine running this attempt stopped before it ended"))
            #expect(json.contains("No more retries left"))
        }
    }
}

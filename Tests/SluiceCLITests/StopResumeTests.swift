import Foundation
import SluiceTesting
import Testing

/// `sluice stop` and `sluice resume` against a live engine process.
@Suite("Stop and resume", .serialized)
struct StopResumeTests {
    /// A two-task workflow: `a` produces an artifact, `b` consumes it after sleeping `seconds` (a unique marker,
    /// so leftovers can be found with pgrep).
    static func workflow(seconds: String) -> String {
        """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          generateName: stop-resume-
        spec:
          entrypoint: main
          templates:
            - name: main
              dag:
                tasks:
                  - name: a
                    template: produce
                  - name: b
                    template: wait
                    dependencies: [a]
                    arguments:
                      artifacts:
                        - {name: in, from: "{{tasks.a.outputs.artifacts.out}}"}
            - name: produce
              container:
                image: alpine
                command: [sh, -c, "date +%s%N > /tmp/out.txt"]
              outputs:
                artifacts:
                  - {name: out, path: /tmp/out.txt}
            - name: wait
              inputs:
                artifacts:
                  - {name: in, path: /data/in}
              container:
                image: alpine
                command: [sh, -c, "sleep \(seconds); cat /data/in"]
        """
    }

    /// A sleep length that doubles as a unique marker on the command line.
    static func marker(base: Int) -> String { "\(base).\(Int.random(in: 100_000...999_999))" }

    /// Node display name -> (phase, startedAt, lineage envelope) from `sluice get @latest -o json`.
    static func nodes(_ cli: SluiceCLI) throws -> (phase: String, message: String?, nodes: [String: [String: String]]) {
        let result = try cli.run(["get", "@latest", "-o", "json"])
        guard result.status == 0,
            let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
            let status = object["status"] as? [String: Any]
        else { return ("", nil, [:]) }
        var nodes: [String: [String: String]] = [:]
        for case let node as [String: Any] in (status["nodes"] as? [String: Any] ?? [:]).values {
            nodes[node["displayName"] as? String ?? ""] = [
                "phase": node["phase"] as? String ?? "", "startedAt": node["startedAt"] as? String ?? "",
                "envelope": node["lineageEnvelope"] as? String ?? "",
            ]
        }
        return (status["phase"] as? String ?? "", status["message"] as? String, nodes)
    }

    /// Waits until `a` succeeded and `b` runs.
    static func waitForB(_ cli: SluiceCLI) async throws {
        for _ in 0..<900 {
            let state = try nodes(cli)
            if state.nodes["a"]?["phase"] == "Succeeded" && state.nodes["b"]?["phase"] == "Running" { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("node b never started")
    }

    @Test("sluice stop ends a running run as Failed with the reason, killing its nodes", .timeLimit(.minutes(2)))
    func stopKillsTheRun() async throws {
        try await SluiceCLI.withScratch { cli in
            let seconds = Self.marker(base: 300)
            let file = try cli.write(Self.workflow(seconds: seconds), name: "wf.yaml")
            let engine = try cli.start(["run", file])
            try await Self.waitForB(cli)
            let stop = try cli.run(["stop", "@latest"])
            #expect(stop.status == 0, "\(stop)")
            #expect(try await engine.finish().status == 1)
            let state = try Self.nodes(cli)
            #expect(state.phase == "Failed")
            #expect(state.message == "Stopped: terminated (SIGTERM)")
            #expect(state.nodes["b"]?["phase"] == "Failed")
            // Nothing of node b is left running.
            let leftovers = try cli.run(["list"])
            #expect(leftovers.stdout.contains("Failed"))
            let pgrep = HostProcess.capture(["pgrep", "-f", "sleep \(seconds)"])
            #expect(pgrep?.status == 1, "node b's 'sleep \(seconds)' survived the stop")
        }
    }

    @Test(
        "sluice resume continues a run whose engine was killed, without running succeeded nodes again",
        .timeLimit(.minutes(2)))
    func resumeAfterKill() async throws {
        try await SluiceCLI.withScratch { cli in
            // b sleeps long enough to be seen running and killed mid-run on a loaded machine (with 2 s the test's
            // polling sometimes missed it), and finishes on its own after the resume.
            let file = try cli.write(Self.workflow(seconds: Self.marker(base: 6)), name: "wf.yaml")
            let engine = try cli.start(["run", file])
            try await Self.waitForB(cli)
            let before = try Self.nodes(cli)
            kill(engine.pid, SIGKILL)
            _ = try await engine.finish()
            #expect(try Self.nodes(cli).phase == "Running")

            let resume = try cli.run(["resume", "@latest"])
            #expect(resume.status == 0, "\(resume)")
            let after = try Self.nodes(cli)
            #expect(after.phase == "Succeeded")
            #expect(after.nodes["b"]?["phase"] == "Succeeded")
            // Node a was not run again: same start time and the same signed envelope.
            #expect(after.nodes["a"]?["startedAt"] == before.nodes["a"]?["startedAt"])
            #expect(after.nodes["a"]?["envelope"] == before.nodes["a"]?["envelope"])
            #expect(try cli.run(["verify", "@latest"]).status == 0)
            let logs = try cli.run(["logs", "@latest", "b"])
            #expect(!logs.stdout.isEmpty, "b consumed a's artifact after the resume")
        }
    }

    @Test("resuming a run whose engine is alive only releases suspended nodes; a finished run is left alone")
    func resumeFinishedRun() async throws {
        try await SluiceCLI.withScratch { cli in
            let file = try cli.write(CLIWorkflows.hello, name: "hello.yaml")
            #expect(try cli.run(["run", file]).status == 0)
            let resume = try cli.run(["resume", "@latest"])
            #expect(resume.status == 0)
            #expect(resume.stdout.contains("already Succeeded"))
        }
    }
}

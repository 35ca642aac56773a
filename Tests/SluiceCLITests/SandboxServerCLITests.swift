import Foundation
import SluiceSpec
import SluiceStore
import SluiceTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The engine's long-lived sandbox launcher (`sluice-sandbox --serve`) and its nodes cannot outlive the engine.
@Suite(
    "The sandbox server of a killed engine",
    .enabled(
        if: geteuid() == 0
            && FileManager.default.isExecutableFile(
                atPath: (SluiceCLI.binary as NSString).deletingLastPathComponent + "/sluice-sandbox"),
        "the sandbox launcher needs root and sluice-sandbox beside sluice")
)
struct SandboxServerCLITests {
    @Test(
        "SIGKILL of the engine ends the server and every node it started, and their own children; none is on record"
    )
    func killedEngine() async throws {
        try await SluiceCLI.withScratch { cli in
            let marker = StopResumeTests.marker(base: 300)
            let file = try cli.write(
                """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata:
                  generateName: killed-engine-
                spec:
                  entrypoint: main
                  templates:
                    - name: main
                      container:
                        image: alpine
                        command: [sh, -c, "sleep \(marker) & sleep \(marker)"]
                """, name: "killed.yaml")
            let engine = try cli.start(["run", "--isolation", "bubblewrap", file])
            for _ in 0..<1500 where RunLeaseTests.processes(matching: "sleep \(marker)").count < 3 {
                try await Task.sleep(for: .milliseconds(20))
            }
            // The shell and its two sleeps.
            #expect(RunLeaseTests.processes(matching: "sleep \(marker)").count == 3)
            let servers = RunLeaseTests.processes(matching: "sluice-sandbox --serve").filter {
                ProcessStatus.parent(of: $0) == engine.pid
            }
            #expect(servers.count == 1)
            // The running node is on record (written with the next batch of rows, not by its spawn) and no process
            // of it is: a served node ends with the engine, so a resume has nothing to kill.
            let store = try Store(stateDirectory: cli.home)
            let run = try store.run(named: "@latest")
            var running: [NodeRecord] = []
            for _ in 0..<500 {
                running = try store.nodes(runID: run.id).filter { $0.type == .pod && $0.phase == .running }
                if !running.isEmpty { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(running.map(\.name) == [run.name])
            #expect(try store.nodeProcesses(runID: run.id).isEmpty)

            kill(engine.pid, SIGKILL)
            _ = try await engine.finish()

            #expect(try await RunLeaseTests.survivors(of: "sleep \(marker)") == [])
            for server in servers {
                #expect(RunLeaseTests.processes(matching: "sluice-sandbox --serve").contains(server) == false)
            }
        }
    }
}

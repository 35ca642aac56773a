import Foundation
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
    @Test("SIGKILL of the engine ends the server and every node it started, and their own children")
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

            kill(engine.pid, SIGKILL)
            _ = try await engine.finish()

            #expect(try await RunLeaseTests.survivors(of: "sleep \(marker)") == [])
            for server in servers {
                #expect(RunLeaseTests.processes(matching: "sluice-sandbox --serve").contains(server) == false)
            }
        }
    }
}

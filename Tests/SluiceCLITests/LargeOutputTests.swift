import Foundation
import SluiceTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A node that prints 2 GiB: the engine streams it to the node's log file, keeps Argo's last 256 KiB as
/// `outputs.result`, and its memory stays flat; `sluice logs` streams it back with flat memory too.
@Suite("Large node output", .serialized)
struct LargeOutputTests {
    static let size = 2 * 1024 * 1024 * 1024
    static let limit = 100 * 1024 * 1024

    static let workflow = """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: large-output
        spec:
          entrypoint: main
          templates:
            - name: main
              steps:
                - - {name: big, template: big}
            - name: big
              container:
                image: alpine
                command: [sh, -c, "yes 0123456789abcde | head -c \(size - 4); printf 'END\\n'"]
        """

    /// How a process ended and its peak resident memory in bytes.
    struct Ended {
        var status: Int32
        var peakBytes: Int
    }

    /// Runs `sluice ARGS...` with stdout to `/dev/null`, so the test itself never holds the output.
    static func measure(_ cli: SluiceCLI, _ arguments: [String]) async throws -> Ended {
        let result = try await HostProcess.runBounded(
            SluiceCLI.binary, arguments: arguments,
            environment: [
                "SLUICE_HOME": cli.home, "HOME": cli.directory,
                "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            ],
            directory: cli.directory, stdoutPath: "/dev/null", stderrPath: cli.directory + "/stderr",
            timeout: .seconds(420))
        return Ended(status: result.status, peakBytes: result.peakKiB * 1024)
    }

    @Test(
        "a node printing 2 GiB: engine and `sluice logs` stay under 100 MB; result is the last 256 KiB",
        .timeLimit(.minutes(8)))
    func twoGigabytesOfStdout() async throws {
        try await SluiceCLI.withScratch { cli in
            let file = try cli.write(Self.workflow, name: "large.yaml")
            let run = try await Self.measure(cli, ["run", file])
            let stderr = (try? String(contentsOfFile: cli.directory + "/stderr", encoding: .utf8)) ?? ""
            #expect(run.status == 0, "\(stderr)")
            #expect(run.peakBytes < Self.limit, "the engine peaked at \(run.peakBytes / 1_048_576) MB")

            let json = try cli.run(["get", "-o", "json", "large-output"])
            #expect(json.status == 0, "\(json)")
            let status = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
            let nodes = (status?["status"] as? [String: Any])?["nodes"] as? [String: [String: Any]] ?? [:]
            let big = nodes.values.first { $0["displayName"] as? String == "big" }
            let result = ((big?["outputs"] as? [String: Any])?["result"] as? String) ?? ""
            // As Argo's executor: one trailing newline trimmed, then the last 256 KiB kept.
            #expect(result.utf8.count == 256 * 1024, "result has \(result.utf8.count) bytes")
            #expect(
                result.hasSuffix("0123456789abcde\n0123456789abEND"),
                "\(result.suffix(40))")
            #expect(!result.hasSuffix("\n"))

            let logs = try await Self.measure(cli, ["logs", "large-output", "big"])
            #expect(logs.status == 0)
            #expect(logs.peakBytes < Self.limit, "`sluice logs` peaked at \(logs.peakBytes / 1_048_576) MB")
        }
    }
}

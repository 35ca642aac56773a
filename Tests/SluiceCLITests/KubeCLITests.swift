import Foundation
import SluiceTesting
import Testing

/// `sluice kube render`, `sluice signer` and `sluice wrap` as a user (and a pod) runs them, on the host: the real
/// binary, a real Unix socket, real signatures.
@Suite("kube render, signer and wrap", .timeLimit(.minutes(1)))
struct KubeCLITests {
    static let workflow = """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {name: chain}
        spec:
          entrypoint: main
          templates:
            - name: main
              dag:
                tasks:
                  - {name: make, template: make}
                  - name: use
                    template: use
                    dependencies: [make]
                    arguments: {artifacts: [{name: data, from: "{{tasks.make.outputs.artifacts.data}}"}]}
            - name: make
              container: {image: busybox, command: [sh, -c, "echo hi > /tmp/data"]}
              outputs: {artifacts: [{name: data, path: /tmp/data}]}
            - name: use
              inputs: {artifacts: [{name: data, path: /tmp/data}]}
              container: {image: busybox, command: [cat, /tmp/data]}
            - name: wait
              suspend: {}
        """

    @Test("render writes the governed workflow and says where; -o - prints it; unwrappable templates exit 65")
    func render() async throws {
        try await SluiceCLI.withScratch { cli in
            let file = try cli.write(Self.workflow, name: "wf.yaml")
            let refused = try cli.run(["kube", "render", file, "-o", "out.yaml"])
            #expect(refused.status == 65, "\(refused)")
            #expect(
                refused.stderr.hasSuffix(
                    """
                    wf.yaml:22:16: error: template 'wait' is a suspend template: sluice cannot wrap it in a governed pod \
                    (pass --allow-ungoverned to render it as is, without lineage)

                    """), "\(refused)")
            let rendered = try cli.run(["kube", "render", file, "-o", "out.yaml", "--allow-ungoverned"])
            #expect(rendered.status == 0, "\(rendered)")
            #expect(rendered.stdout.hasPrefix("rendered chain (run "), "\(rendered)")
            #expect(rendered.stdout.hasSuffix(") to out.yaml\n"), "\(rendered)")
            #expect(rendered.stderr.contains("warning: template 'wait' is a suspend template"), "\(rendered)")
            let printed = try cli.run([
                "kube", "render", file, "-o", "-", "--allow-ungoverned",
                "--submitted-on", "2026-12-01T00:00:00Z",
            ])
            #expect(printed.status == 0, "\(printed)")
            #expect(
                printed.stdout.hasPrefix("apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  name: chain\n")
            )
            #expect(!printed.stdout.contains("governance:"))
        }
    }

    /// The `--run-facts` argument the rendered signer sidecars carry.
    static func runFacts(_ cli: SluiceCLI, file: String) throws -> String {
        let printed = try cli.run(["kube", "render", file, "-o", "-", "--allow-ungoverned"])
        let lines = printed.stdout.split(separator: "\n").map(String.init)
        let index = try #require(lines.firstIndex { $0.hasSuffix("- \"--run-facts\"") }, "\(printed)")
        let quoted = lines[index + 1].trimmingCharacters(in: .whitespaces).dropFirst(2)
        let decoded = try JSONSerialization.jsonObject(with: Data("[\(quoted)]".utf8)) as? [String]
        return try #require(decoded?.first)
    }

    /// Runs one node: its signer in the background, then `sluice wrap ARGS -- COMMAND`.
    static func node(_ cli: SluiceCLI, name: String, facts: String, wrap: [String], command: [String]) async throws
        -> (wrap: CLIResult, signer: CLIResult)
    {
        let socket = cli.directory + "/\(name).sock"
        let signer = try cli.start([
            "signer", "--socket", socket, "--key", cli.home + "/keys/signing-key.pem", "--node-name", "chain.\(name)",
            "--template", name, "--image", "busybox", "--run-facts", facts,
        ])
        let wrapped = try cli.run(
            [
                "wrap", "--socket", socket, "--envelope", cli.directory + "/\(name).env",
                "--envelope-digest", cli.directory + "/\(name).digest", "--lineage-dir", cli.directory + "/lineage",
                "--connect-timeout", "20",
            ] + wrap + ["--"] + command)
        return (wrapped, try await signer.finish())
    }

    @Test("wrap runs the command between the gate and the signer: envelopes chain, a tampered input is refused")
    func wrapAndSign() async throws {
        try await SluiceCLI.withScratch { cli in
            #expect(try cli.run(["keygen"]).status == 0)
            let facts = try Self.runFacts(cli, file: try cli.write(Self.workflow, name: "wf.yaml"))
            let data = cli.directory + "/data"
            let socket = cli.directory + "/make.sock"
            let made = try await Self.node(
                cli, name: "make", facts: facts, wrap: ["--output-artifact", "data=\(data)"],
                command: ["sh", "-c", "echo hi > \(data); test -S \(socket) && echo second-session || echo printed"])
            #expect(made.wrap.status == 0, "\(made.wrap)")
            // stdout is the command's own (Argo's outputs.result); the socket was gone once the session began.
            #expect(made.wrap.stdout == "printed\n", "\(made.wrap)")
            #expect(made.wrap.stderr.isEmpty, "\(made.wrap)")
            #expect(made.signer.status == 0, "\(made.signer)")
            let envelope = try String(contentsOfFile: cli.directory + "/make.env", encoding: .utf8)
            let digest = try String(contentsOfFile: cli.directory + "/make.digest", encoding: .utf8)
            #expect(digest.hasPrefix("sha256:") && digest.count == 71)

            try FileManager.default.createDirectory(
                atPath: cli.directory + "/lineage", withIntermediateDirectories: true)
            _ = try cli.write(envelope, name: "lineage/artifact-data.intoto.json")
            let wrap = ["--input-artifact", "data=\(data)", "--lineage-digest", "artifact-data=\(digest)"]
            let used = try await Self.node(cli, name: "use", facts: facts, wrap: wrap, command: ["cat", data])
            #expect(used.wrap.status == 0, "\(used.wrap)")
            #expect(used.wrap.stdout == "hi\n", "\(used.wrap)")
            try FileManager.default.createDirectory(
                atPath: cli.directory + "/envelopes", withIntermediateDirectories: true)
            try FileManager.default.copyItem(
                atPath: cli.directory + "/use.env",
                toPath: cli.directory + "/envelopes/use.intoto.json")
            try FileManager.default.copyItem(
                atPath: cli.directory + "/make.env",
                toPath: cli.directory + "/envelopes/make.intoto.json")
            let conformance = try cli.run(["conformance", cli.directory + "/envelopes"])
            #expect(conformance.status == 0, "\(conformance)")

            _ = try cli.write("evil\n", name: "data")
            try? FileManager.default.removeItem(atPath: cli.directory + "/use.env")
            let refused = try await Self.node(cli, name: "use", facts: facts, wrap: wrap, command: ["cat", data])
            #expect(refused.wrap.status == 86, "\(refused.wrap)")
            #expect(refused.wrap.stdout.isEmpty, "\(refused.wrap)")
            #expect(
                refused.wrap.stderr.hasPrefix("node 'use' refused: input 'data': subject-digest: "), "\(refused.wrap)")
            #expect(refused.wrap.stderr.split(separator: "\n").count == 1, "\(refused.wrap)")
            #expect(!FileManager.default.fileExists(atPath: cli.directory + "/use.env"))
        }
    }

    /// Whether a process whose command line is exactly `argv` is running (read from /proc).
    static func isRunning(_ argv: [String]) -> Bool {
        let wanted = Data((argv.joined(separator: "\0") + "\0").utf8)
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.contains { entry in
            Int32(entry) != nil && FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") == wanted
        }
    }

    /// Pins the wrapper as a child subreaper: a command's background process outlived it, free to change an output
    /// after the wrapper measured it and before Argo's executor saved it.
    @Test("what the command leaves running in the background is killed before its outputs are measured")
    func backgroundKilled() async throws {
        try await SluiceCLI.withScratch { cli in
            #expect(try cli.run(["keygen"]).status == 0)
            let facts = try Self.runFacts(cli, file: try cli.write(Self.workflow, name: "wf.yaml"))
            let data = cli.directory + "/data"
            let marker = String(3000 + Int.random(in: 0..<6000))
            let made = try await Self.node(
                cli, name: "make", facts: facts, wrap: ["--output-artifact", "data=\(data)"],
                command: ["sh", "-c", "echo hi > \(data); sleep \(marker) </dev/null >/dev/null 2>&1 & echo started"])
            #expect(made.wrap.status == 0, "\(made.wrap)")
            #expect(made.wrap.stdout == "started\n", "\(made.wrap)")
            #expect(!Self.isRunning(["sleep", marker]), "the command's background process outlived the wrapper")
        }
    }
}

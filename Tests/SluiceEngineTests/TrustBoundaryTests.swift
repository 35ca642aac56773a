import Foundation
import SluiceEngine
import SluiceRuntimes
import SluiceSpec
import SluiceStore
import SluiceTesting
import Testing

/// Issue 9's trust-boundary rows through the real engine: a node writes links, FIFOs and paths that try to make the
/// engine read the signing key or the database. Each row ends with the node failed or refused by a message naming
/// the path, and the key's bytes nowhere in the store, the outputs or the artifacts.
@Suite("Trust boundary: nothing a node writes reaches the key", .timeLimit(.minutes(3)))
struct TrustBoundaryTests {
    /// A one-node workflow running `script` with the given outputs block.
    static func workflow(
        _ name: String, script: String, outputs: String, image: String = "alpine", parameters: String = ""
    ) -> String {
        """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: \(name)
        spec:
          entrypoint: leak
          templates:
            - name: leak
              inputs:
                parameters: [\(parameters)]
              container:
                image: \(image)
                command: [sh, -c, '\(script)']
              outputs:
        \(outputs)
        """
    }

    /// The row's node: Error or Failed with a message containing `expected`; the key's bytes nowhere in what was
    /// recorded.
    static func expectContained(
        _ run: RecordedRun, row: String, message expected: String,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) throws {
        let node = try run.node(run.run.name, sourceLocation: sourceLocation)
        #expect(node.phase == .error || node.phase == .failed, "\(node.phase)", sourceLocation: sourceLocation)
        let message = node.message ?? ""
        #expect(message.contains(expected), "\(message)", sourceLocation: sourceLocation)
        try expectNoKey(in: run, sourceLocation: sourceLocation)
        print("trust-boundary | \(row) | \(message)")
    }

    /// The PEM body of the run's signing key appears in no node record and no stored artifact.
    static func expectNoKey(in run: RecordedRun, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let pem = try String(contentsOfFile: run.stateDirectory + "/keys/signing-key.pem", encoding: .utf8)
        let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        try #require(body.count > 20, sourceLocation: sourceLocation)
        for node in run.nodes {
            let recorded = [node.outputsJSON, node.message, node.inputsJSON].compactMap { $0 }.joined()
            #expect(!recorded.contains(body), "node \(node.displayName) holds the key", sourceLocation: sourceLocation)
        }
        let artifacts = run.stateDirectory + "/artifacts"
        for relative in FileManager.default.subpaths(atPath: artifacts) ?? [] {
            guard let data = FileManager.default.contents(atPath: artifacts + "/" + relative) else { continue }
            #expect(
                !String(decoding: data, as: UTF8.self).contains(body), "artifact \(relative) holds the key",
                sourceLocation: sourceLocation)
        }
    }

    /// From the node's working directory (`<state>/runs/<run>/nodes/<node>/work`) up to the state directory.
    static let climbToState = "$PWD/../../../../.."

    @Test("an output parameter that is a link to the signing key is refused, not read")
    func parameterLinkToKey() async throws {
        try await EngineHarness.withDirectory { directory in
            let yaml = Self.workflow(
                "tb-param-link",
                script: "mkdir -p /tmp/o && ln -s ../../../../../../keys/signing-key.pem /tmp/o/report",
                outputs: "        parameters:\n          - name: report\n            valueFrom: {path: /tmp/o/report}")
            let run = try await EngineHarness.run(yaml, in: directory)
            try Self.expectContained(
                run, row: "output parameter linked to the key",
                message: "output 'report' refused: path '/tmp/o/report': the symbolic link '/tmp/o/report' -> '")
            #expect(
                try run.node(run.run.name).message?.hasSuffix(
                    "leads outside the node's directory; links are followed only inside it") == true)
        }
    }

    @Test("an output artifact that is a link, or lies under a linked directory, is refused, not copied")
    func artifactLinks() async throws {
        try await EngineHarness.withDirectory { directory in
            let yaml = Self.workflow(
                "tb-artifact-link", script: "ln -s \(Self.climbToState)/keys/signing-key.pem /mnt/o/model",
                outputs: "        artifacts:\n          - {name: model, path: /mnt/o/model}")
            let run = try await EngineHarness.run(yaml, in: directory)
            try Self.expectContained(
                run, row: "output artifact linked to the key",
                message: "output 'model' refused: path '/mnt/o/model': the symbolic link '/mnt/o/model' -> '")
        }
        try await EngineHarness.withDirectory { directory in
            let yaml = Self.workflow(
                "tb-artifact-dir-link", script: "mkdir -p /tmp/o && ln -s ../../../../../../keys /tmp/o/keys",
                outputs: "        artifacts:\n          - {name: key, path: /tmp/o/keys/signing-key.pem}")
            let run = try await EngineHarness.run(yaml, in: directory)
            try Self.expectContained(
                run, row: "output artifact under a linked directory",
                message:
                    "output 'key' refused: path '/tmp/o/keys/signing-key.pem': the symbolic link '/tmp/o/keys' -> '")
        }
    }

    @Test("a path rendered with '..' from a parameter is refused before the node runs")
    func renderedParentSegment() async throws {
        try await EngineHarness.withDirectory { directory in
            let yaml = Self.workflow(
                "tb-dotdot", script: "true",
                outputs:
                    "        parameters:\n          - name: db\n            valueFrom: {path: \"{{inputs.parameters.dir}}/sluice.db\"}",
                parameters: "{name: dir, value: /tmp/../../..}")
            let run = try await EngineHarness.run(yaml, in: directory)
            try Self.expectContained(
                run, row: "'..' rendered into an output path",
                message: "output 'db' refused: path '/tmp/../../../sluice.db' must not have '..' segments")
            #expect(try run.store.attempts(runID: run.run.id).isEmpty)
        }
    }

    @Test("a FIFO at an output path is refused without hanging")
    func fifoOutput() async throws {
        try await EngineHarness.withDirectory { directory in
            let yaml = Self.workflow(
                "tb-fifo", script: "mkfifo /tmp/report",
                outputs: "        parameters:\n          - name: report\n            valueFrom: {path: /tmp/report}")
            let run = try await EngineHarness.run(yaml, in: directory)
            try Self.expectContained(
                run, row: "FIFO as an output",
                message:
                    "output 'report' refused: path '/tmp/report' is a FIFO; only regular files and directories are collected"
            )
        }
    }

    @Test("without isolation no link is followed at all")
    func noIsolationLinks() async throws {
        try await EngineHarness.withDirectory { directory in
            // Without isolation the node writes the host's own /tmp: a name of its own per test run.
            let out = "/tmp/sluice-tb-none-" + UUID().uuidString
            let yaml = Self.workflow(
                "tb-none-link",
                script:
                    "mkdir -p \(out).d && ln -sf \(Self.climbToState)/keys/signing-key.pem \(out).d/report && ln -sfn \(out).d \(out)",
                outputs: "        parameters:\n          - name: report\n            valueFrom: {path: \(out)/report}")
            defer {
                unlink(out)
                try? FileManager.default.removeItem(atPath: out + ".d")
            }
            let run = try await EngineHarness.run(yaml, in: directory, runtime: ProcessRuntime(isolation: .none))
            try Self.expectContained(
                run, row: "--isolation none: output through links",
                message: "output 'report' refused: path '\(out)/report': '\(out)' is a symbolic link")
        }
    }

    @Test("with podman a link to a host path is read in the container's view, never on the host")
    func podmanLinks() async throws {
        guard ContainersSupport.podmanTestsEnabled else { return }
        try await EngineHarness.withDirectory { directory in
            let keyPath = directory + "/state/keys/signing-key.pem"
            let yaml = Self.workflow(
                "tb-podman-link", script: "mkdir -p /mnt/o && ln -s \(keyPath) /mnt/o/report",
                outputs: "        parameters:\n          - name: report\n            valueFrom: {path: /mnt/o/report}",
                image: ContainersSupport.baseImage)
            let run = try await EngineHarness.run(yaml, in: directory, runtime: ContainerRuntime(profile: .podman))
            try Self.expectContained(
                run, row: "podman: output parameter linked to the host's key",
                message:
                    "output 'report' refused: path '/mnt/o/report': the symbolic link '/mnt/o/report' -> '\(keyPath)' leads outside"
            )
        }
    }

    @Test(
        "links inside an output directory are stored as links; outputs.result is stdout less one trailing newline, its last 256 KiB"
    )
    func storedLinksAndResultTail() async throws {
        try await EngineHarness.withDirectory { directory in
            let script =
                "mkdir -p /tmp/tree/sub && echo data > /tmp/tree/sub/f && ln -s /etc /tmp/tree/etc && ln -s sub/f /tmp/tree/alias; "
                + "head -c 300000 /dev/zero | tr \"\\\\0\" a; printf \"END\\\\n\\\\n\""
            let yaml = Self.workflow(
                "tb-tree", script: script, outputs: "        artifacts:\n          - {name: tree, path: /tmp/tree}")
            let run = try await EngineHarness.run(yaml, in: directory)
            let node = try run.node(run.run.name)
            #expect(node.phase == .succeeded, "\(node.message ?? "")")
            let outputs = try run.outputs(run.run.name)
            let tree = try #require(outputs.artifacts.first)
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: tree.storedPath + "/etc") == "/etc")
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: tree.storedPath + "/alias") == "sub/f")
            let result = try #require(outputs.result)
            #expect(result.utf8.count == 256 * 1024)
            #expect(result.hasSuffix("aaaEND\n"))
        }
    }
}

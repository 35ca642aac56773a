import Foundation
import SluiceEngine
import SluiceGovernance
import SluiceStore
import SluiceTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Shared workflow and helpers of the export, revocation and conformance tests.
enum ExportFixtures {
    /// produce (a file, a directory and a parameter) → consume (the file and the parameter; writes its own file).
    /// `governance` is inserted under `spec` as is (indent it by two spaces).
    static func workflow(name: String, governance: String = "") -> String {
        """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: \(name)
        spec:
          entrypoint: main
        \(governance)
          templates:
            - name: main
              dag:
                tasks:
                  - name: produce
                    template: produce
                  - name: consume
                    template: consume
                    depends: produce
                    arguments:
                      artifacts:
                        - {name: data, from: "{{tasks.produce.outputs.artifacts.data}}"}
                      parameters:
                        - {name: note, value: "{{tasks.produce.outputs.parameters.note}}"}
            - name: produce
              container:
                image: alpine
                command: [sh, -c, "printf 'genuine' > /tmp/data.txt; mkdir -p /tmp/tree; printf 'a' > /tmp/tree/a.txt; printf 'n1' > /tmp/note"]
              outputs:
                artifacts:
                  - {name: data, path: /tmp/data.txt}
                  - {name: tree, path: /tmp/tree}
                parameters:
                  - name: note
                    valueFrom: {path: /tmp/note}
            - name: consume
              inputs:
                artifacts:
                  - {name: data, path: /tmp/data.txt}
                parameters:
                  - name: note
              container:
                image: alpine
                command: [sh, -c, "cat /tmp/data.txt > /tmp/copy.txt; printf '{{inputs.parameters.note}}' >> /tmp/copy.txt"]
              outputs:
                artifacts:
                  - {name: copy, path: /tmp/copy.txt}
        """
    }

    /// A governance section (for ``workflow(name:governance:)``) listing `key` as the only authority, with
    /// constraints that the workflow's `consume` node satisfies: its image, where its inputs come from and who
    /// signed them, its chain depth, and a `require` expression over its inputs.
    static func governance(authority key: PublicKey) -> String {
        """
          governance:
            authorities:
              - {name: local, publicKey: \(key.hex)}
            constraints:
              - name: approved-images
                appliesTo: {templates: [consume]}
                images: {allowed: [alpine], processRuntime: allow}
              - name: data-from-produce
                appliesTo: {templates: [consume]}
                inputs: {fromTemplates: [produce], signedBy: [local]}
                maxChainDepth: 2
                require: "all(inputs, {.producer.template == 'produce'})"
        """
    }

    /// Rewrites a bundle's manifest so that it lists every file's current digest and size: what a forger would do,
    /// so that only the semantic checks can notice an edit.
    static func rewriteManifest(of bundle: String) throws {
        let path = bundle + "/manifest.json"
        var manifest = try #require(
            try CanonicalJSON(parsing: [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))).objectValue)
        let listed = files(in: bundle).filter { $0 != "manifest.json" }
        manifest["files"] = .array(
            try listed.map { relative in
                let data = try Data(contentsOf: URL(fileURLWithPath: bundle + "/" + relative))
                return [
                    "path": .string(relative), "sha256": .string(Digest.sha256([UInt8](data)).hex),
                    "size": .integer(Int64(data.count)),
                ]
            })
        try Data(CanonicalJSON.object(manifest).bytes).write(to: URL(fileURLWithPath: path))
    }

    /// Replaces a bundle's envelope file by `envelope`, with everything that names it (its line in
    /// envelopes.intoto.jsonl, status.json's lineageEnvelope, the manifest), as a forger holding the key would.
    static func replaceEnvelope(_ relative: String, in bundle: String, with envelope: Envelope) throws {
        let path = bundle + "/" + relative
        let old = try Envelope(jsonBytes: [UInt8](Data(contentsOf: URL(fileURLWithPath: path))))
        let bytes = envelope.jsonBytes()
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let linesPath = bundle + "/envelopes.intoto.jsonl"
        let lines = try String(contentsOfFile: linesPath, encoding: .utf8).split(separator: "\n").map { line in
            (try? Envelope(jsonBytes: Array(line.utf8)))?.payloadDigest == old.payloadDigest
                ? String(decoding: bytes, as: UTF8.self) : String(line)
        }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: linesPath))
        let statusPath = bundle + "/status.json"
        let status = try String(contentsOfFile: statusPath, encoding: .utf8)
        try Data(
            status.replacingOccurrences(of: old.payloadDigest.description, with: envelope.payloadDigest.description)
                .utf8
        )
        .write(to: URL(fileURLWithPath: statusPath))
        try rewriteManifest(of: bundle)
    }

    /// The run's stored submission attestation.
    static func submission(of run: RecordedRun) throws -> AttestationRecord {
        try #require(try run.store.attestations(runID: run.run.id).first { $0.kind == .submission })
    }

    /// Flips the lowest bit of the byte in the middle of a file (making it writable first).
    static func flipByte(in path: String) throws {
        _ = chmod(path, 0o644)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        try #require(!bytes.isEmpty, "cannot flip a byte of empty file \(path)")
        bytes[bytes.count / 2] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// Copies a directory tree (bundle copies are writable).
    static func copyTree(_ source: String, to destination: String) throws {
        try FileManager.default.copyItem(atPath: source, toPath: destination)
    }

    /// Every regular file below `root`, relative and sorted.
    static func files(in root: String) -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: root)
        var out: [String] = []
        while let relative = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + relative, isDirectory: &isDirectory),
                !isDirectory.boolValue
            {
                out.append(relative)
            }
        }
        return out.sorted()
    }
}

import Foundation
import SluiceGovernance
import SluiceTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `sluice revoke`, `revocations export|import`, `export`, `verify BUNDLE` and `conformance` through the binary.
@Suite("CLI export and revocation", .timeLimit(.minutes(2)))
struct ExportCLITests {
    static let pipeline = """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: export-cli
        spec:
          entrypoint: main
          templates:
            - name: main
              steps:
                - - name: make
                    template: make
                - - name: use
                    template: use
                    arguments:
                      artifacts:
                        - {name: data, from: "{{steps.make.outputs.artifacts.data}}"}
            - name: make
              container:
                image: alpine
                command: [sh, -c, "printf 'payload' > /tmp/data.txt"]
              outputs:
                artifacts:
                  - {name: data, path: /tmp/data.txt}
            - name: use
              inputs:
                artifacts:
                  - {name: data, path: /tmp/data.txt}
              container:
                image: alpine
                command: [sh, -c, "cat /tmp/data.txt"]
        """

    /// Runs the pipeline and exports it to `bundle` (a directory) in the scratch directory.
    static func exported(_ cli: SluiceCLI, to bundle: String = "bundle", slsa: Bool = false) throws -> String {
        let file = try cli.write(pipeline, name: "pipeline.yaml")
        let run = try cli.run(["run", file])
        try #require(run.status == 0, "\(run)")
        let export = try cli.run(["export", "@latest", "-o", bundle] + (slsa ? ["--slsa"] : []))
        try #require(export.status == 0, "\(export)")
        #expect(export.stdout.hasPrefix("exported run export-cli to \(bundle): 2 envelope(s), 1 artifact(s), "))
        return cli.directory + "/" + bundle
    }

    @Test("a .tar.gz bundle verifies with no state directory; verify RUN still reads the state directory")
    func exportAndVerify() async throws {
        try await SluiceCLI.withScratch { cli in
            let file = try cli.write(Self.pipeline, name: "pipeline.yaml")
            #expect(try cli.run(["run", file]).status == 0)
            let export = try cli.run(["export", "@latest", "-o", "run.tar.gz"])
            #expect(export.status == 0, "\(export)")
            // Off to a place with no state directory at all.
            let empty = cli.directory + "/nowhere"
            let result = try cli.run(["verify", "run.tar.gz", "--state-dir", empty])
            #expect(result.status == 0, "\(result)")
            #expect(
                result.stdout.hasSuffix(
                    "bundle run.tar.gz verified: 2 envelope(s), 1 artifact(s), 1 chain link(s)\n"), "\(result)")
            #expect(result.stdout.hasPrefix("note: no --trust given: trusting the bundle's own keys/trusted-keys.pem"))
            #expect(!FileManager.default.fileExists(atPath: empty), "verifying a bundle created a state directory")

            let byRun = try cli.run(["verify", "@latest"])
            #expect(byRun.status == 0, "\(byRun)")
            #expect(byRun.stdout.hasSuffix("2 envelopes verified, 0 failed (run export-cli)\n"))
        }
    }

    @Test("a flipped artifact byte exits 3 and names the artifact file; --trust with the signer's key passes")
    func tamperedBundle() async throws {
        try await SluiceCLI.withScratch { cli in
            let bundle = try Self.exported(cli)
            let signer = cli.directory + "/signer.pem"
            try FileManager.default.copyItem(atPath: bundle + "/keys/signer.pub.pem", toPath: signer)
            let trusted = try cli.run(["verify", "bundle", "--trust", signer])
            #expect(trusted.status == 0, "\(trusted)")
            #expect(trusted.stdout.hasPrefix("note: trusting 1 key(s) given with --trust: "))

            let digest = Digest.sha256(Array("payload".utf8)).hex
            let artifact = bundle + "/artifacts/sha256/" + digest
            _ = chmod(artifact, 0o644)
            try Data("payloae".utf8).write(to: URL(fileURLWithPath: artifact))
            let result = try cli.run(["verify", "bundle", "--trust", signer])
            #expect(result.status == 3, "\(result)")
            let forged = Digest.sha256(Array("payloae".utf8))
            #expect(
                result.stdout.contains(
                    "FAIL artifacts/sha256/\(digest): re-hashed to \(forged), but envelopes/"), "\(result)")
            #expect(
                result.stdout.hasSuffix("bundle bundle FAILED verification: 2 problem(s); 2 envelope(s) verified\n"))
        }
    }

    @Test("revoke signs an append-only revocation that travels as a signed list, trusted only under --trust")
    func revokeAndMoveLists() async throws {
        try await SluiceCLI.withScratch { cli in
            let bundle = try Self.exported(cli)
            let status =
                try JSONSerialization.jsonObject(
                    with: Data(contentsOf: URL(fileURLWithPath: bundle + "/status.json"))) as? [String: Any]
            let nodes = try #require((status?["status"] as? [String: Any])?["nodes"] as? [String: [String: Any]])
            let make = try #require(nodes.values.first { $0["displayName"] as? String == "make" })
            let envelope = try #require((make["lineageEnvelope"] as? String)?.dropFirst("sha256:".count))

            let bad = try cli.run(["revoke", "not-hex", "--reason", "x"])
            #expect(bad.status == 2)
            #expect(
                bad.stderr == "error: cannot revoke 'not-hex': expected a key id or an envelope payload digest "
                    + "(64 lowercase hex characters, optionally prefixed by 'sha256:')\n")

            let revoke = try cli.run(["revoke", String(envelope), "--reason", "bad runner"])
            #expect(revoke.status == 0, "\(revoke)")
            #expect(revoke.stdout.hasPrefix("revoked envelope \(envelope) (revocation 1, signed by "))
            let list = try cli.run(["revocations", "list"])
            #expect(list.stdout.hasPrefix("envelope \(envelope) "))
            #expect(list.stdout.hasSuffix(": bad runner\n"))

            let exported = try cli.run(["revocations", "export", "-o", "revoked.json"])
            #expect(exported.status == 0, "\(exported)")
            #expect(exported.stdout.hasPrefix("wrote 1 revocation(s) to revoked.json, signed by "))

            // The bundle exported before the revocation verifies, unless the signed list is applied.
            let signer = bundle + "/keys/signer.pub.pem"
            #expect(try cli.run(["verify", "bundle"]).status == 0)
            let applied = try cli.run(["verify", "bundle", "--revocations", "revoked.json"])
            #expect(applied.status == 3, "\(applied)")
            #expect(applied.stdout.contains("is revoked: bad runner"), "\(applied)")

            // Import into another state directory: refused under a foreign key, accepted under the signer's.
            let other = cli.directory + "/other"
            let foreign = cli.directory + "/foreign.pem"
            try Data(GovernanceFixtures.signingKey(seedByte: 8).publicKey.pem.utf8)
                .write(to: URL(fileURLWithPath: foreign))
            let refused = try cli.run([
                "revocations", "import", "revoked.json", "--trust", foreign, "--state-dir", other,
            ])
            #expect(refused.status == 3, "\(refused)")
            #expect(refused.stderr.hasPrefix("error: revocation list 'revoked.json' is signed by key "))
            let imported = try cli.run([
                "revocations", "import", "revoked.json", "--trust", signer, "--state-dir", other,
            ])
            #expect(imported.status == 0, "\(imported)")
            #expect(imported.stdout.hasPrefix("imported 1 revocation(s) from revoked.json (signed by "))
            #expect(imported.stdout.hasSuffix("…), 0 already present\n"))
        }
    }

    @Test("conformance passes a bundle's envelopes and reports a broken one with its rule, exit 1")
    func conformance() async throws {
        try await SluiceCLI.withScratch { cli in
            let bundle = try Self.exported(cli)
            let ok = try cli.run(["conformance", "bundle/envelopes", "--trust", bundle + "/keys/signer.pub.pem"])
            #expect(ok.status == 0, "\(ok)")
            #expect(ok.stdout == "2 envelope(s) checked, 0 violation(s) in 0 envelope(s)\n")

            try Data(#"{"payload":"e30=","payloadType":"text/plain","signatures":[]}"#.utf8)
                .write(to: URL(fileURLWithPath: bundle + "/envelopes/broken.intoto.json"))
            let broken = try cli.run(["conformance", "bundle/envelopes"])
            #expect(broken.status == 1, "\(broken)")
            #expect(
                broken.stdout == """
                    broken.intoto.json: E3: payloadType is 'text/plain', not 'application/vnd.in-toto+json'
                    broken.intoto.json: E5: signatures holds 0 entries; Sluice envelopes carry exactly one
                    broken.intoto.json: S2: _type is missing, not 'https://in-toto.io/Statement/v1'
                    broken.intoto.json: S3: subject is missing, empty or not an array
                    broken.intoto.json: S6: predicateType is missing, not 'https://sluice.dev/attestation/lineage/v0.2'
                    3 envelope(s) checked, 5 violation(s) in 1 envelope(s) (signatures not checked: pass --trust KEYFILE)

                    """)
        }
    }
}

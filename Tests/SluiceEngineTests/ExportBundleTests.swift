import Foundation
import SluiceAudit
import SluiceEngine
import SluiceGovernance
import SluiceSpec
import SluiceStore
import SluiceTesting
import Testing

/// `sluice export` and offline `sluice verify BUNDLE` through the real engine, store and artifact store.
@Suite("Export bundles", .timeLimit(.minutes(2)))
struct ExportBundleTests {
    @Test("an exported bundle copied elsewhere verifies with no state directory and says whose keys it trusted")
    func bundleVerifiesOffline() async throws {
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(ExportFixtures.workflow(name: "bundle"), in: directory)
            #expect(run.summary.phase == .succeeded)
            let summary = try BundleExporter(store: run.store, stateDirectory: run.stateDirectory)
                .export(run: run.run, to: directory + "/bundle")
            #expect(summary.envelopes == 2)
            #expect(summary.artifacts == 3)

            // The copy lives apart from the state directory, which is removed.
            try ExportFixtures.copyTree(directory + "/bundle", to: directory + "/elsewhere")
            StoreSupport.removeStateDirectory(run.stateDirectory)

            let files = ExportFixtures.files(in: directory + "/elsewhere")
            let produce = try run.node("produce")
            let consume = try run.node("consume")
            let data = Digest.sha256(Array("genuine".utf8)).hex
            let copy = Digest.sha256(Array("genuinen1".utf8)).hex
            #expect(files.contains("artifacts/sha256/\(data)"))
            #expect(files.contains("artifacts/sha256/\(copy)"))
            #expect(files.filter { $0.hasPrefix("artifacts/tree/") }.count == 1)
            #expect(
                files.filter { !$0.hasPrefix("artifacts/") }
                    == [
                        "attestations/run.intoto.json", "attestations/submission.intoto.json", "denials.json",
                        "envelopes.intoto.jsonl",
                        "envelopes/\(consume.id).intoto.json", "envelopes/\(produce.id).intoto.json",
                        "governance.json", "keys/signer.pub.pem", "keys/trusted-keys.pem", "manifest.json",
                        "parameters.json", "revocations.json", "status.json", "templates.json", "workflow.yaml",
                    ].sorted())
            #expect(summary.files == files.count - 1)
            // The workflow has no governance section; the submission attestation is the stored one, byte for byte.
            #expect(try String(contentsOfFile: directory + "/elsewhere/governance.json", encoding: .utf8) == "null")
            #expect(
                try Data(contentsOf: URL(fileURLWithPath: directory + "/elsewhere/attestations/submission.intoto.json"))
                    == ExportFixtures.submission(of: run).envelopeJSON)

            let report = try BundleVerifier().verify(bundleAt: directory + "/elsewhere")
            #expect(report.failures == [])
            #expect(report.isVerified)
            #expect(report.verifiedEnvelopes == 2)
            #expect(report.verifiedArtifacts == 3)
            // consume's inputs: the artifact and the parameter, each linked to produce's envelope.
            #expect(report.verifiedLinks == 2)
            #expect(
                report.notes.first?.hasPrefix("no --trust given: trusting the bundle's own keys/trusted-keys.pem")
                    == true)
        }
    }

    @Test("a retried node's envelopes are filed under the attempts that signed them, the last one without a suffix")
    func retriedNodeEnvelopes() async throws {
        try await EngineHarness.withDirectory { directory in
            let workflow = """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata: {name: retried}
                spec:
                  entrypoint: flaky
                  templates:
                    - name: flaky
                      retryStrategy: {limit: 2, retryPolicy: Always}
                      outputs: {parameters: [{name: n, valueFrom: {path: /tmp/n}}]}
                      script:
                        image: alpine
                        command: [sh]
                        source: 'echo {{retries}} > /tmp/n; [ {{retries}} -ge 1 ]'
                """
            let run = try await EngineHarness.run(workflow, in: directory)
            #expect(run.summary.phase == .succeeded)
            let first = try run.node("retried(0)")
            let last = try run.node("retried(1)")
            let retry = try run.node("retried")
            #expect(retry.envelopeDigest == last.envelopeDigest)
            let bundle = directory + "/bundle"
            _ = try BundleExporter(store: run.store, stateDirectory: run.stateDirectory).export(
                run: run.run, to: bundle)
            let envelopes = ExportFixtures.files(in: bundle).filter { $0.hasPrefix("envelopes/") }
            #expect(envelopes.contains("envelopes/\(last.id).intoto.json"), "\(envelopes)")
            #expect(envelopes.contains("envelopes/\(first.id).intoto.json") == (first.envelopeDigest != nil))
            #expect(!envelopes.contains("envelopes/\(retry.id).intoto.json"))
            let report = try BundleVerifier().verify(bundleAt: bundle)
            #expect(report.failures == [])
        }
    }

    @Test("flipping one byte of any artifact or envelope in the bundle fails verification and names that file")
    func everyFlippedByteIsNamed() async throws {
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(ExportFixtures.workflow(name: "flip"), in: directory)
            let bundle = directory + "/bundle"
            _ = try BundleExporter(store: run.store, stateDirectory: run.stateDirectory).export(
                run: run.run, to: bundle)
            let targets = ExportFixtures.files(in: bundle).filter {
                $0.hasPrefix("artifacts/") || $0.hasPrefix("envelopes")
            }
            #expect(targets.count == 6)  // 2 files + 1 tree file, 2 envelopes, the .jsonl
            for (index, target) in targets.enumerated() {
                let copy = directory + "/copy-\(index)"
                try ExportFixtures.copyTree(bundle, to: copy)
                try ExportFixtures.flipByte(in: copy + "/" + target)
                let report = try BundleVerifier().verify(bundleAt: copy)
                #expect(!report.isVerified, "flipping a byte of \(target) went unnoticed")
                #expect(report.failures.contains { $0.file == target }, "no failure names \(target)")
                // Beyond the manifest, a semantic check also names the file (signature, subject or line), or for a
                // file inside a directory artifact, that directory (its dirHash is what the envelope signed).
                let semantic = report.failures.filter {
                    ($0.file == target || target.hasPrefix($0.file + "/")) && !$0.detail.contains("the manifest lists")
                }
                #expect(!semantic.isEmpty, "only the manifest noticed \(target): \(report.failures)")
            }
        }
    }

    @Test("a re-hashed artifact names the file, the envelope and the subject it contradicts")
    func artifactMessage() async throws {
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(ExportFixtures.workflow(name: "artifact"), in: directory)
            let bundle = directory + "/bundle"
            _ = try BundleExporter(store: run.store, stateDirectory: run.stateDirectory).export(
                run: run.run, to: bundle)
            let data = Digest.sha256(Array("genuine".utf8)).hex
            let file = "artifacts/sha256/\(data)"
            try Data("forged!".utf8).write(to: URL(fileURLWithPath: bundle + "/" + file))
            let produce = try run.node("produce")
            let report = try BundleVerifier().verify(bundleAt: bundle)
            let forged = Digest.sha256(Array("forged!".utf8))
            #expect(
                report.failures.map(\.description) == [
                    "FAIL \(file): its content hashes to \(forged), but the manifest lists sha256:\(data)",
                    "FAIL \(file): re-hashed to \(forged), but envelopes/\(produce.id).intoto.json signed subject "
                        + "'outputs/artifacts/data' of node 'produce' as sha256:\(data)",
                ])
        }
    }

    @Test("a key other than the signer given as trusted makes every envelope fail as untrusted")
    func foreignTrustRoot() async throws {
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(ExportFixtures.workflow(name: "foreign"), in: directory)
            let bundle = directory + "/bundle"
            _ = try BundleExporter(store: run.store, stateDirectory: run.stateDirectory).export(
                run: run.run, to: bundle)
            let foreign = GovernanceFixtures.signingKey(seedByte: 3).publicKey
            let report = try BundleVerifier(trustedKeys: [foreign]).verify(bundleAt: bundle)
            let produce = try run.node("produce")
            let consume = try run.node("consume")
            let signer = run.run.signerKeyID
            #expect(
                report.failures.map(\.description).sorted()
                    == [
                        "FAIL attestations/submission.intoto.json: the submission attestation "
                            + "sha256:\(try ExportFixtures.submission(of: run).payloadDigest) does not verify: envelope is signed by key \(signer) "
                            + "which is not trusted",
                        "FAIL envelopes/\(consume.id).intoto.json: envelope for node '\(consume.id)' is signed by key "
                            + "\(signer) which is not trusted",
                        "FAIL envelopes/\(produce.id).intoto.json: envelope for node '\(produce.id)' is signed by key "
                            + "\(signer) which is not trusted",
                        "FAIL attestations/run.intoto.json: envelope is signed by key \(signer) which is not trusted",
                    ].sorted())
            #expect(report.notes.first == "trusting 1 key(s) given with --trust: \(foreign.keyID.prefix(16))…")
        }
    }

    @Test("an edited workflow.yaml no longer matches the workflow digest signed in each envelope")
    func editedWorkflow() async throws {
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(ExportFixtures.workflow(name: "edited"), in: directory)
            let bundle = directory + "/bundle"
            _ = try BundleExporter(store: run.store, stateDirectory: run.stateDirectory).export(
                run: run.run, to: bundle)
            let path = bundle + "/workflow.yaml"
            let original = try String(contentsOfFile: path, encoding: .utf8)
            try Data(original.replacingOccurrences(of: "printf 'genuine'", with: "printf 'evil'").utf8)
                .write(to: URL(fileURLWithPath: path))
            let report = try BundleVerifier().verify(bundleAt: bundle)
            let produce = try run.node("produce")
            let digestFailures = report.failures.filter { $0.detail.contains("is not the digest of the bundled") }
            #expect(
                digestFailures.map(\.file).sorted()
                    == [
                        "envelopes/\(try run.node("consume").id).intoto.json", "envelopes/\(produce.id).intoto.json",
                    ].sorted())
            #expect(report.failures.contains { $0.file == "workflow.yaml" && $0.detail.contains("manifest lists") })
        }
    }

    @Test("removing a leaf node's envelope everywhere (file, line, status, manifest) is still noticed")
    func removedLeafEnvelope() async throws {
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(ExportFixtures.workflow(name: "removed"), in: directory)
            let bundle = directory + "/bundle"
            _ = try BundleExporter(store: run.store, stateDirectory: run.stateDirectory).export(
                run: run.run, to: bundle)
            let consume = try run.node("consume")
            let digest = try #require(consume.envelopeDigest)
            // Drop consume's envelope file and line, and its lineageEnvelope from status.json.
            try FileManager.default.removeItem(atPath: bundle + "/envelopes/\(consume.id).intoto.json")
            let linesPath = bundle + "/envelopes.intoto.jsonl"
            let lines = try String(contentsOfFile: linesPath, encoding: .utf8).split(separator: "\n")
            let kept = lines.filter { line in
                (try? Envelope(jsonBytes: Array(line.utf8)))?.payloadDigest.hex != digest
            }
            #expect(kept.count == 1)
            try Data((kept.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: linesPath))
            let statusPath = bundle + "/status.json"
            let status = try String(contentsOfFile: statusPath, encoding: .utf8)
            let edited = status.replacingOccurrences(of: "\"lineageEnvelope\" : \"sha256:\(digest)\",", with: "")
            #expect(edited != status)
            try Data(edited.utf8).write(to: URL(fileURLWithPath: statusPath))
            let report = try BundleVerifier().verify(bundleAt: bundle)
            #expect(
                report.failures.map(\.description).filter { !$0.contains("manifest") } == [
                    "FAIL status.json: node 'consume' (\(consume.id)) succeeded but names no lineage envelope",
                    // The signed outcome names the envelope too.
                    "FAIL attestations/run.intoto.json: status.json is not what it signed (subject 'status'): node "
                        + "'\(consume.id)': it signed envelope '\(digest)', status.json says none",
                ])
        }
    }

    @Test("a revocation recorded before the export travels in the bundle and fails the revoked envelope")
    func revokedInBundle() async throws {
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(ExportFixtures.workflow(name: "revoked"), in: directory)
            let produce = try run.node("produce")
            let digest = try #require(produce.envelopeDigest)
            let key = try KeyStore.signingKey(path: nil, stateDirectory: run.stateDirectory).key
            try Revocations(store: run.store).revoke(
                kind: .envelope, value: digest, reason: "runner compromised", signingKey: key)
            let bundle = directory + "/bundle"
            _ = try BundleExporter(store: run.store, stateDirectory: run.stateDirectory).export(
                run: run.run, to: bundle)
            let report = try BundleVerifier().verify(bundleAt: bundle)
            #expect(
                report.failures.map(\.description) == [
                    "FAIL envelopes/\(produce.id).intoto.json: envelope sha256:\(digest) is revoked: runner compromised",
                    "FAIL envelopes/\(try run.node("consume").id).intoto.json: input 'data' of node "
                        + "'\(try run.node("consume").id)' comes from envelopes/\(produce.id).intoto.json, which did not verify",
                    "FAIL envelopes/\(try run.node("consume").id).intoto.json: input 'produce.outputs/parameters/note' "
                        + "of node '\(try run.node("consume").id)' comes from envelopes/\(produce.id).intoto.json, "
                        + "which did not verify",
                ])
        }
    }

    @Test("a .tar.gz bundle verifies after unpacking, and export never overwrites an existing path")
    func archiveBundle() async throws {
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(ExportFixtures.workflow(name: "archive"), in: directory)
            let exporter = BundleExporter(store: run.store, stateDirectory: run.stateDirectory)
            let archive = directory + "/run.tar.gz"
            let summary = try exporter.export(run: run.run, to: archive)
            #expect(summary.path == archive)
            let report = try BundleVerifier().verify(bundleAt: archive)
            #expect(report.failures == [])
            #expect(report.verifiedEnvelopes == 2)
            #expect(throws: ExportError.bundleExists(path: archive)) {
                try exporter.export(run: run.run, to: archive)
            }
            // Exports are reproducible: the same run and revocations give a byte-identical archive.
            let again = directory + "/again.tar.gz"
            _ = try exporter.export(run: run.run, to: again)
            #expect(
                try Data(contentsOf: URL(fileURLWithPath: again)) == Data(contentsOf: URL(fileURLWithPath: archive)))
        }
    }
}

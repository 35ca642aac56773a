import Foundation
import SluiceAudit
import SluiceEngine
import SluiceGovernance
import SluiceSpec
import SluiceStore
import SluiceTesting
import Testing

/// Bundles of runs that reused another run's outputs carry that run's envelopes under `external/<run-id>/`.
@Suite("Export bundles of runs that reused outputs", .timeLimit(.minutes(2)))
struct ExportReuseTests {
    /// MemoizeTests' workflow with an `images` constraint over the memoized template.
    static let governed = MemoizeTests.workflow().replacingOccurrences(
        of: "  entrypoint: main\n",
        with: """
              entrypoint: main
              governance:
                constraints:
                  - name: approved-images
                    appliesTo: {templates: [produce]}
                    images: {allowed: [alpine], processRuntime: allow}

            """)

    /// Regression: a cross-run memoization hit's bundle named the earlier envelope without carrying it (chain check
    /// failed offline), and the re-signed envelope recorded no image (the `images` constraint failed offline).
    @Test(
        "a bundle of a run with a cross-run memoization hit verifies offline; a flipped byte of the earlier envelope is named"
    )
    func memoizedAcrossRuns() async throws {
        try await EngineHarness.withDirectory { directory in
            let (first, second) = try await MemoizeTests.runTwice(Self.governed, in: directory)
            try #require(first.summary.phase == .succeeded)
            try #require(second.summary.phase == .succeeded)
            let earlier = try #require(try first.node("produce").envelopeDigest)
            #expect(try second.node("produce").message?.hasPrefix("Memoization hit") == true)

            let summary = try BundleExporter(store: second.store, stateDirectory: second.stateDirectory)
                .export(run: second.run, to: directory + "/bundle")
            #expect(summary.externalEnvelopes == 1)
            try ExportFixtures.copyTree(directory + "/bundle", to: directory + "/elsewhere")
            StoreSupport.removeStateDirectory(second.stateDirectory)

            let external = "external/\(first.run.id)/"
            let files = ExportFixtures.files(in: directory + "/elsewhere")
            #expect(
                files.filter { $0.hasPrefix("external/") }
                    == [
                        "envelopes/\(earlier).intoto.json", "governance.json", "keys/trusted-keys.pem",
                        "parameters.json", "submission.intoto.json", "workflow.yaml",
                    ].map { external + $0 })

            // The re-signed envelope carries the earlier producer's image and chain depth.
            let envelope = try Envelope(
                jsonBytes: [UInt8](
                    Data(
                        contentsOf: URL(
                            fileURLWithPath: directory
                                + "/elsewhere/envelopes/\(try second.node("produce").id).intoto.json"))))
            let predicate = try LineagePredicate(json: try Statement(payloadBytes: envelope.payload).predicate)
            #expect(predicate.producer.image == "alpine")
            #expect(predicate.chainDepth == 1)

            let report = try BundleVerifier().verify(bundleAt: directory + "/elsewhere")
            #expect(report.failures == [])
            #expect(report.verifiedEnvelopes == 3)
            // produce's two reused subjects, and consume's parameter.
            #expect(report.verifiedLinks == 3)
            #expect(report.findings.contains { $0.ok && $0.file == external + "submission.intoto.json" })
            // The earlier run's envelope is a lineage envelope like the others; its submission is skipped.
            let conformance = try EnvelopeConformance().check(directory: directory + "/elsewhere")
            #expect(conformance.envelopes == 5)  // 2 files, 2 lines of envelopes.intoto.jsonl, the earlier one
            #expect(conformance.violations == [])

            let copy = directory + "/flipped"
            try ExportFixtures.copyTree(directory + "/elsewhere", to: copy)
            try ExportFixtures.flipByte(in: copy + "/" + external + "envelopes/\(earlier).intoto.json")
            let flipped = try BundleVerifier().verify(bundleAt: copy)
            #expect(!flipped.isVerified)
            let named = flipped.failures.filter { $0.file == external + "envelopes/\(earlier).intoto.json" }
            #expect(named.count >= 2, "\(flipped.failures)")  // the manifest's sha256, and the envelope itself
        }
    }

    @Test("an edited earlier workflow: its submission, its envelope and the reusing link each fail, naming their files")
    func forgedExternalRun() async throws {
        try await EngineHarness.withDirectory { directory in
            let (first, second) = try await MemoizeTests.runTwice(Self.governed, in: directory)
            try #require(second.summary.phase == .succeeded)
            let bundle = directory + "/bundle"
            _ = try BundleExporter(store: second.store, stateDirectory: second.stateDirectory)
                .export(run: second.run, to: bundle)
            // A forger edits the earlier run's workflow (and rewrites the manifest): its submission no longer covers
            // it, so nothing of that run verifies and the reusing node's links fail.
            let external = "external/\(first.run.id)/"
            let workflow = bundle + "/" + external + "workflow.yaml"
            let text = try String(contentsOfFile: workflow, encoding: .utf8)
            try Data(text.replacingOccurrences(of: "echo {{", with: "echo  {{").utf8)
                .write(to: URL(fileURLWithPath: workflow))
            try ExportFixtures.rewriteManifest(of: bundle)
            let report = try BundleVerifier().verify(bundleAt: bundle)
            let produceFile = "envelopes/\(try second.node("produce").id).intoto.json"
            #expect(!report.isVerified)
            #expect(report.failures.contains { $0.file == external + "submission.intoto.json" }, "\(report.failures)")
            #expect(report.failures.contains { $0.file.hasPrefix(external + "envelopes/") }, "\(report.failures)")
            #expect(
                report.failures.contains {
                    $0.file == produceFile && $0.detail.contains("which did not verify")
                }, "\(report.failures)")
        }
    }

    @Test("a node that consumes an earlier run's envelope without reusing it is refused offline, as the gate would")
    func externalLinkWithoutReuse() async throws {
        try await EngineHarness.withDirectory { directory in
            let (first, second) = try await MemoizeTests.runTwice(Self.governed, in: directory)
            try #require(second.summary.phase == .succeeded)
            let bundle = directory + "/bundle"
            _ = try BundleExporter(store: second.store, stateDirectory: second.stateDirectory)
                .export(run: second.run, to: bundle)
            // Holding the run key, a forger points consume's input straight at the earlier run's envelope.
            let key = try KeyStore.signingKey(path: nil, stateDirectory: second.stateDirectory).key
            let earlier = try #require(try first.node("produce").envelopeDigest)
            let file = "envelopes/\(try second.node("consume").id).intoto.json"
            let envelope = try Envelope(jsonBytes: [UInt8](Data(contentsOf: URL(fileURLWithPath: bundle + "/" + file))))
            let statement = try Statement(payloadBytes: envelope.payload)
            var predicate = try LineagePredicate(json: statement.predicate)
            try #require(predicate.inputs.count == 1)
            predicate.inputs[0].producerNode = try first.node("produce").id
            predicate.inputs[0].envelopePayloadDigest = try Digest(hex: earlier)
            let forged = Statement(
                subjects: statement.subjects, predicateType: statement.predicateType, predicate: predicate.json)
            try ExportFixtures.replaceEnvelope(file, in: bundle, with: forged.signed(with: key))
            let report = try BundleVerifier().verify(bundleAt: bundle)
            #expect(
                report.failures.contains {
                    $0.file == file && $0.detail.contains("but the node does not reuse that envelope's outputs")
                }, "\(report.failures)")
        }
    }

    @Test("an earlier envelope revoked after the reuse fails the exported bundle, naming the earlier envelope")
    func revokedExternalEnvelope() async throws {
        try await EngineHarness.withDirectory { directory in
            let (first, second) = try await MemoizeTests.runTwice(Self.governed, in: directory)
            try #require(second.summary.phase == .succeeded)
            let earlier = try #require(try first.node("produce").envelopeDigest)
            let key = try KeyStore.signingKey(path: nil, stateDirectory: second.stateDirectory).key
            _ = try Revocations(store: second.store).revoke(
                kind: .envelope, value: earlier, reason: "bad cache entry", signingKey: key)
            _ = try BundleExporter(store: second.store, stateDirectory: second.stateDirectory)
                .export(run: second.run, to: directory + "/bundle")
            let report = try BundleVerifier().verify(bundleAt: directory + "/bundle")
            let file = "external/\(first.run.id)/envelopes/\(earlier).intoto.json"
            #expect(
                report.failures.contains { $0.file == file && $0.detail.contains("is revoked: bad cache entry") },
                "\(report.failures)")
        }
    }

    @Test("a bundle of a replay --from run carries the captured run's envelopes and verifies offline")
    func replayedRun() async throws {
        try await EngineHarness.withDirectory { directory in
            let captured = try await ReplayTests.exportedBundle(ReplayTests.chain, in: directory)
            let (run, store, _, _) = try await ReplayTests.replay(
                directory + "/bundle", from: "middle", stateDirectory: directory + "/elsewhere")
            let summary = try BundleExporter(store: store, stateDirectory: directory + "/elsewhere")
                .export(run: run, to: directory + "/replayed")
            #expect(summary.externalEnvelopes == 2)  // first and side were reused
            let report = try BundleVerifier().verify(bundleAt: directory + "/replayed")
            #expect(report.failures == [])
            #expect(report.verifiedEnvelopes == 6)
            #expect(
                ExportFixtures.files(in: directory + "/replayed").contains(
                    "external/\(captured.run.id)/keys/trusted-keys.pem"))

            // Trusting only the replay's key: the captured run's submitter is not trusted, and that is named.
            let replayKey = try PublicKeyFile.keys(at: directory + "/replayed/keys/signer.pub.pem")
            let strict = try BundleVerifier(trustedKeys: replayKey).verify(bundleAt: directory + "/replayed")
            #expect(
                strict.failures.contains { $0.file == "external/\(captured.run.id)/submission.intoto.json" },
                "\(strict.failures)")
        }
    }
}

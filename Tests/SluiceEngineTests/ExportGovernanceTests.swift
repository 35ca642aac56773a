import Foundation
import SluiceAudit
import SluiceEngine
import SluiceGovernance
import SluiceSpec
import SluiceStore
import SluiceTesting
import Testing

/// Offline verification of a governed run's bundle: the submission attestation, trust slopes, governance digests and
/// constraints re-evaluated over the recorded lineage, with no state directory.
@Suite("Export bundles under governance", .timeLimit(.minutes(2)))
struct ExportGovernanceTests {
    /// A governed run (the state directory's key is the only authority) exported to `directory/bundle`.
    static func governedBundle(_ name: String, in directory: String) async throws -> (RecordedRun, String, SigningKey) {
        let key = try KeyStore.signingKey(path: nil, stateDirectory: directory + "/state").key
        let run = try await EngineHarness.run(
            ExportFixtures.workflow(name: name, governance: ExportFixtures.governance(authority: key.publicKey)),
            in: directory)
        try #require(run.summary.phase == .succeeded, "\(run.nodes.map { "\($0.displayName): \($0.message ?? "")" })")
        let bundle = directory + "/bundle"
        _ = try BundleExporter(store: run.store, stateDirectory: run.stateDirectory).export(run: run.run, to: bundle)
        return (run, bundle, key)
    }

    @Test("a governed bundle verifies: submission, slopes and constraints; --trust must include the submitter")
    func governedBundleVerifies() async throws {
        try await EngineHarness.withDirectory { directory in
            let (run, bundle, key) = try await Self.governedBundle("governed", in: directory)
            let governance = try CanonicalJSON(
                parsing: [UInt8](Data(contentsOf: URL(fileURLWithPath: bundle + "/governance.json"))))
            #expect(governance.digest.hex == run.run.governanceDigest)

            let report = try BundleVerifier().verify(bundleAt: bundle)
            #expect(report.failures == [])
            #expect(report.verifiedEnvelopes == 2)
            #expect(
                report.notes.first == "no --trust given: trusting the authorities of the bundle's governance.json "
                    + "(local); this proves integrity, not origin: pass --trust KEYFILE with the submitter's key")
            #expect(report.notes.contains("constraints re-evaluated over the lineage of 1 envelope(s)"))
            #expect(
                report.findings.contains {
                    $0.ok && $0.file == "attestations/submission.intoto.json"
                        && $0.detail.hasPrefix("submitted by 'local' (key \(key.publicKey.keyID.prefix(16))…)")
                })

            #expect(try BundleVerifier(trustedKeys: [key.publicKey]).verify(bundleAt: bundle).isVerified)
            let stranger = GovernanceFixtures.signingKey(seedByte: 21).publicKey
            let foreign = try BundleVerifier(trustedKeys: [stranger]).verify(bundleAt: bundle)
            #expect(
                foreign.failures.map(\.description) == [
                    "FAIL attestations/submission.intoto.json: it is signed by key \(key.publicKey.keyID) "
                        + "(submitter 'local'), which is not among the --trust keys"
                ])
        }
    }

    @Test("an edited governance.json fails verification naming governance.json, even with a rewritten manifest")
    func editedGovernance() async throws {
        try await EngineHarness.withDirectory { directory in
            let (run, bundle, _) = try await Self.governedBundle("edited-governance", in: directory)
            // Drop the constraints: a lenient governance the run was not submitted under.
            let path = bundle + "/governance.json"
            var object = try #require(
                try CanonicalJSON(parsing: [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))).objectValue)
            object["constraints"] = nil
            let edited = CanonicalJSON.object(object)
            try Data(edited.bytes).write(to: URL(fileURLWithPath: path))
            try ExportFixtures.rewriteManifest(of: bundle)

            let report = try BundleVerifier().verify(bundleAt: bundle)
            let recorded = try Digest(hex: run.run.governanceDigest)
            let failures = report.failures.map(\.description)
            #expect(
                failures.contains { $0.hasPrefix("FAIL governance.json: its digest \(edited.digest) is not that of") })
            #expect(
                failures.contains(
                    "FAIL governance.json: governance edited after submission: the submission attestation covers "
                        + "governance \(recorded), the run now carries \(edited.digest)"))
            let produce = try run.node("produce")
            #expect(
                failures.contains(
                    "FAIL envelopes/\(produce.id).intoto.json: it was produced under governance \(recorded), but "
                        + "governance.json is \(edited.digest)"))
            #expect(!failures.contains { $0.contains("manifest") })
        }
    }

    @Test("a submission attestation re-signed by another key fails verification naming the attestation")
    func resignedSubmission() async throws {
        try await EngineHarness.withDirectory { directory in
            let (_, bundle, _) = try await Self.governedBundle("resigned", in: directory)
            let path = bundle + "/attestations/submission.intoto.json"
            let original = try Envelope(jsonBytes: [UInt8](Data(contentsOf: URL(fileURLWithPath: path))))
            let other = GovernanceFixtures.signingKey(seedByte: 22)
            let resigned = Envelope.sign(payload: original.payload, payloadType: original.payloadType, with: other)
            try Data(resigned.jsonBytes()).write(to: URL(fileURLWithPath: path))
            try ExportFixtures.rewriteManifest(of: bundle)

            let report = try BundleVerifier().verify(bundleAt: bundle)
            #expect(
                report.failures.map(\.description) == [
                    "FAIL attestations/submission.intoto.json: the submission attestation \(original.payloadDigest) "
                        + "does not verify: envelope is signed by key \(other.publicKey.keyID) which is not trusted"
                ])
        }
    }

    @Test("an envelope re-signed by an admitted key but breaking its node's constraints fails naming the envelope")
    func envelopeBreaksConstraints() async throws {
        try await EngineHarness.withDirectory { directory in
            let (run, bundle, key) = try await Self.governedBundle("constraints", in: directory)
            let consume = try run.node("consume")
            let file = "envelopes/\(consume.id).intoto.json"
            let original = try Envelope(jsonBytes: [UInt8](Data(contentsOf: URL(fileURLWithPath: bundle + "/" + file))))
            let statement = try Statement(payloadBytes: original.payload)
            var predicate = try LineagePredicate(json: statement.predicate)
            predicate.producer.image = "evil.example/tool"
            let forged = Statement(
                subjects: statement.subjects, predicateType: statement.predicateType,
                predicate: predicate.json
            ).signed(with: key)
            try ExportFixtures.replaceEnvelope(file, in: bundle, with: forged)

            // The signed run outcome names the original envelope too (the forger would need to re-sign it as well).
            let outcome =
                "FAIL attestations/run.intoto.json: status.json is not what it signed (subject 'status'): "
                + "node '\(consume.id)': it signed envelope '\(original.payloadDigest.hex)', status.json says "
            let report = try BundleVerifier().verify(bundleAt: bundle)
            #expect(
                report.failures.map(\.description).filter { !$0.hasPrefix(outcome) } == [
                    "FAIL \(file): constraint 'approved-images': image 'evil.example/tool' is not allowed (allowed: alpine)"
                ])
            #expect(report.failures.contains { $0.description.hasPrefix(outcome) }, "\(report.failures)")

            // A chain depth that does not follow from the inputs' (which maxChainDepth downstream relies on).
            predicate.producer.image = "alpine"
            predicate.chainDepth = 3
            let deeper = Statement(
                subjects: statement.subjects, predicateType: statement.predicateType,
                predicate: predicate.json
            ).signed(with: key)
            try ExportFixtures.replaceEnvelope(file, in: bundle, with: deeper)
            #expect(
                try BundleVerifier().verify(bundleAt: bundle).failures.map(\.description).filter {
                    !$0.hasPrefix(outcome)
                } == [
                    "FAIL \(file): its chainDepth 3 is not one more than its deepest input's (1)"
                ])
        }
    }
}

import Foundation
import SluiceAudit
import SluiceEngine
import SluiceGovernance
import SluiceSpec
import SluiceStore
import SluiceTesting
import Testing

/// `sluice export --slsa`: SLSA Provenance v1 siblings of the lineage envelopes, checked by `sluice verify BUNDLE`.
@Suite("Export bundles with SLSA provenance", .timeLimit(.minutes(2)))
struct ExportProvenanceTests {
    /// Runs the export fixture and exports it with SLSA provenance signed by the state directory's key.
    static func exported(in directory: String) async throws -> (run: RecordedRun, bundle: String, key: SigningKey) {
        let run = try await EngineHarness.run(ExportFixtures.workflow(name: "slsa"), in: directory)
        try #require(run.summary.phase == .succeeded)
        let key = try KeyStore.signingKey(path: nil, stateDirectory: run.stateDirectory).key
        var exporter = BundleExporter(store: run.store, stateDirectory: run.stateDirectory)
        exporter.provenanceKey = key
        let summary = try exporter.export(run: run.run, to: directory + "/bundle")
        #expect(summary.provenanceEnvelopes == 2)
        return (run, directory + "/bundle", key)
    }

    static func envelope(_ path: String) throws -> Envelope {
        try Envelope(jsonBytes: [UInt8](Data(contentsOf: URL(fileURLWithPath: path))))
    }

    @Test("each succeeded node gets an SLSA envelope over its subjects, derived from its lineage, and it verifies")
    func provenanceVerifies() async throws {
        try await EngineHarness.withDirectory { directory in
            let (run, bundle, key) = try await Self.exported(in: directory)
            let consume = try run.node("consume")
            let lineage = try Self.envelope(bundle + "/envelopes/\(consume.id).intoto.json")
            let slsa = try Self.envelope(bundle + "/envelopes/\(consume.id).slsa.intoto.json")
            #expect(try slsa.verify(trustedKeys: [key.publicKey]) == key.publicKey)
            let lineageStatement = try Statement(payloadBytes: lineage.payload)
            let statement = try Statement(payloadBytes: slsa.payload)
            #expect(statement.predicateType == "https://slsa.dev/provenance/v1")
            #expect(statement.subjects == lineageStatement.subjects)
            let predicate = statement.predicate
            #expect(predicate["buildDefinition"]?["buildType"] == "https://sluice.dev/buildtypes/argo-node/v1")
            #expect(predicate["buildDefinition"]?["externalParameters"]?["template"] == "consume")
            #expect(predicate["buildDefinition"]?["externalParameters"]?["workflow"] == "slsa")
            #expect(predicate["buildDefinition"]?["internalParameters"]?["image"] == "alpine")
            #expect(
                predicate["buildDefinition"]?["resolvedDependencies"]?.arrayValue?.compactMap {
                    $0["name"]?.stringValue
                }
                    == ["data", "produce.outputs/parameters/note"])
            #expect(predicate["runDetails"]?["builder"]?["id"] == "https://sluice.dev/engine/local")
            #expect(
                predicate["runDetails"]?["byproducts"]?[0]?["digest"]?["sha256"] == .string(lineage.payloadDigest.hex))

            let report = try BundleVerifier().verify(bundleAt: bundle)
            #expect(report.failures == [])
            #expect(report.verifiedEnvelopes == 2)  // SLSA siblings are checked, not counted as lineage
            #expect(report.findings.filter { $0.ok && $0.file.hasSuffix(".slsa.intoto.json") }.count == 2)
            // `sluice conformance` checks lineage envelopes only: the SLSA siblings are skipped.
            let conformance = try EnvelopeConformance().check(directory: bundle)
            #expect(conformance.violations == [])
            #expect(conformance.envelopes == 4)  // two files and two lines of envelopes.intoto.jsonl
        }
    }

    @Test("an SLSA envelope re-signed with a changed claim, or signed by another key, fails naming its file")
    func forgedProvenanceFails() async throws {
        try await EngineHarness.withDirectory { directory in
            let (run, bundle, key) = try await Self.exported(in: directory)
            let file = "envelopes/\(try run.node("produce").id).slsa.intoto.json"
            let original = try Statement(payloadBytes: try Self.envelope(bundle + "/" + file).payload)
            var runDetails = try #require(original.predicate["runDetails"]?.objectValue)
            runDetails["builder"] = ["id": "https://builder.example/hardened"]
            var predicate = try #require(original.predicate.objectValue)
            predicate["runDetails"] = .object(runDetails)
            let forged = Statement(
                subjects: original.subjects, predicateType: original.predicateType, predicate: .object(predicate))

            let claimed = directory + "/claimed"
            try ExportFixtures.copyTree(bundle, to: claimed)
            try Data(forged.signed(with: key).jsonBytes()).write(to: URL(fileURLWithPath: claimed + "/" + file))
            try ExportFixtures.rewriteManifest(of: claimed)
            let report = try BundleVerifier().verify(bundleAt: claimed)
            #expect(
                report.failures.map(\.description)
                    == [
                        "FAIL \(file): it does not match envelopes/\(try run.node("produce").id).intoto.json: "
                            + "predicate.runDetails differ"
                    ])

            let stranger = directory + "/stranger"
            try ExportFixtures.copyTree(bundle, to: stranger)
            let other = GovernanceFixtures.signingKey(seedByte: 77)
            try Data(original.signed(with: other).jsonBytes()).write(to: URL(fileURLWithPath: stranger + "/" + file))
            try ExportFixtures.rewriteManifest(of: stranger)
            let strangerReport = try BundleVerifier().verify(bundleAt: stranger)
            #expect(strangerReport.failures.map(\.file) == [file], "\(strangerReport.failures)")
        }
    }

    @Test("exporting with a key other than the run's lineage key is refused before anything is written")
    func wrongKeyRefused() async throws {
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(ExportFixtures.workflow(name: "slsa-key"), in: directory)
            var exporter = BundleExporter(store: run.store, stateDirectory: run.stateDirectory)
            let other = GovernanceFixtures.signingKey(seedByte: 78)
            exporter.provenanceKey = other
            #expect(
                throws: ExportError.provenanceKeyMismatch(
                    run: run.run.name, signer: run.run.signerKeyID, given: other.publicKey.keyID)
            ) {
                try exporter.export(run: run.run, to: directory + "/bundle")
            }
            #expect(!FileManager.default.fileExists(atPath: directory + "/bundle"))
        }
    }
}

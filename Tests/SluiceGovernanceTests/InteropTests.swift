import Foundation
import SluiceExpressions
import SluiceGovernance
import SluiceTesting
import Testing

/// Whether `python3` can import securesystemslib here, and if not, why.
enum PythonInterop {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("interop/verify_envelope.py").path

    static let unavailableReason: String? = {
        do {
            let status = try run("/usr/bin/env", ["python3", "-c", "import securesystemslib.dsse, cryptography"])
            return status == 0 ? nil : "python3 cannot import securesystemslib (exit \(status))"
        } catch {
            return "python3 could not be started: \(error)"
        }
    }()

    static let isCI = ProcessInfo.processInfo.environment["CI"] != nil

    /// Runs the interop script and returns its exit status and combined output.
    static func verify(envelope: String, key: String) throws -> (status: Int32, output: String) {
        guard let result = HostProcess.capture(["python3", script, envelope, key]) else {
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "cannot start python3"])
        }
        return result
    }
}

@Suite("Interop with python-securesystemslib")
struct InteropTests {
    /// Locally the test skips without python3/securesystemslib; with CI set it runs and fails instead.
    @Test(
        "securesystemslib verifies our lineage envelope and rejects tampered copies",
        .enabled(
            if: PythonInterop.unavailableReason == nil || PythonInterop.isCI,
            "skipped: python3 with securesystemslib is not installed here (CI=1 turns this into a failure)"
        ),
        .timeLimit(.minutes(1))
    )
    func securesystemslibVerifies() throws {
        if let reason = PythonInterop.unavailableReason {
            Issue.record("CI is set but the interop check cannot run: \(reason)")
            return
        }
        try withGovernanceScratch { directory in
            let key = GovernanceFixtures.signingKey(seedByte: 42)
            let predicate = GovernanceFixtures.lineagePredicate(signer: key.publicKey)
            let envelope = GovernanceFixtures.signedLineage(
                subjects: [.init(name: "outputs/artifacts/model", sha256: .sha256(utf8: "weights"))],
                predicate: predicate,
                key: key
            )
            let envelopePath = directory + "/node.intoto.json"
            let pemPath = directory + "/run.pub"
            try Data(envelope.jsonBytes()).write(to: URL(fileURLWithPath: envelopePath))
            try writeFile(pemPath, key.publicKey.pem)

            let byPEM = try PythonInterop.verify(envelope: envelopePath, key: pemPath)
            #expect(byPEM.status == 0, "\(byPEM.output)")
            #expect(byPEM.output.contains("verified: keyid \(key.publicKey.keyID)"))
            let byHex = try PythonInterop.verify(envelope: envelopePath, key: key.publicKey.hex)
            #expect(byHex.status == 0, "\(byHex.output)")

            var tampered = envelope
            tampered.payload[tampered.payload.count / 2] ^= 0x01
            let tamperedPath = directory + "/tampered.intoto.json"
            try Data(tampered.jsonBytes()).write(to: URL(fileURLWithPath: tamperedPath))
            let rejected = try PythonInterop.verify(envelope: tamperedPath, key: pemPath)
            #expect(rejected.status == 1, "\(rejected.output)")
            #expect(rejected.output.contains("NOT VERIFIED"))

            var retyped = envelope
            retyped.payloadType = "application/json"
            let retypedPath = directory + "/retyped.intoto.json"
            try Data(retyped.jsonBytes()).write(to: URL(fileURLWithPath: retypedPath))
            #expect(try PythonInterop.verify(envelope: retypedPath, key: pemPath).status == 1)

            let stranger = GovernanceFixtures.signingKey(seedByte: 43)
            #expect(try PythonInterop.verify(envelope: envelopePath, key: stranger.publicKey.hex).status == 1)
        }
    }

    @Test(
        "securesystemslib verifies our SLSA Provenance v1 sibling envelope",
        .enabled(
            if: PythonInterop.unavailableReason == nil || PythonInterop.isCI,
            "skipped: python3 with securesystemslib is not installed here (CI=1 turns this into a failure)"
        ),
        .timeLimit(.minutes(1))
    )
    func securesystemslibVerifiesProvenance() throws {
        if let reason = PythonInterop.unavailableReason {
            Issue.record("CI is set but the interop check cannot run: \(reason)")
            return
        }
        try withGovernanceScratch { directory in
            let key = GovernanceFixtures.signingKey(seedByte: 44)
            let lineage = GovernanceFixtures.signedLineage(
                subjects: [.init(name: "outputs/artifacts/model", sha256: .sha256(utf8: "weights"))],
                predicate: GovernanceFixtures.lineagePredicate(signer: key.publicKey),
                key: key
            )
            let statement = try Statement(payloadBytes: lineage.payload)
            let provenance = SLSAProvenance.statement(
                lineage: statement, predicate: try LineagePredicate(json: statement.predicate),
                lineagePayloadDigest: lineage.payloadDigest,
                workflowParameters: [ParameterValue(name: "seed", value: "s1")])
            let envelopePath = directory + "/node.slsa.intoto.json"
            let pemPath = directory + "/run.pub"
            try Data(provenance.signed(with: key).jsonBytes()).write(to: URL(fileURLWithPath: envelopePath))
            try writeFile(pemPath, key.publicKey.pem)

            let verified = try PythonInterop.verify(envelope: envelopePath, key: pemPath)
            #expect(verified.status == 0, "\(verified.output)")
            #expect(verified.output.contains("verified: keyid \(key.publicKey.keyID)"))
            #expect(verified.output.contains("predicateType https://slsa.dev/provenance/v1"))
        }
    }
}

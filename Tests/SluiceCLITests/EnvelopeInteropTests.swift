import Foundation
import SluiceStore
import SluiceTesting
import Testing

/// Whether `python3` can import securesystemslib here, and the script that verifies an envelope with it.
enum SecuresystemslibCheck {
    static let script = SluiceCLI.repository + "/Tests/SluiceGovernanceTests/interop/verify_envelope.py"

    static let isCI = ProcessInfo.processInfo.environment["CI"] != nil

    /// Why the check cannot run here, or nil when it can.
    static let unavailableReason: String? = {
        do {
            let result = try python(["-c", "import securesystemslib.dsse, cryptography"])
            return result.status == 0 ? nil : "python3 cannot import securesystemslib (exit \(result.status))"
        } catch {
            return "python3 could not be started: \(error)"
        }
    }()

    /// Runs `python3 ARGS...` and returns its status and combined output.
    static func python(_ arguments: [String]) throws -> (status: Int32, output: String) {
        guard let result = HostProcess.capture(["python3"] + arguments) else {
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "cannot start python3"])
        }
        return result
    }
}

@Suite("Envelope interop with python-securesystemslib")
struct EnvelopeInteropTests {
    /// Locally the test skips without python3/securesystemslib; with CI set it runs and fails instead.
    @Test(
        "securesystemslib verifies an envelope sluice run recorded, with the run's signer.pub.pem",
        .enabled(
            if: SecuresystemslibCheck.unavailableReason == nil || SecuresystemslibCheck.isCI,
            "skipped: python3 with securesystemslib is not installed here (CI=1 turns this into a failure)"),
        .timeLimit(.minutes(2))
    )
    func securesystemslibVerifiesRunEnvelope() async throws {
        if let reason = SecuresystemslibCheck.unavailableReason {
            Issue.record("CI is set but the interop check cannot run: \(reason)")
            return
        }
        try await SluiceCLI.withScratch { cli in
            let file = try cli.write(CLIWorkflows.hello, name: "hello.yaml")
            #expect(try cli.run(["run", file]).status == 0)
            let store = try Store(stateDirectory: cli.home)
            let run = try store.run(named: "@latest")
            let envelopes = try store.envelopes(runID: run.id)
            #expect(envelopes.count == 2)
            let envelope = try #require(envelopes.first)
            let exported = cli.directory + "/exported"
            try FileManager.default.createDirectory(atPath: exported, withIntermediateDirectories: true)
            let envelopePath = exported + "/greet.intoto.json"
            let keyPath = exported + "/signer.pub.pem"
            try envelope.envelopeJSON.write(to: URL(fileURLWithPath: envelopePath))
            try FileManager.default.copyItem(atPath: cli.home + "/runs/\(run.name)/signer.pub.pem", toPath: keyPath)

            let verified = try SecuresystemslibCheck.python([SecuresystemslibCheck.script, envelopePath, keyPath])
            #expect(verified.status == 0, "\(verified.output)")
            #expect(
                verified.output.hasPrefix(
                    "verified: keyid \(run.signerKeyID), payloadType "
                        + "application/vnd.in-toto+json"), "\(verified.output)")

            // The same check rejects the envelope once its payload is altered.
            var json = try #require(try JSONSerialization.jsonObject(with: envelope.envelopeJSON) as? [String: Any])
            let encoded = try #require(json["payload"] as? String)
            let payload = try #require(Data(base64Encoded: encoded))
            var altered = [UInt8](payload)
            altered[altered.count / 2] ^= 0x01
            json["payload"] = Data(altered).base64EncodedString()
            let alteredPath = exported + "/altered.intoto.json"
            try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: alteredPath))
            let rejected = try SecuresystemslibCheck.python([SecuresystemslibCheck.script, alteredPath, keyPath])
            #expect(rejected.status == 1, "\(rejected.output)")
        }
    }

    @Test(
        "securesystemslib verifies an exported bundle's submission attestation and envelopes with its public key",
        .enabled(
            if: SecuresystemslibCheck.unavailableReason == nil || SecuresystemslibCheck.isCI,
            "skipped: python3 with securesystemslib is not installed here (CI=1 turns this into a failure)"),
        .timeLimit(.minutes(2))
    )
    func securesystemslibVerifiesBundle() async throws {
        if let reason = SecuresystemslibCheck.unavailableReason {
            Issue.record("CI is set but the interop check cannot run: \(reason)")
            return
        }
        try await SluiceCLI.withScratch { cli in
            let bundle = try ExportCLITests.exported(cli, slsa: true)
            // The workflow lists no authorities: the run key submitted the run and signed its lineage (and, with
            // --slsa, the SLSA Provenance siblings).
            let key = bundle + "/keys/signer.pub.pem"
            let files = try FileManager.default.contentsOfDirectory(atPath: bundle + "/envelopes").sorted()
                .map { "envelopes/" + $0 }
            #expect(files.count == 4)
            #expect(files.filter { $0.hasSuffix(".slsa.intoto.json") }.count == 2)
            for file in ["attestations/submission.intoto.json"] + files {
                let verified = try SecuresystemslibCheck.python([
                    SecuresystemslibCheck.script, bundle + "/" + file, key,
                ])
                #expect(verified.status == 0, "\(file): \(verified.output)")
                #expect(verified.output.hasPrefix("verified: keyid "), "\(file): \(verified.output)")
                if file.hasSuffix(".slsa.intoto.json") {
                    #expect(
                        verified.output.contains("predicateType https://slsa.dev/provenance/v1"), "\(verified.output)")
                }
            }
            let offline = try cli.run(["verify", bundle])
            #expect(offline.status == 0, "\(offline)")
        }
    }
}

import Foundation
import SluiceAudit
import SluiceEngine
import SluiceGovernance
import SluiceSpec
import SluiceStore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Lineage envelopes recorded by a real run, and `RunVerifier` re-checking them.
@Suite("Envelopes and RunVerifier", .timeLimit(.minutes(2)))
struct EnvelopeRecordTests {
    static let yaml = """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: lineage
        spec:
          entrypoint: main
          templates:
            - name: main
              steps:
                - - name: produce
                    template: produce
                - - name: consume
                    template: consume
                    arguments:
                      artifacts:
                        - {name: data, from: "{{steps.produce.outputs.artifacts.data}}"}
            - name: produce
              container:
                image: alpine
                command: [sh, -c, "printf 'payload' > /tmp/data.txt; printf 'v1' > /tmp/version; echo made"]
              outputs:
                artifacts:
                  - {name: data, path: /tmp/data.txt}
                parameters:
                  - name: version
                    valueFrom: {path: /tmp/version}
            - name: consume
              inputs:
                artifacts:
                  - {name: data, path: /tmp/data.txt}
              container:
                image: alpine
                command: [sh, -c, "cat /tmp/data.txt"]
        """

    @Test("every succeeded Pod has a stored, verifiable envelope whose subjects cover its outputs")
    func envelopesCoverOutputs() async throws {
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(Self.yaml, in: directory)
            #expect(run.summary.phase == .succeeded)
            let signer = try PublicKey(
                pem: String(
                    contentsOfFile: run.stateDirectory + "/runs/lineage/signer.pub.pem",
                    encoding: .utf8))
            #expect(signer.keyID == run.run.signerKeyID)
            let pods = run.nodes.filter { $0.type == .pod }
            #expect(pods.map(\.displayName) == ["produce", "consume"])
            let envelopes = try run.store.envelopes(runID: run.run.id)
            #expect(envelopes.count == 2)
            for pod in pods {
                let digest = try #require(pod.envelopeDigest, "\(pod.displayName) has no envelope digest")
                let record = try #require(try run.store.envelope(payloadDigest: digest))
                #expect(record.nodeID == pod.id)
                #expect(record.keyID == signer.keyID)
                let envelope = try Envelope(jsonBytes: [UInt8](record.envelopeJSON))
                #expect(envelope.payloadType == "application/vnd.in-toto+json")
                #expect(envelope.payloadDigest.hex == digest)
                #expect(try envelope.verify(trustedKeys: [signer]) == signer)
                let statement = try Statement(payloadBytes: envelope.payload)
                let outputs = try run.outputs(pod.displayName)
                for subject in LineageSigner.subjects(of: outputs) {
                    #expect(statement.subjects.contains(subject), "\(pod.displayName) misses \(subject.name)")
                }
            }
            let producedDigest = try #require(try run.node("produce").envelopeDigest)
            let producedRecord = try #require(try run.store.envelope(payloadDigest: producedDigest))
            let produced = try Statement(
                payloadBytes: Envelope(jsonBytes: [UInt8](producedRecord.envelopeJSON)).payload)
            #expect(
                produced.subjects.map(\.name).sorted()
                    == ["outputs/artifacts/data", "outputs/parameters/version", "outputs/result"])
            let data = try #require(produced.subjects.first { $0.name == "outputs/artifacts/data" })
            #expect(data.digest == ["sha256": Digest.sha256(Array("payload".utf8)).hex])
            let version = try #require(produced.subjects.first { $0.name == "outputs/parameters/version" })
            #expect(version.digest == ["sha256": Digest.sha256(Array("v1".utf8)).hex])
        }
    }

    @Test("RunVerifier reports every envelope ok, then the tampered artifact by name")
    func verifierFindsTampering() async throws {
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(Self.yaml, in: directory)
            let verifier = RunVerifier(store: run.store, stateDirectory: run.stateDirectory)
            let clean = try verifier.verify(run: run.run)
            #expect(clean.map(\.node) == ["produce", "consume"])
            let failures = clean.filter { !$0.ok }
            #expect(failures.isEmpty, "\(clean)")

            let artifact = try #require(try run.outputs("produce").artifacts.first)
            _ = chmod(artifact.storedPath, 0o644)
            try Data("altered".utf8).write(to: URL(fileURLWithPath: artifact.storedPath))
            let findings = try verifier.verify(run: run.run)
            let produce = try #require(findings.first { $0.node == "produce" })
            #expect(produce.ok == false)
            let altered = Digest.sha256(Array("altered".utf8))
            #expect(
                produce.detail == "artifact 'data' is sha256:\(artifact.digest) in the envelope but \(altered) "
                    + "in the store (\(artifact.storedPath))")
            #expect(findings.first { $0.node == "consume" }?.ok == true)
        }
    }
}

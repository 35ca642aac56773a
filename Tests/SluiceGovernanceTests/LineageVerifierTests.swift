import Foundation
import SluiceGovernance
import SluiceTesting
import Testing

@Suite("Lineage gate")
struct LineageVerifierTests {
    let runKey = GovernanceFixtures.signingKey(seedByte: 7)
    let otherKey = GovernanceFixtures.signingKey(seedByte: 8)
    let spec = GovernanceFixtures.specDigest()
    let modelDigest = Digest.sha256(utf8: "model weights")
    let subjectName = "outputs/artifacts/model"

    var gate: LineageVerifier {
        LineageVerifier(trustedKeys: [runKey.publicKey], runID: "run-1", workflowSpecDigest: spec)
    }

    /// An envelope from node `train` of run-1 over the model subject and an output parameter.
    func envelope(
        predicate: LineagePredicate? = nil,
        subjects: [Statement.Subject]? = nil,
        key: SigningKey? = nil
    ) -> Envelope {
        let signer = key ?? runKey
        return GovernanceFixtures.signedLineage(
            subjects: subjects ?? [
                .init(name: subjectName, sha256: modelDigest),
                .init(name: "outputs/parameters/accuracy", sha256: .sha256(utf8: "0.93")),
            ],
            predicate: predicate ?? GovernanceFixtures.lineagePredicate(signer: signer.publicKey),
            key: signer
        )
    }

    func check(
        _ envelope: Envelope,
        recorded: Digest? = nil,
        producer: String = "train",
        subject: String? = nil,
        actual: Digest? = nil,
        algorithm: String = "sha256",
        gate: LineageVerifier? = nil
    ) throws -> LineageVerifier.VerifiedInput {
        try (gate ?? self.gate).verifyInput(
            envelope: envelope.jsonBytes(),
            recordedPayloadDigest: recorded ?? envelope.payloadDigest,
            producerNode: producer,
            subjectName: subject ?? subjectName,
            actualDigest: actual ?? modelDigest,
            digestAlgorithm: algorithm
        )
    }

    @Test("a genuine input passes and returns the verified statement, predicate, subject and signer")
    func admits() throws {
        let signed = envelope()
        let verified = try check(signed)
        #expect(verified.signer == runKey.publicKey)
        #expect(verified.payloadDigest == signed.payloadDigest)
        #expect(verified.subject == Statement.Subject(name: subjectName, sha256: modelDigest))
        #expect(verified.predicate == GovernanceFixtures.lineagePredicate(signer: runKey.publicKey))
        #expect(verified.statement.predicateType == LineagePredicate.type)

        let parameter = try check(signed, subject: "outputs/parameters/accuracy", actual: .sha256(utf8: "0.93"))
        #expect(parameter.subject.name == "outputs/parameters/accuracy")
    }

    @Test("directory artifacts match on the dirHash digest key")
    func dirHash() throws {
        let treeDigest = Digest.sha256(utf8: "tree summary")
        let signed = envelope(subjects: [.init(name: subjectName, digest: ["dirHash": treeDigest.hex])])
        #expect(
            try check(signed, actual: treeDigest, algorithm: "dirHash").subject.digest == ["dirHash": treeDigest.hex])
        #expect(
            governanceError { try check(signed, actual: treeDigest) }
                == .subjectDigestMissing(name: subjectName, algorithm: "sha256"))
    }

    @Test("an artifact whose bytes changed is refused with both digests")
    func subjectDigestMismatch() {
        let tampered = Digest.sha256(utf8: "poisoned weights")
        let error = governanceError { try check(envelope(), actual: tampered) }
        #expect(error == .subjectDigestMismatch(name: subjectName, expected: modelDigest, actual: tampered))
        #expect(
            error?.description
                == "subject 'outputs/artifacts/model' digest \(modelDigest) does not match the artifact's \(tampered)")

        let parameterError = governanceError {
            try check(envelope(), subject: "outputs/parameters/accuracy", actual: .sha256(utf8: "0.99"))
        }
        #expect(
            parameterError?.description
                == "subject 'outputs/parameters/accuracy' digest \(Digest.sha256(utf8: "0.93")) does not match the parameter's \(Digest.sha256(utf8: "0.99"))"
        )
    }

    @Test("an envelope whose payload differs from the recorded digest is refused")
    func recordedDigest() {
        let recorded = Digest.sha256(utf8: "another payload")
        let signed = envelope()
        let error = governanceError { try check(signed, recorded: recorded) }
        #expect(error == .envelopeDigestMismatch(expected: recorded, actual: signed.payloadDigest))
        #expect(
            error?.description
                == "envelope payload digest \(signed.payloadDigest) differs from the recorded \(recorded)")
    }

    @Test("an envelope signed by an untrusted key is refused, naming the producing node and key")
    func untrusted() {
        let error = governanceError { try check(envelope(key: otherKey)) }
        #expect(error == .untrustedKey(keyID: otherKey.publicKey.keyID, node: "train"))
        #expect(
            error?.description
                == "envelope for node 'train' is signed by key \(otherKey.publicKey.keyID) which is not trusted")
    }

    @Test("a payload altered after signing is refused as a bad signature (even when the record was updated too)")
    func alteredPayload() throws {
        var forged = envelope()
        let predicate = GovernanceFixtures.lineagePredicate(runID: "run-1", signer: runKey.publicKey)
        forged.payload = Statement(
            subjects: [.init(name: subjectName, sha256: .sha256(utf8: "poisoned weights"))],
            predicateType: LineagePredicate.type,
            predicate: predicate.json
        ).payloadBytes()
        let error = governanceError { try check(forged, actual: .sha256(utf8: "poisoned weights")) }
        #expect(error == .badSignature(keyID: runKey.publicKey.keyID, node: "train"))
    }

    @Test("an envelope with another payloadType is refused")
    func payloadType() {
        let statement = Statement(
            subjects: [.init(name: subjectName, sha256: modelDigest)],
            predicateType: LineagePredicate.type,
            predicate: GovernanceFixtures.lineagePredicate(signer: runKey.publicKey).json
        )
        let signed = Envelope.sign(payload: statement.payloadBytes(), payloadType: "application/json", with: runKey)
        #expect(
            governanceError { try check(signed) }
                == .payloadTypeMismatch(expected: "application/vnd.in-toto+json", actual: "application/json"))
    }

    @Test("a statement of another _type or predicateType is refused")
    func statementTypes() {
        let oldType = Array(
            #"{"_type":"https://in-toto.io/Statement/v0.1","predicate":{},"predicateType":"x","subject":[{"digest":{"sha256":"00"},"name":"a"}]}"#
                .utf8)
        let old = Envelope.sign(payload: oldType, payloadType: Envelope.inTotoPayloadType, with: runKey)
        #expect(
            governanceError { try check(old) }
                == .statementTypeMismatch(
                    expected: "https://in-toto.io/Statement/v1", actual: "https://in-toto.io/Statement/v0.1"))

        let slsa = Statement(
            subjects: [.init(name: subjectName, sha256: modelDigest)],
            predicateType: "https://slsa.dev/provenance/v1",
            predicate: [:]
        ).signed(with: runKey)
        let error = governanceError { try check(slsa) }
        #expect(
            error == .predicateTypeMismatch(expected: LineagePredicate.type, actual: "https://slsa.dev/provenance/v1"))
        #expect(
            error?.description
                == "statement predicateType 'https://slsa.dev/provenance/v1' is not the expected 'https://sluice.dev/attestation/lineage/v0.2'"
        )
    }

    @Test("a malformed predicate inside a valid signature is refused naming the field")
    func malformedPredicate() {
        let statement = Statement(
            subjects: [.init(name: subjectName, sha256: modelDigest)], predicateType: LineagePredicate.type,
            predicate: ["workflow": [:]])
        let error = governanceError { try check(statement.signed(with: runKey)) }
        #expect(error == .malformedPredicate(field: "node", reason: "is missing"))
    }

    @Test("a predicate naming a signer other than the verifying key is refused")
    func signerBinding() {
        let claimsOther = GovernanceFixtures.lineagePredicate(signer: otherKey.publicKey)
        let error = governanceError { try check(envelope(predicate: claimsOther)) }
        #expect(error == .signerMismatch(claimed: otherKey.publicKey.keyID, actual: runKey.publicKey.keyID))

        var wrongDigest = GovernanceFixtures.lineagePredicate(signer: runKey.publicKey)
        wrongDigest.producer.signer.publicKeyDigest = .sha256(utf8: "x")
        #expect(
            governanceError { try check(envelope(predicate: wrongDigest)) }
                == .signerMismatch(
                    claimed: Digest.sha256(utf8: "x").description, actual: runKey.publicKey.spkiDigest.description))
    }

    @Test("an envelope from another run is refused")
    func otherRun() {
        let error = governanceError {
            try check(
                envelope(predicate: GovernanceFixtures.lineagePredicate(runID: "run-0", signer: runKey.publicKey)))
        }
        #expect(error == .runMismatch(expected: "run-1", actual: "run-0"))
        #expect(error?.description == "envelope belongs to run run-0, not run-1")
    }

    @Test("an envelope from another workflow spec is refused")
    func otherSpec() {
        let otherSpec = GovernanceFixtures.specDigest("edited spec")
        let predicate = GovernanceFixtures.lineagePredicate(specDigest: otherSpec, signer: runKey.publicKey)
        #expect(
            governanceError { try check(envelope(predicate: predicate)) }
                == .workflowSpecMismatch(expected: spec, actual: otherSpec))
    }

    @Test("an envelope produced by another node is refused")
    func otherNode() {
        let predicate = GovernanceFixtures.lineagePredicate(nodeID: "evaluate", signer: runKey.publicKey)
        let error = governanceError { try check(envelope(predicate: predicate)) }
        #expect(error == .producerNodeMismatch(expected: "train", actual: "evaluate"))
        #expect(error?.description == "envelope was produced by node 'evaluate', not 'train'")
    }

    @Test("a missing, duplicated or digest-less subject is refused")
    func subjects() {
        let missing = governanceError { try check(envelope(), subject: "outputs/artifacts/tokenizer") }
        #expect(missing == .subjectMissing(name: "outputs/artifacts/tokenizer", node: "train"))
        #expect(missing?.description == "envelope for node 'train' has no subject 'outputs/artifacts/tokenizer'")

        let twice = envelope(subjects: [
            .init(name: subjectName, sha256: modelDigest), .init(name: subjectName, sha256: modelDigest),
        ])
        #expect(governanceError { try check(twice) } == .subjectAmbiguous(name: subjectName, count: 2))

        let badHex = envelope(subjects: [.init(name: subjectName, digest: ["sha256": "ABC"])])
        #expect(
            governanceError { try check(badHex) }
                == .malformedStatement(
                    reason: "subject 'outputs/artifacts/model' digest 'ABC' is not 64 lowercase hex characters"))
    }

    @Test("subject names are compared byte for byte, not by Unicode equivalence")
    func byteWiseNames() {
        let composed = "outputs/artifacts/caf\u{E9}"
        let decomposed = "outputs/artifacts/cafe\u{301}"
        #expect(composed == decomposed)  // Swift's own == would have matched.
        let signed = envelope(subjects: [.init(name: composed, sha256: modelDigest)])
        #expect(
            governanceError { try check(signed, subject: decomposed) }
                == .subjectMissing(name: decomposed, node: "train"))
    }

    @Test("garbage instead of an envelope is refused as malformed")
    func garbage() {
        let error = governanceError {
            try gate.verifyInput(
                envelope: Array("not json".utf8), recordedPayloadDigest: modelDigest, producerNode: "train",
                subjectName: subjectName, actualDigest: modelDigest)
        }
        #expect(
            error?.description == "malformed DSSE envelope: malformed JSON at byte 0: invalid literal, expected 'null'")
    }
}

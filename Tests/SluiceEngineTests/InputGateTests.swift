import Foundation
import SluiceEngine
import SluiceExpressions
import SluiceGovernance
import SluiceSpec
import SluiceStore
import SluiceTesting
import Testing

/// The live input gate on its own: a real SQLite store, real keys and signatures, no node process. What the gate
/// adds to the pure `LineagePolicy` is gathering facts: the producer's envelope from the store, the bytes' digest
/// measured now, the revocations read fresh.
@Suite("Input gate without processes")
struct InputGateTests {
    /// One admitted run with a producer `train` whose envelope signs `outputs/parameters/model = v1`.
    struct Fixture {
        let store: Store
        let gate: InputGate
        let signerKey: SigningKey
        let origin: ParameterOrigin
        let envelopeDigest: String

        var consumer: GatedNode { GatedNode(displayName: "deploy", templateName: "deploy", runtime: "process") }

        func admit(value: String, origin: ParameterOrigin? = nil) -> Result<Admission, Refusal> {
            let origin = origin ?? self.origin
            return gate.admit(
                node: consumer, artifacts: [], origins: [origin],
                parameterValues: ["\(origin.nodeID)|\(origin.subjectName)": value])
        }
    }

    static func fixture(in directory: String) throws -> Fixture {
        let store = try Store(stateDirectory: directory)
        let key = GovernanceFixtures.signingKey(seedByte: 7)
        let document = try GovernanceDocument(json: nil)
        var run = StoreSupport.run(id: "run-gate", name: "gate")
        let workflowDigest = Digest.sha256(utf8: "workflow")
        run.workflowDigest = workflowDigest.hex
        run.signerKeyID = key.publicKey.keyID
        let governance = try RunGovernance.admit(
            document: document, submitterKey: key, lineageKey: key.publicKey, runID: run.id, workflowName: run.name,
            workflowDigest: workflowDigest, parametersDigest: CanonicalJSON.object([:]).digest,
            templates: .init(digest: .sha256(utf8: "templates")), recorded: nil)
        let signer = LineageSigner(
            key: key, runID: run.id, workflowName: run.name, workflowDigest: workflowDigest,
            governanceDigest: document.digest, constraintsDigest: document.constraintsDigest, runtimeKind: "process",
            trustSlope: governance.slope)
        var producer = NodeState(
            id: "gate-train", name: "gate.train", displayName: "train", type: .pod, templateName: "train",
            phase: .succeeded, sequence: 1)
        var outputs = NodeOutputs()
        outputs.parameters = [ParameterValue(name: "model", value: "v1")]
        producer.outputs = outputs
        let signed = signer.sign(
            node: producer, templateName: "train", attempt: 1, command: ["train"], image: nil, inputs: [],
            outputs: outputs, startedAt: Date(), finishedAt: Date())
        var record = StoreSupport.node(runID: run.id, id: producer.id, sequence: 1)
        record.phase = .succeeded
        record.envelopeDigest = signed.record.payloadDigest
        try store.record(Transition(run: run, nodes: [record], envelopes: [signed.record]))
        let gate = InputGate(
            store: store, runID: run.id, workflowDigest: workflowDigest, governance: governance,
            workflowFacts: .map([:]))
        let origin = ParameterOrigin(
            nodeID: producer.id, nodeDisplayName: "train", subjectName: "outputs/parameters/model",
            envelopeDigest: signed.record.payloadDigest)
        return Fixture(
            store: store, gate: gate, signerKey: key, origin: origin, envelopeDigest: signed.record.payloadDigest)
    }

    @Test("a value its producer signed is admitted, and the consumer's lineage names that envelope")
    func admitsSignedValue() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let fixture = try Self.fixture(in: directory)
            let admission = try fixture.admit(value: "v1").get()
            #expect(admission.lineage.map(\.name) == ["train.outputs/parameters/model"])
            #expect(admission.lineage.first?.envelopePayloadDigest?.hex == fixture.envelopeDigest)
            #expect(admission.lineage.first?.digest == ["sha256": Digest.sha256(utf8: "v1").hex])
            #expect(admission.chainDepth == 2)
        }
    }

    @Test("a value other than the signed one is refused: the gate measures the value, not a record")
    func refusesChangedValue() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let fixture = try Self.fixture(in: directory)
            guard case .failure(let refusal) = fixture.admit(value: "v2") else {
                Issue.record("a changed value was admitted")
                return
            }
            #expect(refusal.node == "deploy")
            #expect(refusal.input == "train.outputs/parameters/model", "\(refusal.check): \(refusal)")
            #expect(refusal.check == "subject-digest")
        }
    }

    @Test("an envelope the store does not hold is refused")
    func refusesUnknownEnvelope() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let fixture = try Self.fixture(in: directory)
            var origin = fixture.origin
            origin.envelopeDigest = String(repeating: "0", count: 64)
            guard case .failure(let refusal) = fixture.admit(value: "v1", origin: origin) else {
                Issue.record("an unknown envelope was admitted")
                return
            }
            #expect(refusal.input == "train.outputs/parameters/model", "\(refusal.check): \(refusal)")
            #expect(refusal.check == "envelope-missing")
        }
    }

    @Test("a key revoked after it signed refuses the next gate call: revocations are read fresh, not cached")
    func refusesRevokedKey() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let fixture = try Self.fixture(in: directory)
            #expect((try? fixture.admit(value: "v1").get()) != nil)
            _ = try fixture.store.addRevocation(
                RevocationRecord(
                    kind: .key, value: fixture.signerKey.publicKey.keyID, reason: "leaked", createdAt: Date()))
            guard case .failure(let refusal) = fixture.admit(value: "v1") else {
                Issue.record("a revoked key's envelope was admitted")
                return
            }
            #expect(refusal.description.contains("revoked"), "\(refusal)")
            #expect(refusal.check == "revoked")
        }
    }
}

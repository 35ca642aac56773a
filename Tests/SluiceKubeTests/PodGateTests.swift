import Foundation
import SluiceGovernance
import SluiceKube
import SluiceSpec
import SluiceTesting
import Testing

/// The in-pod gate over envelopes the pod signer made: the attacks of issue 11 decided without a pod.
@Suite("In-pod gate")
struct PodGateTests {
    static let workflow = """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {name: chain}
        spec:
          entrypoint: main
          templates:
            - name: main
              dag:
                tasks:
                  - {name: make, template: make}
                  - name: use
                    template: use
                    dependencies: [make]
                    arguments: {artifacts: [{name: data, from: "{{tasks.make.outputs.artifacts.data}}"}]}
            - name: make
              container: {image: busybox, command: [sh, -c, "echo hi > /tmp/data"]}
              outputs: {artifacts: [{name: data, path: /tmp/data}]}
            - name: use
              inputs: {artifacts: [{name: data, path: /tmp/data}]}
              container: {image: busybox, command: [cat, /tmp/data]}
        """

    static func facts(_ text: String = workflow, key: SigningKey = KubeFixtures.key) throws -> RunFacts {
        let loaded = try SpecLoader.load(text: text, file: "wf.yaml", clusterFeatures: true)
        return try KubeSubmission.facts(
            of: loaded.documents[0], library: TemplateLibrary(loaded.documents), overrides: [], submitterKey: key,
            lineageKey: key.publicKey, submittedOn: KubeFixtures.submittedOn)
    }

    static func node(_ name: String, template: String) -> NodeFacts {
        NodeFacts(
            id: "chain-\(name)", name: "chain.\(name)", displayName: name, templateName: template,
            templateDigest: nil, attempt: 1, image: "busybox", containers: [])
    }

    /// The producer's envelope over `data`.
    static func produced(_ data: String, run: RunFacts, key: SigningKey = KubeFixtures.key) throws -> Envelope {
        let signer = try PodSigner(key: key, run: run, node: node("make", template: "make"))
        return signer.sign(
            inputs: SessionInputs(inputs: [], chainDepth: 1, command: ["sh"]),
            outputs: SessionOutputs(
                subjects: [Statement.Subject(name: "outputs/artifacts/data", sha256: .sha256(utf8: data))],
                outcome: nil),
            startedOn: KubeFixtures.submittedOn, finishedOn: KubeFixtures.submittedOn)
    }

    static func input(_ data: String, envelope: Envelope?, recorded: Digest? = nil) -> PodGate.MeasuredInput {
        PodGate.MeasuredInput(
            name: "data", kind: .artifact, digest: .sha256(utf8: data),
            envelope: envelope?.jsonBytes(), recordedDigest: recorded)
    }

    @Test("an input its producer signed is admitted and linked to the producer's envelope")
    func admitted() throws {
        let run = try Self.facts()
        let envelope = try Self.produced("hi\n", run: run)
        let gate = try PodGate(run: run, node: Self.node("use", template: "use"))
        let admitted = try gate.admit([Self.input("hi\n", envelope: envelope, recorded: envelope.payloadDigest)]).get()
        #expect(admitted.chainDepth == 2)
        #expect(
            admitted.inputs == [
                LineagePredicate.Input(
                    name: "data", kind: .artifact, digest: ["sha256": Digest.sha256(utf8: "hi\n").hex],
                    producerNode: "chain-make", subjectName: "outputs/artifacts/data",
                    envelopePayloadDigest: envelope.payloadDigest)
            ])
    }

    @Test("a tampered input artifact is refused naming the digest")
    func tampered() throws {
        let run = try Self.facts()
        let envelope = try Self.produced("hi\n", run: run)
        let gate = try PodGate(run: run, node: Self.node("use", template: "use"))
        guard case .failure(let refusal) = gate.admit([Self.input("evil\n", envelope: envelope)]) else {
            Issue.record("a tampered input was admitted")
            return
        }
        #expect(refusal.check == "subject-digest")
        #expect(refusal.description.hasPrefix("node 'use' refused: input 'data': subject-digest: "))
    }

    @Test("an envelope from another run is refused")
    func anotherRun() throws {
        let run = try Self.facts()
        let other = try Self.facts(Self.workflow.replacingOccurrences(of: "name: chain}", with: "name: chain2}"))
        let envelope = try Self.produced("hi\n", run: other)
        let gate = try PodGate(run: run, node: Self.node("use", template: "use"))
        guard case .failure(let refusal) = gate.admit([Self.input("hi\n", envelope: envelope)]) else {
            Issue.record("another run's envelope was admitted")
            return
        }
        #expect(refusal.check == "chain-continuity")
        #expect(refusal.reason.contains(other.runID))
    }

    @Test("an earlier envelope than the one Argo recorded for the producer is refused")
    func notTheRecordedEnvelope() throws {
        let run = try Self.facts()
        let envelope = try Self.produced("hi\n", run: run)
        let later = try Self.produced("hi\n", run: run)  // another attempt: another invocation id
        let gate = try PodGate(run: run, node: Self.node("use", template: "use"))
        guard
            case .failure(let refusal) = gate.admit([
                Self.input("hi\n", envelope: envelope, recorded: later.payloadDigest)
            ])
        else {
            Issue.record("an envelope Argo did not record was admitted")
            return
        }
        #expect(refusal.check == "envelope-digest")
    }

    @Test("an envelope signed by a key the governance does not admit is refused")
    func untrustedKey() throws {
        let run = try Self.facts()
        let stranger = GovernanceFixtures.signingKey(seedByte: 9)
        let foreign = try Self.facts(key: stranger)
        let envelope = try PodSigner(key: stranger, run: foreign, node: Self.node("make", template: "make")).sign(
            inputs: SessionInputs(inputs: [], chainDepth: 1, command: []),
            outputs: SessionOutputs(
                subjects: [.init(name: "outputs/artifacts/data", sha256: .sha256(utf8: "hi\n"))],
                outcome: nil),
            startedOn: KubeFixtures.submittedOn, finishedOn: KubeFixtures.submittedOn)
        let gate = try PodGate(run: run, node: Self.node("use", template: "use"))
        guard case .failure(let refusal) = gate.admit([Self.input("hi\n", envelope: envelope)]) else {
            Issue.record("a stranger's envelope was admitted")
            return
        }
        #expect(refusal.check == "signature-trust")
    }

    @Test("a revoked key signs nothing: every node of a run whose lineage key is revoked is refused")
    func revokedKey() throws {
        let keyID = KubeFixtures.key.publicKey.keyID
        let governed = Self.workflow.replacingOccurrences(
            of: "  entrypoint: main\n",
            with: "  entrypoint: main\n  governance:\n    revocations: [{key: \"\(keyID)\", reason: laptop stolen}]\n")
        let run = try Self.facts(governed)
        let gate = try PodGate(run: run, node: Self.node("make", template: "make"))
        guard case .failure(let refusal) = gate.admit([]) else {
            Issue.record("a node of a revoked key's run was admitted")
            return
        }
        #expect(refusal.check == "revoked")
        #expect(refusal.reason.contains("laptop stolen"))
    }

    @Test("the signer refuses a key that is not the lineage key the run was rendered for")
    func wrongSignerKey() throws {
        let run = try Self.facts()
        #expect(throws: KubeError.self) {
            try PodSigner(
                key: GovernanceFixtures.signingKey(seedByte: 9), run: run, node: Self.node("make", template: "make"))
        }
    }

    @Test("run facts read back as written; node display names follow Argo's node names")
    func facts() throws {
        let run = try Self.facts()
        #expect(try RunFacts(json: run.json) == run)
        #expect(NodeFacts.displayName(of: "wf.train") == "train")
        #expect(NodeFacts.displayName(of: "wf[0].step(1:a.b)") == "step(1:a.b)")
        #expect(NodeFacts.displayName(of: "wf") == "wf")
        #expect(Self.node("x(0)", template: "t").task == "x")
    }
}

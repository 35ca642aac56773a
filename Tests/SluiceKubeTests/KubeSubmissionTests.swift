import Foundation
import SluiceExpressions
import SluiceGovernance
import SluiceKube
import SluiceSpec
import SluiceTesting
import Testing

/// `kube render --submission`: a submission attestation signed elsewhere (an event trigger, CI) roots the run's
/// trust slope when the governance admits its key to submit and it covers exactly what is rendered.
@Suite("kube render --submission")
struct KubeSubmissionTests {
    /// The platform signs lineage; the trigger may only submit.
    static let platform = KubeFixtures.key
    static let trigger = GovernanceFixtures.signingKey(seedByte: 9)
    static let outsider = GovernanceFixtures.signingKey(seedByte: 11)

    static func workflow(command: String = "echo {{workflow.parameters.who}}") -> String {
        """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {generateName: triggered-}
        spec:
          entrypoint: main
          governance:
            version: sluice.dev/governance/v1
            authorities:
              - {name: platform, publicKey: "\(platform.publicKey.hex)", roles: [submit, sign]}
              - {name: trigger, publicKey: "\(trigger.publicKey.hex)", roles: [submit]}
          arguments: {parameters: [{name: who, value: world}]}
          templates:
            - name: main
              container: {image: busybox, command: [sh, -c, "\(command)"]}
        """
    }

    /// Renders `text` as the platform, adopting `submission` when given.
    static func render(
        _ text: String, submitter: SigningKey = platform, submission: Envelope? = nil,
        overrides: [(name: String, value: String)] = []
    ) throws(KubeError) -> KubeRendering {
        let loaded: LoadedFile
        do {
            loaded = try SpecLoader.load(text: text, file: "wf.yaml", clusterFeatures: true)
        } catch {
            throw .invalidWorkflow(error)
        }
        var options = KubeRenderOptions()
        options.submission = submission
        return try KubeRenderer.render(
            loaded, library: TemplateLibrary(loaded.documents),
            overrides: overrides.map { ParameterValue(name: $0.name, value: $0.value) }, submitterKey: submitter,
            lineageKey: platform.publicKey, submittedOn: KubeFixtures.submittedOn, options: options)
    }

    /// What the trigger signs for `text` (the attestation `sluice kube attest` writes).
    static func attested(_ text: String, by key: SigningKey = trigger) throws -> Envelope {
        try render(text, submitter: key).facts.submission
    }

    @Test("the trigger's attestation roots the slope: its run id, name and submitter; the platform signs lineage")
    func adopted() throws {
        let submission = try Self.attested(Self.workflow())
        let rendering = try Self.render(Self.workflow(), submission: submission)
        let attestation = try SubmissionAttestation(statement: try Statement(payloadBytes: submission.payload))
        #expect(rendering.facts.runID == attestation.runID)
        #expect(rendering.facts.workflowName == attestation.workflowName)
        #expect(rendering.facts.submission == submission)
        #expect(rendering.facts.submitterKey == Self.trigger.publicKey)
        #expect(rendering.facts.trustSlope.map(\.authority) == ["trigger", "platform"])
        #expect(rendering.facts.trustSlope.first?.attestation == submission.payloadDigest)
        let annotation = rendering.tree["metadata"]?["annotations"]?["sluice.dev/submission"]?.scalarText
        #expect(annotation == String(decoding: submission.jsonBytes(), as: UTF8.self))
        // Without --submission the platform signs its own submission.
        #expect(try Self.render(Self.workflow()).facts.submitterKey == Self.platform.publicKey)
    }

    @Test("an attestation signed by a key the governance does not admit to submit is refused, naming the key")
    func wrongKey() throws {
        // The outsider's attestation of exactly this run: only the key is wrong.
        let genuine = try SubmissionAttestation(
            statement: try Statement(payloadBytes: try Self.attested(Self.workflow()).payload))
        var forged = genuine
        forged.submitterKeyID = Self.outsider.publicKey.keyID
        let envelope = forged.signed(with: Self.outsider)
        let error = try #require(throws: KubeError.self) { try Self.render(Self.workflow(), submission: envelope) }
        #expect(
            error.description
                == "submission refused: the submission attestation sha256:\(envelope.payloadDigest.hex) is not "
                + "signed by a key the governance admits to submit: envelope is signed by key "
                + "\(Self.outsider.publicKey.keyID) which is not trusted")
    }

    @Test("an attestation of another workflow, or of other parameters, is refused naming what differs")
    func anotherWorkflow() throws {
        let other = try Self.attested(Self.workflow(command: "echo bye"))
        let error = try #require(throws: KubeError.self) { try Self.render(Self.workflow(), submission: other) }
        #expect(error.description.hasPrefix("submission refused: workflow edited after submission: "), "\(error)")
        let parameters = try Self.attested(Self.workflow())
        let changed = try #require(throws: KubeError.self) {
            try Self.render(Self.workflow(), submission: parameters, overrides: [("who", "you")])
        }
        #expect(
            changed.description.hasPrefix("submission refused: parameters changed after submission: "),
            "\(changed)")
    }

    @Test("an attestation whose named submitter is not its signer is refused")
    func mislabelled() throws {
        var attestation = try SubmissionAttestation(
            statement: try Statement(payloadBytes: try Self.attested(Self.workflow()).payload))
        attestation.submitterKeyID = Self.platform.publicKey.keyID
        let envelope = attestation.signed(with: Self.trigger)
        let error = try #require(throws: KubeError.self) { try Self.render(Self.workflow(), submission: envelope) }
        #expect(
            error.description
                == "submission refused: the submission attestation names key \(Self.platform.publicKey.keyID) as "
                + "its submitter but is signed by \(Self.trigger.publicKey.keyID)")
    }
}

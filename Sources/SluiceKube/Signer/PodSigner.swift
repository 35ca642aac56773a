package import Foundation
package import SluiceGovernance

/// Signs one pod's lineage envelope with the key the signer holds: the identity fields (run, node, governance,
/// trust slope) come from the signer's own facts, the inputs and outputs from the wrapper's session.
package struct PodSigner: Sendable {
    /// The producer identity of envelopes signed in a cluster pod (local runs: `https://sluice.dev/engine/local`).
    package static let producerID = "https://sluice.dev/engine/kube"
    package static let version = "0.1.0"
    /// The runtime and isolation recorded for a pod.
    package static let runtime = "kubernetes"
    package static let isolation = "container"

    package let key: SigningKey
    package let run: RunFacts
    package let node: NodeFacts

    /// A signer for `node` of `run`.
    ///
    /// - Throws: ``KubeError/badOption(option:reason:)`` when `key` is not the key the run's trust slope ends at
    ///   (the Secret holds another key than the one the workflow was rendered for).
    package init(key: SigningKey, run: RunFacts, node: NodeFacts) throws(KubeError) {
        guard let last = run.trustSlope.last, last.keyID == key.publicKey.keyID else {
            throw .badOption(
                option: "--key",
                reason: "the key \(key.publicKey.keyID) is not the lineage key the run was rendered for "
                    + "(\(run.trustSlope.last?.keyID ?? "none"))")
        }
        self.key = key
        self.run = run
        self.node = node
    }

    /// The signed envelope.
    package func sign(inputs: SessionInputs, outputs: SessionOutputs, startedOn: Date, finishedOn: Date) -> Envelope {
        var predicate = LineagePredicate(
            workflow: .init(name: run.workflowName, runID: run.runID, specDigest: run.workflowDigest),
            node: .init(
                id: node.id, name: node.name, templateName: node.templateName, displayName: node.displayName,
                attempt: node.attempt, within: run.within(nodeName: node.name), templateDigest: node.templateDigest),
            invocationID: UUID().uuidString.lowercased(),
            producer: .init(
                id: Self.producerID, version: Self.version, runtime: Self.runtime,
                command: inputs.command, image: node.image, signer: .init(key: key.publicKey),
                containers: node.containers, isolation: Self.isolation),
            governance: .init(specDigest: run.governanceDigest, constraintsDigest: run.constraintsDigest),
            inputs: inputs.inputs,
            trustSlope: run.trustSlope,
            chainDepth: inputs.chainDepth,
            timing: .init(startedOn: startedOn, finishedOn: max(startedOn, finishedOn)))
        predicate.outcome = outputs.outcome
        let statement = Statement(
            subjects: outputs.subjects, predicateType: LineagePredicate.type,
            predicate: predicate.json)
        return Envelope.sign(payload: statement.payloadBytes(), payloadType: Envelope.inTotoPayloadType, with: key)
    }
}

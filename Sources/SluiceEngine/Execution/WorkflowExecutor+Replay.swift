import Foundation
import SluiceExpressions
import SluiceGovernance
import SluiceSpec
import SluiceStore

extension WorkflowExecutor {
    /// The node ended with the captured outputs of the node of the same name, when a replay reuses it; nil when
    /// the node runs.
    ///
    /// The captured outputs are re-verified against the captured envelope by a gate for the captured run (as a
    /// memoization hit from an earlier run is): signature by a key the captured governance admits, trust slope from
    /// the captured submission, revocations, every artifact re-hashed. A refusal ends the node in Error with the
    /// gate's message. Accepted outputs are re-signed by this run, the envelope's inputs naming the captured
    /// envelope, with the captured command, image and chain depth (a reuse does not lengthen the chain).
    func replayedNode(_ node: NodeState, template: Template) async throws(EngineError) -> NodeState? {
        guard let replay, [.container, .script, .containerSet].contains(template.kind),
            node.name.hasPrefix(lineage.workflowName),
            let captured = replay.reusable[String(node.name.dropFirst(lineage.workflowName.count))]
        else { return nil }
        var node = node
        let capturedGate = gate.forEarlierRun(
            runID: replay.runID, workflowDigest: replay.workflowDigest, submissionDigest: replay.submissionDigest,
            chain: replay.chain)
        let recorded = RecordedOutputs(
            outputs: captured.outputs, nodeID: captured.id, nodeName: captured.displayName,
            envelopeDigest: captured.envelopeDigest.hex)
        switch await verify(recorded, node: node, template: template, gate: capturedGate) {
        case .failure(let refusal):
            return try await refuse(node, refusal, saying: "captured outputs refused: ")
        case .success(let admitted):
            let signed = resign(
                captured.outputs, node: node, template: template, admission: admitted,
                chainDepth: captured.chainDepth, command: captured.command, image: captured.image,
                replayed: .init(
                    bundle: String(replay.label.dropFirst("bundle ".count)), runID: replay.runID,
                    envelopePayloadDigest: captured.envelopeDigest, originVerified: replay.isOriginTrusted))
            node.outputs = signed.outputs
            node.envelopeDigest = signed.envelope.payloadDigest
            node.phase = .succeeded
            node.message = "Reused from \(replay.label) envelope \(captured.envelopeDigest)"
            for parameter in template.outputs?.parameters ?? [] {
                guard let globalName = parameter.globalName,
                    let value = signed.outputs.parameters.first(where: { $0.name == parameter.name })?.value
                else { continue }
                await coordinator.setGlobalParameter(
                    globalName, value: value, provenance: node.provenance(of: "outputs/parameters/\(parameter.name)"))
            }
            try await coordinator.update(node, envelope: signed.envelope)
            return node
        }
    }
}

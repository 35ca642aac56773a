import SluiceGovernance
import SluiceRuntimes
import SluiceSpec
import SluiceStore

extension WorkflowExecutor {
    /// Verifies the node outputs that a control-flow decision read (`when`, `withParam`, a hook's `expression`)
    /// against their producers' envelopes before the decision is acted on: live, and on resume, where the values
    /// come back from the state database.
    ///
    /// - Returns: the refusal naming the value and its producer, or nil.
    func verifyDecision(_ decision: String, sources: Set<ValueSource>, displayName: String, templateName: String?)
        async -> Refusal?
    {
        let origins = sources.outputs
        guard !origins.isEmpty else { return nil }
        let node = GatedNode(displayName: displayName, templateName: templateName ?? "", runtime: runtime.kind)
        return gate.verifyDecision(decision, node: node, origins: origins, values: await upstreamValues(of: origins))
    }

    /// Records the step or task whose deciding value did not verify: an Error node with the refusal's message and
    /// a denial, as for inputs (the run then exits 3).
    func refuseDecision(
        _ refusal: Refusal, name: String, displayName: String, templateName: String?, boundaryID: String?,
        parentID: String?
    ) async throws(EngineError) -> NodeState {
        let node = try await coordinator.createNode(
            name: name, displayName: displayName, type: .skipped, templateName: templateName, phase: .error,
            boundaryID: boundaryID, parentID: parentID, message: refusal.description)
        return try await refuse(node, refusal)
    }
}

extension WorkflowExecutor {
    /// Verifies a node an earlier engine recorded as Succeeded before it is reused on resume (see
    /// ``InputGate/verifyReusable(_:nodeID:envelopeDigest:)``).
    ///
    /// - Returns: the refusal, or nil when the node may be reused.
    func verifyReused(_ node: NodeState) async -> Refusal? {
        let gated = GatedNode(
            displayName: node.displayName, templateName: node.templateName ?? "",
            runtime: runtime.kind)
        return gate.verifyReusable(gated, nodeID: node.lineageNodeID ?? node.id, envelopeDigest: node.envelopeDigest)
    }
}

import SluiceExpressions
import SluiceGovernance
import SluiceRuntimes
import SluiceSpec
import SluiceStore

extension WorkflowExecutor {
    /// Signs the outputs a steps or DAG template computed, as the engine's own lineage: each output's sources
    /// (the pod outputs it was derived from, verified against their envelopes now, and any value no node signed)
    /// become the envelope's inputs, named by the output they feed, so `sluice verify` and offline verification
    /// follow the chain from the value to its producers.
    ///
    /// - Returns: the envelope to record with the node, or a refusal when a source does not verify (the node then
    ///   ends in Error, with a denial).
    func signComputedOutputs(of node: NodeState, template: Template) async
        -> Result<(node: NodeState, envelope: EnvelopeRecord?), Refusal>
    {
        var node = node
        guard let outputs = node.outputs, !outputs.parameters.isEmpty || !outputs.artifacts.isEmpty else {
            return .success((node, nil))
        }
        let gated = GatedNode(displayName: node.displayName, templateName: template.name, runtime: runtime.kind)
        var lineage: [LineagePredicate.Input] = []
        var chainDepth = 1
        for parameter in outputs.parameters {
            let subject = "outputs/parameters/\(parameter.name)"
            let sources = node.outputProvenance?[subject] ?? []
            let digest = Digest.sha256(Array(parameter.value.utf8)).hex
            var unsigned = sources.sorted { $0.sortKey < $1.sortKey }.compactMap {
                UnsignedInput(name: subject, kind: .parameter, source: $0, digest: digest)
            }
            if sources.isEmpty {
                unsigned = [
                    UnsignedInput(
                        name: subject, kind: .parameter, source: UnsignedInput.literal,
                        sourceName: nil, digest: digest)
                ]
            }
            let origins = sources.outputs
            switch gate.admit(
                node: gated, artifacts: [], origins: origins,
                parameterValues: await upstreamValues(of: origins), unsigned: unsigned,
                appliesConstraints: false)
            {
            case .failure(let refusal): return .failure(refusal)
            case .success(let admitted):
                lineage += admitted.lineage.map { entry in
                    var entry = entry
                    entry.name = subject
                    return entry
                }
                chainDepth = max(chainDepth, admitted.chainDepth)
            }
        }
        // Artifacts keep their producer (consumers verify them against the pod that made them); the envelope
        // links each to that producer's envelope.
        var artifacts: [ResolvedArtifact] = []
        for artifact in outputs.artifacts where artifact.producerNodeID != node.id {
            // The producer signed it under its own output name, which the template's output may rename.
            guard let producer = await coordinator.node(artifact.producerNodeID),
                let signed = producer.outputs?.artifacts.first(where: { $0.digest == artifact.digest })
            else { continue }
            var reference = artifact.reference
            reference.name = signed.name
            artifacts.append(
                ResolvedArtifact(
                    name: "outputs/artifacts/\(artifact.name)", path: nil, reference: reference, from: nil))
        }
        if !artifacts.isEmpty {
            switch gate.admit(
                node: gated, artifacts: artifacts, origins: [], parameterValues: [:],
                appliesConstraints: false)
            {
            case .failure(let refusal): return .failure(refusal)
            case .success(let admitted):
                lineage += admitted.lineage
                chainDepth = max(chainDepth, admitted.chainDepth)
            }
        }
        let signed =
            lineage.isEmpty && outputs.artifacts.isEmpty && outputs.parameters.isEmpty
            ? nil
            : self.lineage.signComputed(
                node: node, templateName: template.identity, inputs: lineage, chainDepth: chainDepth,
                outputs: outputs, templateDigest: templateDigests[template.identity])
        node.envelopeDigest = signed?.record.payloadDigest
        return .success((node, signed?.record))
    }

    /// Records the end of a steps or DAG node: its computed outputs signed, or refused when a source of them does
    /// not verify.
    func finishOrchestration(_ node: NodeState, template: Template) async throws(EngineError) -> NodeState {
        guard node.phase == .succeeded else {
            try await coordinator.update(node)
            return node
        }
        switch await signComputedOutputs(of: node, template: template) {
        case .failure(let refusal):
            return try await refuse(node, refusal)
        case .success(let (signed, envelope)):
            try await coordinator.update(signed, envelope: envelope)
            return signed
        }
    }
}

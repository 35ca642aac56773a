import Foundation
import SluiceGovernance
import SluiceRuntimes
import SluiceSpec
import SluiceStore

extension WorkflowExecutor {
    /// A pod the gate admitted, with what to run for it.
    struct AdmittedPod {
        var invocation: NodeInvocation
        var argv: [String]
        var image: String?
        var pod: PodPlan
        var admission: Admission
        var nodeDirectory: String
    }

    /// How admitting a pod went: admitted, or ended already (refused, or its fields could not be rendered).
    enum PodAdmission {
        case admitted(AdmittedPod)
        case ended(NodeState)
    }

    /// How launching a pod went: its main process finished, or the node ended without one (cancelled, not started).
    enum PodLaunch {
        /// `mainStarted`: false when an init container failed first.
        case finished(NodeOutcome, mainStarted: Bool)
        case ended(NodeState)
    }

    /// Gate and plan: every input verified against its producer's signed lineage, what to run rendered, what the
    /// template's fields read admitted too, then the node's own constraints (images, isolation, `require`).
    func admitPod(
        _ template: Template, node: NodeState, scope: VariableScope, inputs: ResolvedInputs
    ) async throws(EngineError) -> PodAdmission {
        var node = node
        let runName = await coordinator.run.name
        // 1. The gate: every input verified against its producer's signed lineage.
        let within = await enclosingCalls(of: node)
        var gated = GatedNode(
            displayName: node.displayName, templateName: template.identity, runtime: runtime.kind,
            within: within)
        var admission: Admission
        switch gate.admit(
            node: gated, artifacts: inputs.artifacts, origins: inputs.origins,
            parameterValues: await upstreamValues(of: inputs.origins), unsigned: inputs.unsigned)
        {
        case .failure(let refusal):
            return .ended(try await refuse(node, refusal))
        case .success(let admitted):
            admission = admitted
        }

        // 2. What to run.
        let invocation: NodeInvocation
        let argv: [String]
        let image: String?
        let pod: PodPlan
        let fieldSources: Set<ValueSource>
        let nodeDirectory = StateLayout.nodeDirectory(in: runDirectory, nodeID: node.id)
        do {
            (invocation, argv, image, fieldSources) = try prepareInvocation(
                template, node: node, scope: scope, inputs: inputs, nodeDirectory: nodeDirectory, runName: runName)
            pod = try await podPlan(
                template, node: node, scope: scope, inputs: inputs, main: invocation, runName: runName)
        } catch {
            node.phase = .error
            node.message = error.description
            try await coordinator.update(node)
            return .ended(node)
        }
        // What the template's own fields read beyond its inputs (`workflow.outputs.parameters.X` in its args, …).
        switch await admitFieldSources(fieldSources.union(pod.sources), of: gated, inputs: inputs) {
        case .failure(let refusal):
            return .ended(try await refuse(node, refusal))
        case .success(let extra):
            admission.lineage += extra.lineage
            admission.facts += extra.facts
            admission.chainDepth = max(admission.chainDepth, extra.chainDepth)
        }
        // The node's own constraints (its images, `require` over all inputs) once the images are known.
        gated.image = image
        gated.isolation = runtime.isolation.rawValue
        gated.otherContainers = pod.otherContainers(main: invocation)
        admission.containers = gated.otherContainers
        if let refusal = gate.admitNode(gated, admission: admission) {
            return .ended(try await refuse(node, refusal))
        }
        return .admitted(
            AdmittedPod(
                invocation: invocation, argv: argv, image: image, pod: pod, admission: admission,
                nodeDirectory: nodeDirectory))
    }

    /// Gates what a pod's own fields read that its inputs did not already bring: node outputs (verified against
    /// their envelopes) and unsigned values, named by the variable's source.
    private func admitFieldSources(_ sources: Set<ValueSource>, of node: GatedNode, inputs: ResolvedInputs) async
        -> Result<Admission, Refusal>
    {
        let inputSources = inputs.provenance.values.reduce(into: Set<ValueSource>()) { $0.formUnion($1) }
        let extra = sources.subtracting(inputSources)
        let origins = extra.outputs.subtracting(inputs.origins)
        let unsigned = extra.sorted { $0.sortKey < $1.sortKey }.compactMap { source -> UnsignedInput? in
            // Only arguments reach a pod's fields other than through its inputs (`{{workflow.parameters.X}}`).
            let variable =
                if case .argument(let name) = source { "workflow.parameters.\(name)" } else { source.sortKey }
            let value = globals.value(variable)?.text ?? ""
            return UnsignedInput(
                name: variable, kind: .parameter, source: source,
                digest: Digest.sha256(Array(value.utf8)).hex)
        }
        guard !origins.isEmpty || !unsigned.isEmpty else { return .success(Admission()) }
        return gate.admit(
            node: node, artifacts: [], origins: origins, parameterValues: await upstreamValues(of: origins),
            unsigned: unsigned)
    }
}

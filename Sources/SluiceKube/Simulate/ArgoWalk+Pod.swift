import SluiceEngine
import SluiceExpressions

extension ArgoWalk {
    /// A container or script template ready to run as a pod: its inputs resolved, its variables bound.
    struct PodNode {
        var template: RenderedYAML
        var name: String
        var variables: [String: String]
        var parameters: [NamedValue]
        var artifacts: [(artifact: RepositoryArtifact, path: String)]
        var raw: [(name: String, path: String, data: String)]
    }

    /// Runs `pod` once as node `nodeName` (`{{retries}}` is `retries`) and records its Pod node.
    mutating func run(
        _ pod: PodNode, id: String, nodeName: String, displayName: String, retries: Int,
        runPod: (PodCall) async throws(KubeError) -> PodResult
    ) async throws(KubeError) -> Outcome {
        let podName = Self.podName(workflow: workflowName, template: pod.name, nodeID: id)
        var variables = pod.variables
        variables["node.name"] = nodeName
        variables["pod.name"] = podName
        variables["retries"] = String(retries)
        let call = PodCall(
            nodeID: id, nodeName: nodeName, displayName: displayName, podName: podName, templateName: pod.name,
            template: try Self.substitute(pod.template, variables, node: nodeName), inputParameters: pod.parameters,
            inputArtifacts: pod.artifacts, rawInputs: pod.raw)
        let result = try await runPod(call)
        var node = WalkedNode(
            id: id, name: nodeName, displayName: displayName, kind: .pod, templateName: pod.name, phase: result.phase)
        node.message = result.message
        node.inputParameters = pod.parameters
        node.inputArtifacts = pod.artifacts.map(\.artifact)
        node.outputs = result.outputs
        node.podName = podName
        node.startedAt = result.startedAt
        node.finishedAt = result.finishedAt
        nodes.append(node)
        return Outcome(id: id, phase: result.phase, outputs: result.outputs)
    }

    /// A template with a `retryStrategy`, as Argo's controller runs it: a Retry node `NAME` whose children are the
    /// attempts `NAME(0)`, `NAME(1)`, … (each its own pod, `{{retries}}` its index), run until one succeeds, the
    /// policy does not retry its phase, or `limit` retries are spent (then "No more retries left"). `backoff` is
    /// not waited for.
    ///
    /// - Throws: ``KubeError/simulation(reason:)`` for a strategy without a `limit` or with an `expression`.
    mutating func retry(
        _ pod: PodNode, strategy: RenderedYAML, id: String, nodeName: String, displayName: String,
        runPod: (PodCall) async throws(KubeError) -> PodResult
    ) async throws(KubeError) -> Outcome {
        var limitText = strategy["limit"]?.scalarText
        if let text = limitText { limitText = try Self.substitute(text, pod.variables, node: nodeName) }
        guard let limitText, let limit = Int(limitText), limit >= 0 else {
            throw .simulation(
                reason: "node '\(nodeName)': a retryStrategy without a numeric limit is not simulated")
        }
        guard strategy["expression"] == nil else {
            throw .simulation(reason: "node '\(nodeName)': a retryStrategy expression is not simulated")
        }
        let policy = strategy["retryPolicy"]?.scalarText ?? "OnFailure"
        let index = nodes.count
        var parent = WalkedNode(
            id: id, name: nodeName, displayName: displayName, kind: .retry, templateName: pod.name, phase: .succeeded)
        parent.inputParameters = pod.parameters
        parent.inputArtifacts = pod.artifacts.map(\.artifact)
        nodes.append(parent)
        var last = Outcome(id: id, phase: .error, outputs: PodOutputs())
        for attempt in 0...limit {
            let childName = "\(nodeName)(\(attempt))"
            let childID = NodeIdentity.id(workflowName: workflowName, nodeName: childName)
            last = try await run(
                pod, id: childID, nodeName: childName, displayName: "\(displayName)(\(attempt))", retries: attempt,
                runPod: runPod)
            nodes[index].children.append(childID)
            guard Self.retries(last.phase, policy: policy) else { break }
        }
        nodes[index].phase = last.phase
        nodes[index].outputs = last.outputs
        if last.phase != .succeeded {
            let retried = Self.retries(last.phase, policy: policy)
            nodes[index].message = retried ? "No more retries left" : nodes.last?.message
        }
        return Outcome(id: id, phase: last.phase, outputs: last.outputs)
    }

    /// Whether `policy` (Argo's `retryPolicy`) retries a pod that ended in `phase`.
    static func retries(_ phase: WalkPhase, policy: String) -> Bool {
        switch policy {
        case "Always": phase == .failed || phase == .error
        case "OnError": phase == .error
        case "OnTransientError": false
        default: phase == .failed  // OnFailure, Argo's default
        }
    }
}

import Foundation
import SluiceConcurrency
import SluiceExpressions
import SluiceGovernance
import SluiceRuntimes
import SluiceSpec
import SluiceStore

extension WorkflowExecutor {
    /// The in-sandbox path where a script template's source is staged (as Argo does).
    static let scriptPath = "/argo/staging/script"

    /// Runs a `container` or `script` template as a host process: gate, render, spawn, collect, sign, record.
    func runPod(_ template: Template, node: NodeState, scope: VariableScope, inputs: ResolvedInputs)
        async throws(EngineError) -> NodeState
    {
        let runID = await coordinator.run.id
        let admitted: AdmittedPod
        switch try await admitPod(template, node: node, scope: scope, inputs: inputs) {
        case .ended(let ended): return ended
        case .admitted(let pod): admitted = pod
        }
        if template.daemon == true, let daemons = DaemonScope.current {
            return try await startDaemon(
                template, node: node, invocation: admitted.invocation, pod: admitted.pod, argv: admitted.argv,
                image: admitted.image, admission: admitted.admission, scope: scope, in: daemons)
        }
        let outcome: NodeOutcome
        let mainStarted: Bool
        switch try await launchPod(admitted, node: node, runID: runID) {
        case .ended(let ended): return ended
        case .finished(let finished, let started): (outcome, mainStarted) = (finished, started)
        }
        return try await recordPod(
            template, node: node, scope: scope, admitted: admitted, outcome: outcome, mainStarted: mainStarted,
            runID: runID)
    }

    /// Runs the pod's processes (with its sidecars, or its containerSet's containers) under the node limit.
    func launchPod(_ admitted: AdmittedPod, node: NodeState, runID: String) async throws(EngineError) -> PodLaunch {
        var node = node
        let (invocation, pod) = (admitted.invocation, admitted.pod)
        await limiter.acquire()
        let started = Date()
        let outcome: NodeOutcome
        let mainStarted: Bool
        do {
            (outcome, mainStarted) = try await runPodProcesses(pod, main: invocation)
        } catch {
            await limiter.release()
            if case .cancelled = error {
                // Stopped from outside: the workflow's deadline passed (or the run is stopping).
                node.phase = .failed
                node.message = stopMessage
            } else if case .executableNotFound(let failed, _, _) = error, failed == invocation.nodeName {
                // Argo's emissary cannot start the main command either: the container exits 64, the node Fails (a
                // sidecar that cannot start stays an Error of the pod).
                node.phase = .failed
                node.message = "Error (exit code 64): \(error.description)"
                var outputs = NodeOutputs()
                outputs.exitCode = "64"
                node.outputs = outputs
            } else {
                node.phase = .error
                node.message = error.description
            }
            let attempt = AttemptRecord(
                runID: runID, nodeID: node.id, number: 1, startedAt: started, finishedAt: Date(),
                stdoutPath: HostFiles.existingLog(invocation.stdoutPath),
                stderrPath: HostFiles.existingLog(invocation.stderrPath), outcome: "error")
            try await coordinator.update(node, attempt: attempt)
            return .ended(node)
        }
        await limiter.release()
        return .finished(outcome, mainStarted: mainStarted)
    }

    /// Collects the outputs from the node's private filesystem, signs them, publishes global outputs and records
    /// the node, its attempt and its envelope in one transaction.
    func recordPod(
        _ template: Template, node: NodeState, scope: VariableScope, admitted: AdmittedPod, outcome: NodeOutcome,
        mainStarted: Bool, runID: String
    ) async throws(EngineError) -> NodeState {
        var node = node
        let invocation = admitted.invocation
        // 4. Outputs, collected from the node's private filesystem.
        var (outputs, phase, message) = Self.ending(of: outcome, invocation: invocation)
        do {
            try collectOutputs(
                of: template, into: &outputs, node: node, scope: scope, invocation: invocation,
                mainStarted: mainStarted, strict: phase == .succeeded)
        } catch {
            if phase == .succeeded {
                phase = .error
                message = error.description
            }
        }
        node.phase = phase
        node.message = message
        node.outputs = outputs
        node.progress = reportedProgress(of: invocation, succeeded: phase == .succeeded)
        // 5. Lineage.
        let (envelope, denial) = signPod(&node, template: template, scope: scope, admitted: admitted, outcome: outcome)
        if node.phase == .succeeded, let outputs = node.outputs {
            await publishGlobalOutputs(of: template, outputs: outputs, node: node)
        }
        let exitCode: Int32? = if case .exited(let code) = outcome.termination { code } else { nil }
        let signal: Int32? = if case .signaled(let value) = outcome.termination { value } else { nil }
        let attempt = AttemptRecord(
            runID: runID, nodeID: node.id, number: 1, processID: outcome.processID, startedAt: outcome.startedAt,
            finishedAt: outcome.finishedAt, exitCode: exitCode, signal: signal,
            stdoutPath: HostFiles.existingLog(invocation.stdoutPath),
            stderrPath: HostFiles.existingLog(invocation.stderrPath),
            outcome: outcome.timedOut
                ? "timeout" : node.phase == .succeeded ? "succeeded" : node.phase == .error ? "error" : "failed")
        node.finishedAt = outcome.finishedAt
        try await coordinator.update(node, attempt: attempt, envelope: envelope, denial: denial)
        sweeper.remove(admitted.nodeDirectory + "/root")
        return node
    }

    /// A pod's phase, message and exit code from how its process ended (a deadline fails it with its own message).
    static func ending(of outcome: NodeOutcome, invocation: NodeInvocation)
        -> (outputs: NodeOutputs, phase: NodePhase, message: String?)
    {
        var outputs = NodeOutputs()
        var phase: NodePhase
        switch outcome.termination {
        case .exited(let code):
            outputs.exitCode = String(code)
            phase = code == 0 ? .succeeded : .failed
        case .signaled(let signal):
            outputs.exitCode = String(128 + signal)
            phase = .failed
        }
        var message = outcome.failureMessage(memoryLimit: invocation.container?.memoryLimit)
        if outcome.timedOut {
            phase = .failed
            let limit = invocation.timeout.map { " (\($0.components.seconds)s)" } ?? ""
            message = "Step exceeded its deadline\(limit): the node's process group was killed"
        }
        return (outputs, phase, message)
    }

    /// Signs what the node produced (a Failed node's outputs too: whoever consumes them sees their true producer),
    /// for recording in the node's transaction. A key revoked while the node ran signs nothing: the node is refused
    /// (Error) instead, with the denial to record.
    private func signPod(
        _ node: inout NodeState, template: Template, scope: VariableScope, admitted: AdmittedPod, outcome: NodeOutcome
    ) -> (EnvelopeRecord?, DenialRecord?) {
        guard var outputs = node.outputs,
            node.phase == .succeeded || (node.phase == .failed && Self.hasValues(outputs))
        else { return (nil, nil) }
        if let refusal = gate.refuseSigning(node.displayName) {
            node.phase = .error
            node.message = refusal.description
            return (nil, denial(of: node, refusal))
        }
        let admission = admitted.admission
        let signed = lineage.sign(
            node: node, templateName: template.identity,
            attempt: (scope.value("retries").flatMap { Int($0.text) } ?? 0) + 1,
            command: admitted.argv,
            image: outcome.imageID.map { "\(admitted.image ?? "")@\($0)" } ?? admitted.image,
            inputs: admission.lineage, chainDepth: admission.chainDepth, outputs: outputs,
            startedAt: outcome.startedAt, finishedAt: outcome.finishedAt, within: admission.within,
            containers: admission.containers, templateDigest: templateDigests[template.identity],
            outcome: node.phase == .succeeded ? nil : node.phase.rawValue)
        node.envelopeDigest = signed.record.payloadDigest
        for index in outputs.artifacts.indices {
            outputs.artifacts[index].envelopeDigest = signed.record.payloadDigest
        }
        node.outputs = outputs
        return (signed.record, nil)
    }

    /// Publishes a succeeded pod's outputs that name a `globalName` as `workflow.outputs.artifacts/parameters.NAME`.
    func publishGlobalOutputs(of template: Template, outputs: NodeOutputs, node: NodeState) async {
        for artifact in template.outputs?.artifacts ?? [] {
            guard let globalName = artifact.globalName,
                let produced = outputs.artifacts.first(where: { $0.name == artifact.name })
            else { continue }
            await coordinator.setGlobalArtifact(globalName, reference: produced.reference)
        }
        for parameter in template.outputs?.parameters ?? [] {
            guard let globalName = parameter.globalName,
                let value = outputs.parameters.first(where: { $0.name == parameter.name })?.value
            else { continue }
            await coordinator.setGlobalParameter(
                globalName, value: value, provenance: node.provenance(of: "outputs/parameters/\(parameter.name)"))
        }
    }

    /// The steps and DAG calls `node` runs under, innermost first: each boundary node's template and the task or
    /// step that called it (its display name without a loop suffix).
    func enclosingCalls(of node: NodeState) async -> [LineagePredicate.Node.Call] {
        var calls: [LineagePredicate.Node.Call] = []
        var next = node.boundaryID
        var seen: Set<String> = []
        while let id = next, seen.insert(id).inserted, let boundary = await coordinator.node(id) {
            if let template = boundary.templateName {
                let task = GatedNode(displayName: boundary.displayName, templateName: template, runtime: "").taskName
                calls.append(LineagePredicate.Node.Call(template: template, task: task))
            }
            next = boundary.boundaryID
        }
        return calls
    }

    /// `path` when it has no `..` segment (checked after rendering, since parameters can hold anything).
    static func plainPath(_ path: String, output name: String) throws(EngineError) -> String {
        guard DeclaredPath.isPlain(path) else {
            throw .outputRefused(name: name, reason: "path '\(path)' must not have '..' segments")
        }
        return path
    }

    /// The recorded value of each node output in `origins`, keyed `NODE-ID|SUBJECT`, as the gate re-hashes it.
    func upstreamValues(of origins: Set<ParameterOrigin>) async -> [String: String] {
        var values: [String: String] = [:]
        for origin in origins {
            guard let upstream = await coordinator.node(origin.nodeID), let outputs = upstream.outputs else { continue }
            let key = "\(origin.nodeID)|\(origin.subjectName)"
            if origin.subjectName == "outputs/result" {
                values[key] = outputs.result
            } else if let parameter = outputs.parameters.first(where: {
                "outputs/parameters/\($0.name)" == origin.subjectName
            }) {
                values[key] = parameter.value
            }
        }
        return values
    }

    /// Whether a node produced any output a consumer could read (parameters, result, artifacts).
    static func hasValues(_ outputs: NodeOutputs) -> Bool {
        !outputs.parameters.isEmpty || outputs.result != nil || !outputs.artifacts.isEmpty
    }

    /// Records a gate refusal: the node ends in Error with the refusal's message and a denial names the check.
    func refuse(_ node: NodeState, _ refusal: Refusal, saying prefix: String = "") async throws(EngineError)
        -> NodeState
    {
        var node = node
        node.phase = .error
        node.message = prefix + refusal.description
        try await coordinator.update(node, denial: denial(of: node, refusal))
        return node
    }

    /// The denial row that records `refusal` of `node`.
    func denial(of node: NodeState, _ refusal: Refusal) -> DenialRecord {
        DenialRecord(
            runID: lineage.runID, nodeID: node.id, input: refusal.input, check: refusal.check,
            message: refusal.description, createdAt: Date())
    }
}

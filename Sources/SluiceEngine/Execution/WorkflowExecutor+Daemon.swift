import Foundation
import SluiceGovernance
import SluiceRuntimes
import SluiceSpec
import SluiceStore

extension WorkflowExecutor {
    /// Starts a `daemon: true` pod in the enclosing template's ``DaemonScope`` and returns its node still Running.
    ///
    /// Argo's daemoned node: the step or task counts as done (`.Daemoned` in `depends`) while the process keeps
    /// running; `{{steps.X.ip}}` is its container's own address under a container runtime, else the host's loopback
    /// address, since local processes share the host's network. With a
    /// `readinessProbe` the step returns once the probe passes (see ``awaitReadiness(of:check:probe:)``); without
    /// one, at once, and a client must retry until the daemon answers. When the enclosing template ends the
    /// daemon is killed and its node Succeeds (Argo's behaviour); a daemon that exits by itself ends by its exit
    /// code. Its envelope signs an empty set of outputs.
    func startDaemon(
        _ template: Template, node: NodeState, invocation: NodeInvocation, pod: PodPlan, argv: [String],
        image: String?, admission: Admission, scope: VariableScope, in daemons: DaemonScope
    ) async throws(EngineError) -> NodeState {
        var node = node
        node.message = nil
        try await coordinator.update(node)
        let executor = self
        let started = node
        let attempt = (scope.value("retries").flatMap { Int($0.text) } ?? 0) + 1
        daemons.launch {
            await executor.superviseDaemon(
                template, node: started, invocation: invocation, pod: pod, argv: argv, image: image,
                admission: admission, attempt: attempt, scope: daemons)
        }
        // Its clients reach it at its own address (a container's IP), known once it runs, as a pod's IP is.
        node.podIP = await awaitAddress(of: node.id, invocation: invocation)
        // Its dependents start once it is ready (a readinessProbe), as Argo waits for a daemon pod to be Ready.
        if let (check, probe) = readinessCheck(of: template, invocation: invocation, address: node.podIP),
            let ended = await awaitReadiness(of: node.id, check: check, probe: probe)
        {
            return ended
        }
        return node
    }

    /// Runs a daemon to its end (its own exit, or the scope closing) and records its final phase.
    private func superviseDaemon(
        _ template: Template, node: NodeState, invocation: NodeInvocation, pod: PodPlan, argv: [String],
        image: String?, admission: Admission, attempt: Int, scope: DaemonScope
    ) async {
        var node = node
        let runID = await coordinator.run.id
        let started = Date()
        var outcome: NodeOutcome?
        var outputs = NodeOutputs()
        do {
            let ended = try await runPodProcesses(pod, main: invocation).outcome
            outcome = ended
            switch ended.termination {
            case .exited(let code):
                outputs.exitCode = String(code)
                node.phase = code == 0 ? .succeeded : .failed
            case .signaled:
                node.phase = .failed
            }
            node.message = ended.failureMessage(memoryLimit: invocation.container?.memoryLimit)
        } catch {
            if case .cancelled = error {
                // Killed because its template ended (Argo marks it Succeeded), or because the run is stopping.
                node.phase = scope.isClosing ? .succeeded : .failed
                node.message = scope.isClosing ? nil : stopMessage
            } else {
                node.phase = .error
                node.message = error.description
            }
        }
        let finished = outcome?.finishedAt ?? Date()
        node.finishedAt = finished
        node.outputs = outputs
        var envelope: EnvelopeRecord?
        var denial: DenialRecord?
        if node.phase == .succeeded, let refusal = gate.refuseSigning(node.displayName) {
            node.phase = .error
            node.message = refusal.description
            denial = self.denial(of: node, refusal)
        }
        if node.phase == .succeeded {
            let signed = lineage.sign(
                node: node, templateName: template.identity, attempt: attempt, command: argv,
                image: outcome?.imageID.map { "\(image ?? "")@\($0)" } ?? image, inputs: admission.lineage,
                chainDepth: admission.chainDepth,
                outputs: outputs, startedAt: outcome?.startedAt ?? started, finishedAt: finished,
                within: admission.within, containers: admission.containers,
                templateDigest: templateDigests[template.identity])
            node.envelopeDigest = signed.record.payloadDigest
            envelope = signed.record
        }
        let exitCode: Int32? = if case .exited(let code) = outcome?.termination { code } else { nil }
        let signal: Int32? = if case .signaled(let value) = outcome?.termination { value } else { nil }
        let record = AttemptRecord(
            runID: runID, nodeID: node.id, number: attempt, processID: outcome?.processID,
            startedAt: outcome?.startedAt ?? started, finishedAt: finished, exitCode: exitCode, signal: signal,
            stdoutPath: HostFiles.existingLog(invocation.stdoutPath),
            stderrPath: HostFiles.existingLog(invocation.stderrPath),
            outcome: node.phase == .succeeded ? "succeeded" : node.phase == .error ? "error" : "failed")
        try? await coordinator.update(node, attempt: record, envelope: envelope, denial: denial)
        sweeper.remove(invocation.sandbox.nodeDirectory + "/root")
    }
}

import Foundation
import SluiceConcurrency
import SluiceExpressions
import SluiceGovernance
import SluiceRuntimes
import SluiceSpec
import SluiceStore

extension WorkflowEngine {
    /// Phase 3: starts the admitted run (after the workflow's synchronization locks), runs its entrypoint, hooks and
    /// exit handler, and records how it ended with the signed outcome.
    func execute(_ run: AdmittedRun) async throws(EngineError) -> RunSummary {
        let (store, name, runID, record) = (run.store, run.name, run.runID, run.record)
        let (previous, workflow) = (run.prepared.previous, run.prepared.workflow)
        let governance = run.governance
        let coordinator = RunCoordinator(
            store: store, run: record, observer: observer,
            previousNodes: previous?.nodes ?? [])
        // spec.synchronization: the run waits (Pending) for its locks before it starts.
        let (workflowLock, lockWaitCancelled) = try await Self.acquireWorkflowLocks(
            workflow.spec.synchronization, run: record, namespace: workflow.metadata.namespace ?? "default",
            store: store)
        defer { workflowLock?.release() }
        try await coordinator.start()
        if run.recordedSubmission == nil {
            let submission = governance.record(runID: runID)
            do {
                try store.saveAttestation(submission)
            } catch {
                throw .stateUnavailable(reason: error.description)
            }
        }
        if lockWaitCancelled {
            let reason = "Stopped while waiting for the workflow's synchronization locks"
            try await coordinator.finish(phase: .failed, message: reason, outputsJSON: nil)
            return RunSummary(name: name, id: runID, phase: .failed, message: reason, refused: false)
        }

        let globals = Self.globals(of: run)
        let gate = Self.gate(of: run)
        if previous != nil {
            // Whatever the dead engine's nodes left running is killed before any node runs again.
            _ = await LeftoverNodes.kill(runID: runID, store: store, runtimes: run.runtimes)
        }
        let sweeper = NodeRootSweeper()
        async let swept: Void = sweeper.run()
        let executor = makeExecutor(run, coordinator: coordinator, globals: globals, gate: gate, sweeper: sweeper)
        var (root, message) = try await Self.runEntrypoint(run, globals: globals, executor: executor)
        let status = root.phase.workflowStatus
        if let exitNode = await Self.runExitHandler(
            of: run, status: status, globals: globals, executor: executor, coordinator: coordinator),
            root.phase == .succeeded && exitNode.phase.isFailedOrError
        {
            root.phase = exitNode.phase
            message = exitNode.message
        }

        let phase: RunPhase =
            switch root.phase {
            case .succeeded, .skipped, .omitted: .succeeded
            case .failed: .failed
            default: .error
            }
        // Every node's private root is deleted before the run is recorded as ended.
        sweeper.finish()
        await swept
        let workflowOutputs = await coordinator.workflowOutputs()
        var outputs: String?
        if !workflowOutputs.isEmpty {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            outputs = (try? encoder.encode(["parameters": workflowOutputs])).map { String(decoding: $0, as: UTF8.self) }
        }
        try await coordinator.finish(phase: phase, message: message, outputsJSON: outputs)
        Self.attestOutcome(runID: runID, name: name, store: store, key: run.lineageKey, gate: gate)
        try? store.forgetNodeProcesses(runID: runID)
        let refused = ((try? store.denials(runID: runID)) ?? []).isEmpty == false
        return RunSummary(name: name, id: runID, phase: root.phase, message: message, refused: refused)
    }

    /// The workflow's global variables (`workflow.name`, `.uid`, `.creationTimestamp…`, `.parameters.NAME`, the
    /// JSON forms), each parameter carrying its provenance as a workflow argument.
    static func globals(of run: AdmittedRun) -> VariableScope {
        let (name, runID, record) = (run.name, run.runID, run.record)
        let (workflow, parameters) = (run.prepared.workflow, run.prepared.parameters)
        var globals = VariableScope()
        globals.set("workflow.name", name)
        globals.set("workflow.namespace", workflow.metadata.namespace ?? "default")
        globals.set("workflow.uid", runID)
        globals.set("workflow.serviceAccountName", "default")
        globals.set("workflow.creationTimestamp", ArgoTime.format(record.createdAt))
        for (name, value) in ArgoTime.strftimeVariables(record.createdAt) {
            globals.set("workflow.creationTimestamp.\(name)", value)
        }
        for parameter in parameters {
            globals.set(
                "workflow.parameters.\(parameter.name)", parameter.value,
                provenance: [.argument(parameter.name)])
        }
        Self.setJSONVariables(of: workflow, parameters: parameters, in: &globals)
        return globals
    }

    /// The run's live gate: its inputs verified against the governance and the workflow's facts.
    static func gate(of run: AdmittedRun) -> InputGate {
        let (name, runID, parameters) = (run.name, run.runID, run.prepared.parameters)
        let (governance, governanceDocument) = (run.governance, run.governanceDocument)
        let workflowFacts = ConstraintEvaluator.workflowFacts(
            name: name, uid: runID, parameters: parameters, governance: governanceDocument,
            submitter: governance.submitter.name)
        let gate = InputGate(
            store: run.store, runID: runID, workflowDigest: run.workflowDigest, governance: governance,
            workflowFacts: workflowFacts)
        return gate
    }

    /// The executor every node of the run goes through: its runtimes, signer, gate, node limit and hidden paths.
    func makeExecutor(
        _ run: AdmittedRun, coordinator: RunCoordinator, globals: VariableScope, gate: InputGate,
        sweeper: NodeRootSweeper
    ) -> WorkflowExecutor {
        let (name, runID, request, workflow) = (run.name, run.runID, run.prepared.request, run.prepared.workflow)
        let (governance, governanceDocument, runtimes) = (run.governance, run.governanceDocument, run.runtimes)
        let lineage = LineageSigner(
            key: run.lineageKey, runID: runID, workflowName: name, workflowDigest: run.workflowDigest,
            governanceDigest: governanceDocument.digest, constraintsDigest: governanceDocument.constraintsDigest,
            runtimeKind: runtime.kind, trustSlope: governance.slope)
        // Without isolation, nodes would share /tmp and every declared path: run them one at a time.
        let limit =
            runtimes.mayRunUnisolated(workflow.spec) ? 1 : request.nodeLimit(specified: workflow.spec.parallelism)
        var configured = WorkflowExecutor(
            coordinator: coordinator, spec: workflow.spec, templates: run.prepared.templates,
            globals: globals, runtime: runtime, runtimes: runtimes,
            runtimeProfile: request.runtimeProfile, artifacts: run.artifactStore, runDirectory: run.runDirectory,
            lineage: lineage, gate: gate, hostEnvironment: Self.nodeEnvironment(),
            limiter: ParallelismLimiter(limit: limit),
            hiddenPaths: [request.stateDirectory]
                + ([request.keyPath, request.lineageKeyPath].compactMap { $0 }
                    .map(absolutePath)),
            stop: request.stop, sweeper: sweeper, replay: request.replay)
        configured.templateDigests = run.templateSet.digests
        return configured
    }
}

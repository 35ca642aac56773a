import SluiceSpec
import SluiceStore

extension WorkflowExecutor {
    /// Runs a `dag` template: each task starts when its `depends`/`dependencies` are fulfilled and hold; tasks whose
    /// condition cannot hold are Omitted; `when: false` makes a task Skipped.
    ///
    /// Node tree as Argo shows it: the DAG node's children are the root tasks; a task's children are the tasks that
    /// depend on it. A task starts as soon as its dependencies are done and its `depends` holds, even after another
    /// branch failed: Argo's `dag.failFast` only decides the DAG's phase (`assessDAGPhase`), it never keeps a ready
    /// task from starting (the controller starts ready tasks before it assesses the phase).
    func runDAG(_ template: Template, node dagNode: NodeState, scope: VariableScope) async throws(EngineError)
        -> NodeState
    {
        guard let dag = template.dag else { preconditionFailure("runDAG called for a template without dag") }
        var dagNode = dagNode
        var scope = scope
        var scheduler: DAGScheduler
        var targets: [String]?
        do {
            if let target = dag.target {
                var renderer = Renderer(scope: scope)
                targets = try renderer.render(target, context: "'target' of template '\(template.name)'")
                    .split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
            }
            scheduler = try DAGScheduler(dag: dag, targets: targets)
        } catch {
            dagNode.phase = .error
            dagNode.message = error.description
            try await coordinator.update(dagNode)
            return dagNode
        }
        let tasksByName = Dictionary(scheduler.tasks.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var nodeIDs: [String: String] = [:]
        let executor = self
        let limiter = ParallelismLimiter(limit: template.parallelism)

        func parents(of task: DAGTask) -> [String] {
            let deps = scheduler.dependencies(of: task.name)
            return deps.isEmpty ? [dagNode.id] : deps.compactMap { nodeIDs[$0] }
        }

        // Template-level `failFast: true`: once a child failed, nothing new starts and the DAG fails (Argo's
        // checkParallelism).
        let failsFast = template.failFast == true
        var failFastTripped = false
        func record(_ name: String, _ result: CallSiteResult) {
            if failsFast && result.node.phase.isFailedOrError { failFastTripped = true }
            result.publish(into: &scope, as: "tasks.\(name)")
            if result.node.phase == .skipped || result.node.phase == .omitted, let task = tasksByName[name] {
                publishOutputsOfNodeThatDidNotRun(
                    template: task.template, templateRef: task.templateRef, inline: task.inline, into: &scope,
                    as: "tasks.\(name)")
            }
            let iterations = result.iterations ?? []
            scheduler.taskFinished(
                name, phase: result.node.phase,
                anySucceeded: iterations.contains { $0.phase == .succeeded },
                allFailed: !iterations.isEmpty && iterations.allSatisfy { $0.phase == .failed })
        }

        let bound = startedTaskBound
        await withTaskGroup(of: (String, CallSiteResult?).self) { running in
            var inFlight = 0
            // Tasks decided to start, waiting for one of the `bound` started tasks to end.
            var waiting: [@Sendable () async -> (String, CallSiteResult?)] = []
            var nextWaiting = 0
            while true {
                // Decide everything that can be decided now; omitted/skipped tasks may unlock more decisions.
                var progressed = true
                while progressed && !Task.isCancelled && !failFastTripped {
                    progressed = false
                    for decision in scheduler.nextDecisions() {
                        progressed = true
                        let name: String
                        switch decision {
                        case .omit(let omitted):
                            name = omitted
                        case .start(let started):
                            name = started
                        }
                        guard let task = tasksByName[name] else { continue }
                        let nodeName = "\(dagNode.name).\(name)"
                        switch await decide(
                            decision, task: task, nodeName: nodeName, dagNode: dagNode, scope: scope,
                            parents: parents(of: task))
                        {
                        case .ended(let result):
                            nodeIDs[name] = result.node.id
                            record(name, result)
                        case .unrecorded(let phase):
                            scheduler.taskFinished(name, phase: phase)
                        case .run(let site):
                            nodeIDs[name] = NodeIdentity.id(
                                workflowName: await coordinator.run.name, nodeName: nodeName)
                            let linkParents = parents(of: task)
                            waiting.append {
                                let result = try? await executor.run(site, loopGroupNode: true, limiter: limiter)
                                if let result {
                                    try? await executor.coordinator.link(parents: linkParents, to: result.node.id)
                                }
                                return (name, result)
                            }
                        }
                    }
                }
                while inFlight < bound && nextWaiting < waiting.count {
                    running.addTask(operation: waiting[nextWaiting])
                    nextWaiting += 1
                    inFlight += 1
                }
                if nextWaiting == waiting.count {
                    waiting.removeAll(keepingCapacity: true)
                    nextWaiting = 0
                }
                guard inFlight > 0, let (name, result) = await running.next() else { break }
                inFlight -= 1
                if let result {
                    record(name, result)
                } else {
                    scheduler.taskFinished(name, phase: .error)
                }
            }
        }

        dagNode = assess(
            dagNode, template: template, scheduler: scheduler, targets: targets, failFastTripped: failFastTripped,
            nodeIDs: nodeIDs, scope: scope)
        return try await finishOrchestration(dagNode, template: template)
    }

    /// What deciding a ready task led to.
    enum TaskDecision {
        /// The task got a node without running (omitted, skipped, refused by the gate, or an error).
        case ended(CallSiteResult)
        /// Not even a node could be recorded: the task ends with this phase.
        case unrecorded(NodePhase)
        /// The task runs this call site.
        case run(CallSite)
    }

    /// Decides a task the scheduler found ready: omitted (its `depends` cannot hold), or as ``decideCall`` says
    /// (refused, skipped, an error, or the call site to run). Nodes that do not run are linked to `parents` here.
    private func decide(
        _ decision: DAGScheduler.Decision, task: DAGTask, nodeName: String, dagNode: NodeState, scope: VariableScope,
        parents: [String]
    ) async -> TaskDecision {
        let name = task.name
        func ended(_ phase: NodePhase, _ message: String) async -> TaskDecision {
            guard
                let node = try? await coordinator.createNode(
                    name: nodeName, displayName: name, type: .skipped, templateName: task.template, phase: phase,
                    boundaryID: dagNode.id, parentID: nil, message: message)
            else { return .unrecorded(phase) }
            try? await coordinator.link(parents: parents, to: node.id)
            return .ended(CallSiteResult(node: node, iterations: nil))
        }
        if case .omit = decision { return await ended(.omitted, "omitted: depends condition not met") }
        switch await decideCall(
            task, kind: "task", nodeName: nodeName, scope: scope, boundaryID: dagNode.id, parentID: nil,
            scopePrefix: "tasks")
        {
        case .ended(let phase, let message):
            return await ended(phase, message)
        case .refused(let node):
            try? await coordinator.link(parents: parents, to: node.id)
            return .ended(CallSiteResult(node: node, iterations: nil))
        case .run(let site):
            return .run(site)
        }
    }

    /// The DAG's phase and message once no task runs any more (failFast, a stop, a failed child), or its outputs.
    private func assess(
        _ dagNode: NodeState, template: Template, scheduler: DAGScheduler, targets: [String]?, failFastTripped: Bool,
        nodeIDs: [String: String], scope: VariableScope
    ) -> NodeState {
        var dagNode = dagNode
        dagNode.phase = scheduler.phase(targets: targets)
        if failFastTripped {
            dagNode.phase = .failed
            dagNode.message = Self.failFastMessage
        } else if Task.isCancelled && dagNode.phase == .succeeded {
            dagNode.phase = .failed
            dagNode.message = stopMessage
        } else if dagNode.phase.isFailedOrError {
            let failed = scheduler.tasks.first { scheduler.phases[$0.name]?.isFailedOrError == true }
            dagNode.message = failed.flatMap { nodeIDs[$0.name] }.map { "child '\($0)' failed" }
        } else {
            do {
                (dagNode.outputs, dagNode.outputProvenance) = try collectOrchestrationOutputs(
                    of: template, scope: scope, nodeID: dagNode.id)
            } catch {
                dagNode.phase = .error
                dagNode.message = error.description
            }
        }
        return dagNode
    }
}

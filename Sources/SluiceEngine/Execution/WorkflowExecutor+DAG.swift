import SluiceConcurrency
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
        var progress: DAGProgress
        do {
            progress = try DAGProgress(dag: dag, template: template, dagNode: dagNode, scope: scope)
        } catch {
            return try await end(dagNode, .error, message: error.description)
        }
        let limiter = ParallelismLimiter(limit: template.parallelism)
        await withTaskGroup(of: (String, CallSiteResult?).self) { running in
            var queue = StartQueue<(String, CallSiteResult?)>(bound: startedTaskBound)
            while true {
                await decideReady(&progress, dagNode: dagNode, limiter: limiter, queue: &queue)
                // A chain: the one ready task runs in this task (``StartQueue/takeSoleJob()``). The job is a
                // temporary, released before its result is taken: it holds the task's call site, whose scope shares
                // `progress.scope`'s storage, and publishing while it lived copied the whole scope (every task's
                // results so far) at every node.
                if case let (name, result)? = await queue.takeSoleJob()?() {
                    take(name, result, in: &progress)
                    continue
                }
                queue.startWaiting(in: &running)
                guard queue.inFlight > 0, let (name, result) = await running.next() else { break }
                queue.ended()
                take(name, result, in: &progress)
            }
        }
        let assessed = assess(dagNode, template: template, progress: progress)
        return try await finishOrchestration(assessed, template: template)
    }

    /// Decides everything that can be decided now (omitted and skipped tasks may unlock more decisions) and queues
    /// the tasks that run; stops deciding once the run is stopped or `failFast` tripped.
    private func decideReady(
        _ progress: inout DAGProgress, dagNode: NodeState, limiter: ParallelismLimiter,
        queue: inout StartQueue<(String, CallSiteResult?)>
    ) async {
        let executor = self
        var progressed = true
        while progressed && !Task.isCancelled && !progress.failFastTripped {
            progressed = false
            for decision in progress.scheduler.nextDecisions() {
                progressed = true
                let name: String
                switch decision {
                case .omit(let omitted): name = omitted
                case .start(let started): name = started
                }
                guard let task = progress.tasksByName[name] else { continue }
                let nodeName = "\(dagNode.name).\(name)"
                let parents = progress.parents(of: task)
                switch await decide(
                    decision, task: task, nodeName: nodeName, dagNode: dagNode, scope: progress.scope,
                    parents: parents)
                {
                case .ended(let result):
                    progress.nodeIDs[name] = result.node.id
                    record(name, result, in: &progress)
                case .unrecorded(let phase):
                    progress.scheduler.taskFinished(name, phase: phase)
                case .run(let site):
                    progress.nodeIDs[name] = NodeIdentity.id(
                        workflowName: await coordinator.run.name, nodeName: nodeName)
                    queue.enqueue {
                        let result = try? await executor.run(site, loopGroupNode: true, limiter: limiter)
                        if let result { try? await executor.coordinator.link(parents: parents, to: result.node.id) }
                        return (name, result)
                    }
                }
            }
        }
    }

    /// Takes the end of a task that ran into `progress`; a task without result (its node could not be recorded)
    /// ended in Error.
    private func take(_ name: String, _ result: CallSiteResult?, in progress: inout DAGProgress) {
        if let result {
            record(name, result, in: &progress)
        } else {
            progress.scheduler.taskFinished(name, phase: .error)
        }
    }

    /// Takes a task's end into `progress`: publishes its outputs (or, for a task that did not run, its outputs'
    /// placeholders) as `tasks.NAME`, trips `failFast`, and tells the scheduler.
    private func record(_ name: String, _ result: CallSiteResult, in progress: inout DAGProgress) {
        if progress.failsFast && result.node.phase.isFailedOrError { progress.failFastTripped = true }
        result.publish(into: &progress.scope, as: "tasks.\(name)")
        if result.node.phase == .skipped || result.node.phase == .omitted, let task = progress.tasksByName[name] {
            publishOutputsOfNodeThatDidNotRun(
                template: task.template, templateRef: task.templateRef, inline: task.inline, into: &progress.scope,
                as: "tasks.\(name)")
        }
        let iterations = result.iterations ?? []
        progress.scheduler.taskFinished(
            name, phase: result.node.phase,
            anySucceeded: iterations.contains { $0.phase == .succeeded },
            allFailed: !iterations.isEmpty && iterations.allSatisfy { $0.phase == .failed })
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
        func ended(_ phase: NodePhase, _ message: String, _ node: PendingNode) async -> TaskDecision {
            guard let recorded = try? await node.record(phase, message: message, in: coordinator) else {
                return .unrecorded(phase)
            }
            try? await coordinator.link(parents: parents, to: recorded.id)
            return .ended(CallSiteResult(node: recorded, iterations: nil))
        }
        if case .omit = decision {
            let node = PendingNode(
                name: nodeName, displayName: task.name, templateName: task.template, boundaryID: dagNode.id,
                parentID: nil)
            return await ended(.omitted, "omitted: depends condition not met", node)
        }
        switch await decideCall(
            task, kind: "task", nodeName: nodeName, scope: scope, boundaryID: dagNode.id, parentID: nil,
            scopePrefix: "tasks")
        {
        case .ended(let phase, let message, let node):
            return await ended(phase, message, node)
        case .refused(let node):
            try? await coordinator.link(parents: parents, to: node.id)
            return .ended(CallSiteResult(node: node, iterations: nil))
        case .run(let site):
            return .run(site)
        }
    }

    /// The DAG's phase and message once no task runs any more (failFast, a stop, a failed child), or its outputs.
    private func assess(_ dagNode: NodeState, template: Template, progress: DAGProgress) -> NodeState {
        var dagNode = dagNode
        let scheduler = progress.scheduler
        dagNode.phase = scheduler.phase(targets: progress.targets)
        if progress.failFastTripped {
            dagNode.phase = .failed
            dagNode.message = StepsScheduler.failFastMessage
        } else if Task.isCancelled && dagNode.phase == .succeeded {
            dagNode.phase = .failed
            dagNode.message = stopMessage
        } else if dagNode.phase.isFailedOrError {
            let failed = scheduler.tasks.first { scheduler.phases[$0.name]?.isFailedOrError == true }
            dagNode.message = failed.flatMap { progress.nodeIDs[$0.name] }.map { "child '\($0)' failed" }
        } else {
            do {
                (dagNode.outputs, dagNode.outputProvenance) = try collectOrchestrationOutputs(
                    of: template, scope: progress.scope, nodeID: dagNode.id)
            } catch {
                dagNode.phase = .error
                dagNode.message = error.description
            }
        }
        return dagNode
    }
}

/// A DAG's progress while it runs: the scheduler's view, the tasks' node ids, and the scope their outputs are
/// published in.
struct DAGProgress {
    var scheduler: DAGScheduler
    /// The rendered `target` tasks, if the DAG has any.
    let targets: [String]?
    let tasksByName: [String: DAGTask]
    /// Node id of each task decided so far.
    var nodeIDs: [String: String] = [:]
    var scope: VariableScope
    /// Template-level `failFast: true`: once a child failed, nothing new starts and the DAG fails (Argo's
    /// checkParallelism).
    let failsFast: Bool
    var failFastTripped = false
    let dagNodeID: String

    /// Renders `target` and builds the scheduler; throws for a DAG that cannot be scheduled (cycles, unknown tasks).
    init(dag: DAGTemplate, template: Template, dagNode: NodeState, scope: VariableScope) throws(EngineError) {
        var targets: [String]?
        if let target = dag.target {
            var renderer = Renderer(scope: scope)
            targets = try renderer.render(target, context: "'target' of template '\(template.name)'")
                .split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        }
        scheduler = try DAGScheduler(dag: dag, targets: targets)
        self.targets = targets
        tasksByName = Dictionary(scheduler.tasks.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.scope = scope
        failsFast = template.failFast == true
        dagNodeID = dagNode.id
    }

    /// The node ids a task's node is linked under: its dependencies' nodes, or the DAG node for a root task.
    func parents(of task: DAGTask) -> [String] {
        let dependencies = scheduler.dependencies(of: task.name)
        return dependencies.isEmpty ? [dagNodeID] : dependencies.compactMap { nodeIDs[$0] }
    }
}

package import SluiceSpec
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
                        if case .omit = decision {
                            let node = try? await coordinator.createNode(
                                name: nodeName, displayName: name, type: .skipped, templateName: task.template,
                                phase: .omitted, boundaryID: dagNode.id, parentID: nil,
                                message: "omitted: depends condition not met")
                            if let node {
                                try? await coordinator.link(parents: parents(of: task), to: node.id)
                                nodeIDs[name] = node.id
                                record(name, CallSiteResult(node: node, iterations: nil))
                            } else {
                                scheduler.taskFinished(name, phase: .omitted)
                            }
                            continue
                        }
                        var renderer = Renderer(scope: scope)
                        do {
                            let items = try LoopItems.expand(
                                withItems: task.withItems, withParam: task.withParam, withSequence: task.withSequence,
                                renderer: &renderer, context: "task '\(name)'")
                            let itemSources = renderer.sources
                            let holds = try items != nil || task.when.map {
                                try renderer.evaluateCondition($0, context: "'when' of task '\(name)'")
                            } ?? true
                            if let refusal = await verifyDecision(
                                items == nil ? "when" : "withParam", sources: renderer.sources, displayName: name,
                                templateName: task.template)
                            {
                                let node = try await refuseDecision(
                                    refusal, name: nodeName, displayName: name, templateName: task.template,
                                    boundaryID: dagNode.id, parentID: nil)
                                try await coordinator.link(parents: parents(of: task), to: node.id)
                                nodeIDs[name] = node.id
                                record(name, CallSiteResult(node: node, iterations: nil))
                                continue
                            }
                            if let when = task.when, !holds {
                                let node = try await coordinator.createNode(
                                    name: nodeName, displayName: name, type: .skipped, templateName: task.template,
                                    phase: .skipped, boundaryID: dagNode.id, parentID: nil,
                                    message: "when '\(try renderer.render(when, context: "when"))' evaluated false")
                                try await coordinator.link(parents: parents(of: task), to: node.id)
                                nodeIDs[name] = node.id
                                record(name, CallSiteResult(node: node, iterations: nil))
                                continue
                            }
                            guard let callee = templates.callee(
                                template: task.template, templateRef: task.templateRef, inline: task.inline)
                            else {
                                throw EngineError.unresolvedVariable(
                                    reference: task.template ?? "template", context: "task '\(name)' (template not found)")
                            }
                            let site = CallSite(
                                name: name, nodeName: nodeName, callee: callee, arguments: task.arguments, items: items,
                                itemsProvenance: itemSources,
                                scope: scope, boundaryID: dagNode.id, parentID: nil, continueOn: task.continueOn,
                                exitHook: exitHook(onExit: task.onExit, hooks: task.hooks), scopePrefix: "tasks",
                                when: items == nil ? nil : task.when,
                        expressionHooks: (task.hooks ?? [:]).filter { $0.key != "exit" && $0.value.expression != nil })
                            nodeIDs[name] = NodeIdentity.id(workflowName: await coordinator.run.name, nodeName: nodeName)
                            let linkParents = parents(of: task)
                            waiting.append {
                                let result = try? await executor.run(site, loopGroupNode: true, limiter: limiter)
                                if let result { try? await executor.coordinator.link(parents: linkParents, to: result.node.id) }
                                return (name, result)
                            }
                        } catch {
                            let node = try? await coordinator.createNode(
                                name: nodeName, displayName: name, type: .skipped, templateName: task.template,
                                phase: .error, boundaryID: dagNode.id, parentID: nil,
                                message: (error as? EngineError)?.description ?? "\(error)")
                            if let node {
                                try? await coordinator.link(parents: parents(of: task), to: node.id)
                                nodeIDs[name] = node.id
                                record(name, CallSiteResult(node: node, iterations: nil))
                            } else {
                                scheduler.taskFinished(name, phase: .error)
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
        return try await finishOrchestration(dagNode, template: template)
    }
}

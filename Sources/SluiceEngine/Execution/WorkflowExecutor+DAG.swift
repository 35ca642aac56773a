package import SluiceSpec
import SluiceStore

extension WorkflowExecutor {
    /// Runs a `dag` template: each task starts when its `depends`/`dependencies` are fulfilled and hold; tasks whose
    /// condition cannot hold are Omitted; `when: false` makes a task Skipped.
    ///
    /// Node tree as Argo shows it: the DAG node's children are the root tasks; a task's children are the tasks that
    /// depend on it.
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

        func parents(of task: DAGTask) -> [String] {
            let deps = scheduler.dependencies(of: task.name)
            return deps.isEmpty ? [dagNode.id] : deps.compactMap { nodeIDs[$0] }
        }

        await withTaskGroup(of: (String, NodeState).self) { running in
            var inFlight = 0
            while true {
                // Decide everything that can be decided now; omitted/skipped tasks may unlock more decisions.
                var progressed = true
                while progressed {
                    progressed = false
                    for decision in scheduler.nextDecisions() {
                        progressed = true
                        switch decision {
                        case .omit(let name):
                            let task = tasksByName[name]
                            let node = try? await coordinator.createNode(
                                name: "\(dagNode.name).\(name)", displayName: name, type: .skipped,
                                templateName: task?.template, phase: .omitted, boundaryID: dagNode.id, parentID: nil,
                                message: "omitted: depends condition not met")
                            if let node, let task {
                                try? await coordinator.link(parents: parents(of: task), to: node.id)
                                nodeIDs[name] = node.id
                                scope.publish(node, as: "tasks.\(name)")
                            }
                            scheduler.taskFinished(name, phase: .omitted)
                        case .start(let name):
                            guard let task = tasksByName[name] else { continue }
                            let nodeName = "\(dagNode.name).\(name)"
                            let nodeID = NodeIdentity.id(workflowName: await coordinator.run.name, nodeName: nodeName)
                            nodeIDs[name] = nodeID
                            var renderer = Renderer(scope: scope)
                            do {
                                if let when = task.when,
                                    try !renderer.evaluateCondition(when, context: "'when' of task '\(name)'")
                                {
                                    let node = try await coordinator.createNode(
                                        name: nodeName, displayName: name, type: .skipped, templateName: task.template,
                                        phase: .skipped, boundaryID: dagNode.id, parentID: nil,
                                        message: "when '\(try renderer.render(when, context: "when"))' evaluated false")
                                    try await coordinator.link(parents: parents(of: task), to: node.id)
                                    scope.publish(node, as: "tasks.\(name)")
                                    scheduler.taskFinished(name, phase: .skipped)
                                    continue
                                }
                                guard let callee = templates.callee(
                                    template: task.template, templateRef: task.templateRef, inline: task.inline)
                                else {
                                    throw EngineError.unresolvedVariable(
                                        reference: task.template ?? "template",
                                        context: "task '\(name)' (template not found)")
                                }
                                let call = TemplateCall(
                                    template: callee, arguments: task.arguments, callerScope: scope,
                                    nodeName: nodeName, displayName: name, boundaryID: dagNode.id,
                                    parentID: nil)
                                let linkParents = parents(of: task)
                                running.addTask {
                                    let result = await executor.execute(call)
                                    try? await executor.coordinator.link(parents: linkParents, to: result.id)
                                    return (name, result)
                                }
                                inFlight += 1
                            } catch {
                                let node = try? await coordinator.createNode(
                                    name: nodeName, displayName: name, type: .skipped, templateName: task.template,
                                    phase: .error, boundaryID: dagNode.id, parentID: nil,
                                    message: (error as? EngineError)?.description ?? "\(error)")
                                if let node {
                                    try? await coordinator.link(parents: parents(of: task), to: node.id)
                                    scope.publish(node, as: "tasks.\(name)")
                                }
                                scheduler.taskFinished(name, phase: .error)
                            }
                        }
                    }
                }
                guard inFlight > 0, let (name, result) = await running.next() else { break }
                inFlight -= 1
                scope.publish(result, as: "tasks.\(name)")
                scheduler.taskFinished(name, phase: result.phase)
            }
        }

        dagNode.phase = scheduler.phase(targets: targets)
        if dagNode.phase.isFailedOrError {
            let failed = scheduler.tasks.first { scheduler.phases[$0.name]?.isFailedOrError == true }
            dagNode.message = failed.flatMap { nodeIDs[$0.name] }.map { "child '\($0)' failed" }
        } else {
            dagNode.outputs = try collectOrchestrationOutputs(of: template, scope: scope, nodeID: dagNode.id)
        }
        try await coordinator.update(dagNode)
        return dagNode
    }
}

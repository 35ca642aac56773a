package import SluiceSpec

extension WorkflowExecutor {
    /// Runs a `steps` template: groups in order, the steps of a group in parallel (Argo's `[[...]]`).
    ///
    /// Argo's node tree: the Steps node's child is the first StepGroup `[0]`; each group's children are its steps;
    /// each step of group N links to group N+1. A group fails when one of its steps fails or errors without
    /// `continueOn`; the Steps node then fails and later groups do not run.
    func runSteps(_ template: Template, node stepsNode: NodeState, scope: VariableScope) async throws(EngineError)
        -> NodeState
    {
        var stepsNode = stepsNode
        var scope = scope
        var previousStepIDs: [String] = [stepsNode.id]
        var failure: (node: NodeState, phase: NodePhase)?

        for (groupIndex, group) in (template.steps ?? []).enumerated() {
            let groupName = "\(stepsNode.name).[\(groupIndex)]"
            var groupNode = try await coordinator.createNode(
                name: groupName, displayName: "[\(groupIndex)]", type: .stepGroup, templateName: template.name,
                phase: .running, boundaryID: stepsNode.id, parentID: nil)
            try await coordinator.link(parents: previousStepIDs, to: groupNode.id)

            var calls: [(step: WorkflowStep, call: TemplateCall)] = []
            var finished: [(WorkflowStep, NodeState)] = []
            for step in group {
                let stepName = "\(groupName).\(step.name)"
                var renderer = Renderer(scope: scope)
                do {
                    if let when = step.when,
                        try !renderer.evaluateCondition(when, context: "'when' of step '\(step.name)'")
                    {
                        let skipped = try await coordinator.createNode(
                            name: stepName, displayName: step.name, type: .skipped, templateName: step.template,
                            phase: .skipped, boundaryID: stepsNode.id, parentID: groupNode.id,
                            message: "when '\(try renderer.render(when, context: "when"))' evaluated false")
                        finished.append((step, skipped))
                        continue
                    }
                    guard let callee = templates.callee(template: step.template, templateRef: step.templateRef,
                                                        inline: step.inline)
                    else {
                        throw EngineError.unresolvedVariable(
                            reference: step.template ?? "template", context: "step '\(step.name)' (template not found)")
                    }
                    calls.append((step, TemplateCall(
                        template: callee, arguments: step.arguments, callerScope: scope, nodeName: stepName,
                        displayName: step.name, boundaryID: stepsNode.id, parentID: groupNode.id)))
                } catch {
                    let errored = try await coordinator.createNode(
                        name: stepName, displayName: step.name, type: .skipped, templateName: step.template,
                        phase: .error, boundaryID: stepsNode.id, parentID: groupNode.id,
                        message: (error as? EngineError)?.description ?? "\(error)")
                    finished.append((step, errored))
                }
            }

            let executor = self
            let results = await withTaskGroup(of: (Int, NodeState).self) { tasks in
                for (index, entry) in calls.enumerated() {
                    tasks.addTask { (index, await executor.execute(entry.call)) }
                }
                var collected: [(Int, NodeState)] = []
                for await result in tasks { collected.append(result) }
                return collected.sorted { $0.0 < $1.0 }.map { (calls[$0.0].step, $0.1) }
            }
            finished.append(contentsOf: results)
            // Argo lists a group's children in step order, skipped steps included.
            let declared = group.map(\.name)
            finished.sort { (declared.firstIndex(of: $0.0.name) ?? 0) < (declared.firstIndex(of: $1.0.name) ?? 0) }
            try await coordinator.orderChildren(of: groupNode.id, as: finished.map(\.1.id))

            var groupFailure: (node: NodeState, phase: NodePhase)?
            for (step, result) in finished {
                scope.publish(result, as: "steps.\(step.name)")
                if result.phase.isFailedOrError && !continues(step.continueOn, after: result.phase) {
                    groupFailure = groupFailure ?? (result, result.phase)
                }
            }
            groupNode.phase = groupFailure == nil ? .succeeded : groupFailure?.phase ?? .failed
            if let groupFailure { groupNode.message = "child '\(groupFailure.node.id)' failed" }
            try await coordinator.update(groupNode)
            previousStepIDs = finished.map(\.1.id)
            if let groupFailure {
                failure = groupFailure
                break
            }
        }

        if let failure {
            stepsNode.phase = failure.phase
            stepsNode.message = "child '\(failure.node.id)' failed"
        } else {
            stepsNode.phase = .succeeded
            stepsNode.outputs = try collectOrchestrationOutputs(of: template, scope: scope, nodeID: stepsNode.id)
        }
        try await coordinator.update(stepsNode)
        return stepsNode
    }

    /// Whether `continueOn` lets the caller go on after a node ended in `phase`.
    func continues(_ continueOn: ContinueOn?, after phase: NodePhase) -> Bool {
        switch phase {
        case .failed: continueOn?.failed == true
        case .error: continueOn?.error == true
        default: true
        }
    }

    /// Outputs of a steps or DAG template: parameters from `valueFrom.parameter`, artifacts from `from`.
    func collectOrchestrationOutputs(of template: Template, scope: VariableScope, nodeID: String)
        throws(EngineError) -> NodeOutputs?
    {
        guard let declared = template.outputs else { return nil }
        var outputs = NodeOutputs()
        var renderer = Renderer(scope: scope)
        for parameter in declared.parameters ?? [] {
            let context = "output parameter '\(parameter.name)' of template '\(template.name)'"
            if let source = parameter.valueFrom?.parameter {
                do {
                    outputs.parameters.append(
                        ParameterValue(name: parameter.name, value: try renderer.render(source, context: context)))
                } catch {
                    guard let fallback = parameter.valueFrom?.default?.value else { throw error }
                    outputs.parameters.append(ParameterValue(name: parameter.name, value: fallback))
                }
            } else if let value = parameter.value?.value {
                outputs.parameters.append(
                    ParameterValue(name: parameter.name, value: try renderer.render(value, context: context)))
            }
        }
        for artifact in declared.artifacts ?? [] {
            guard let from = artifact.from else { continue }
            let reference = try renderer.artifact(from, context: "output artifact '\(artifact.name)'")
            outputs.artifacts.append(OutputArtifact(
                name: artifact.name, path: artifact.path, digest: reference.digest, kind: reference.kind,
                storedPath: reference.storedPath, producerNodeID: reference.producerNodeID ?? nodeID,
                producerDisplayName: reference.producerDisplayName ?? "", envelopeDigest: reference.envelopeDigest))
        }
        return outputs
    }
}

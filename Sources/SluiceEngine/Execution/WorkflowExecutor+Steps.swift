import SluiceSpec

extension WorkflowExecutor {
    /// Runs a `steps` template: groups in order, the steps of a group in parallel (Argo's `[[...]]`).
    ///
    /// Argo's node tree: the Steps node's child is the first StepGroup `[0]`; each group's children are its steps
    /// (and loop iterations); each step of group N links to group N+1. A group fails when one of its steps fails or
    /// errors without `continueOn`; the Steps node then fails and later groups do not run.
    func runSteps(_ template: Template, node stepsNode: NodeState, scope: VariableScope) async throws(EngineError)
        -> NodeState
    {
        var stepsNode = stepsNode
        var scope = scope
        var previousStepIDs: [String] = [stepsNode.id]
        var failure: (node: NodeState, phase: NodePhase)?
        let limiter = ParallelismLimiter(limit: template.parallelism)

        for (groupIndex, group) in (template.steps ?? []).enumerated() {
            if Task.isCancelled { break }
            let groupName = "\(stepsNode.name)[\(groupIndex)]"
            var groupNode = try await coordinator.createNode(
                name: groupName, displayName: "[\(groupIndex)]", type: .stepGroup, templateName: template.name,
                phase: .running, boundaryID: stepsNode.id, parentID: nil)
            try await coordinator.link(parents: previousStepIDs, to: groupNode.id)

            var sites: [(step: WorkflowStep, site: CallSite)] = []
            var finished: [(step: WorkflowStep, result: CallSiteResult)] = []
            for step in group {
                let stepName = "\(groupName).\(step.name)"
                switch await decideCall(
                    step, kind: "step", nodeName: stepName, scope: scope, boundaryID: stepsNode.id,
                    parentID: groupNode.id, scopePrefix: "steps")
                {
                case .ended(let phase, let message):
                    let ended = try await coordinator.createNode(
                        name: stepName, displayName: step.name, type: .skipped, templateName: step.template,
                        phase: phase, boundaryID: stepsNode.id, parentID: groupNode.id, message: message)
                    finished.append((step, CallSiteResult(node: ended, iterations: nil)))
                case .refused(let refused):
                    finished.append((step, CallSiteResult(node: refused, iterations: nil)))
                case .run(let site):
                    sites.append((step, site))
                }
            }

            let results = await runGroup(sites, limiter: limiter)
            finished.append(contentsOf: results)
            // Argo lists a group's children in step order, skipped steps included.
            let declared = group.map(\.name)
            finished.sort {
                (declared.firstIndex(of: $0.step.name) ?? 0) < (declared.firstIndex(of: $1.step.name) ?? 0)
            }
            let childIDs = finished.flatMap { entry in entry.result.iterations?.map(\.id) ?? [entry.result.node.id] }
            try await coordinator.orderChildren(of: groupNode.id, as: childIDs)

            let groupFailure = finishGroup(&groupNode, steps: finished, template: template, scope: &scope)
            try await coordinator.update(groupNode)
            previousStepIDs = childIDs
            if let groupFailure {
                failure = groupFailure
                break
            }
        }

        if failure != nil && template.failFast == true {
            stepsNode.phase = .failed
            stepsNode.message = Self.failFastMessage
        } else if let failure {
            stepsNode.phase = failure.phase
            stepsNode.message = "child '\(failure.node.id)' failed"
        } else if Task.isCancelled {
            stepsNode.phase = .failed
            stepsNode.message = stopMessage
        } else {
            stepsNode.phase = .succeeded
            do {
                (stepsNode.outputs, stepsNode.outputProvenance) = try collectOrchestrationOutputs(
                    of: template, scope: scope, nodeID: stepsNode.id)
            } catch {
                stepsNode.phase = .error
                stepsNode.message = error.description
            }
        }
        return try await finishOrchestration(stepsNode, template: template)
    }

    /// Runs a step group's call sites in parallel, at most ``startedTaskBound`` started at once.
    ///
    /// - Returns: each site's result, in the sites' order (a site that threw is left out).
    private func runGroup(
        _ sites: [(step: WorkflowStep, site: CallSite)], limiter: ParallelismLimiter
    ) async -> [(step: WorkflowStep, result: CallSiteResult)] {
        let executor = self
        let finished = await boundedResults(count: sites.count, bound: startedTaskBound) { index in
            let site = sites[index].site
            return { try? await executor.run(site, loopGroupNode: false, limiter: limiter) }
        }
        return finished.map { (sites[$0.index].step, $0.result) }
    }

    /// Publishes a finished group's steps into `scope` and sets the group node's phase and message.
    ///
    /// - Returns: the failure that ends the steps (a step Failed or Errored without `continueOn`), nil otherwise.
    private func finishGroup(
        _ groupNode: inout NodeState, steps finished: [(step: WorkflowStep, result: CallSiteResult)],
        template: Template, scope: inout VariableScope
    ) -> (node: NodeState, phase: NodePhase)? {
        var groupFailure: (node: NodeState, phase: NodePhase)?
        for (step, result) in finished {
            result.publish(into: &scope, as: "steps.\(step.name)")
            if result.node.phase == .skipped || result.node.phase == .omitted {
                publishOutputsOfNodeThatDidNotRun(
                    template: step.template, templateRef: step.templateRef, inline: step.inline, into: &scope,
                    as: "steps.\(step.name)")
            }
            let node = result.node
            if node.phase.isFailedOrError && !continues(step.continueOn, after: node.phase) {
                groupFailure =
                    groupFailure ?? (
                        result.iterations?.first { $0.phase.isFailedOrError } ?? node,
                        node.phase
                    )
            }
        }
        groupNode.phase = groupFailure?.phase ?? .succeeded
        if let groupFailure { groupNode.message = "child '\(groupFailure.node.id)' failed" }
        if groupFailure != nil && template.failFast == true {
            groupNode.phase = .failed
            groupNode.message = Self.failFastMessage
        }
        return groupFailure
    }

    /// Whether `continueOn` lets the caller go on after a node ended in `phase`.
    func continues(_ continueOn: ContinueOn?, after phase: NodePhase) -> Bool {
        switch phase {
        case .failed: continueOn?.failed == true
        case .error: continueOn?.error == true
        default: true
        }
    }

    /// Outputs of a steps or DAG template: parameters from `valueFrom.parameter`, artifacts from `from`; with what
    /// each parameter was derived from (the engine computes these values, no node signs them).
    func collectOrchestrationOutputs(of template: Template, scope: VariableScope, nodeID: String)
        throws(EngineError) -> (NodeOutputs?, [String: Set<ValueSource>]?)
    {
        guard let declared = template.outputs else { return (nil, nil) }
        var outputs = NodeOutputs()
        var provenance: [String: Set<ValueSource>] = [:]
        var renderer = Renderer(scope: scope)
        for parameter in declared.parameters ?? [] {
            let context = "output parameter '\(parameter.name)' of template '\(template.name)'"
            let subject = "outputs/parameters/\(parameter.name)"
            if let source = parameter.valueFrom?.parameter {
                do {
                    outputs.parameters.append(
                        ParameterValue(name: parameter.name, value: try renderer.render(source, context: context)))
                    provenance[subject] = renderer.lastSources
                } catch {
                    guard let fallback = parameter.valueFrom?.default?.value else { throw error }
                    outputs.parameters.append(ParameterValue(name: parameter.name, value: fallback))
                    provenance[subject] = []
                }
            } else if let expression = parameter.valueFrom?.expression {
                outputs.parameters.append(
                    ParameterValue(
                        name: parameter.name,
                        value: try renderer.render("{{=\(expression)}}", context: context)))
                provenance[subject] = renderer.lastSources
            } else if let value = parameter.value?.value {
                outputs.parameters.append(
                    ParameterValue(name: parameter.name, value: try renderer.render(value, context: context)))
                provenance[subject] = renderer.lastSources
            }
        }
        for artifact in declared.artifacts ?? [] {
            let context = "output artifact '\(artifact.name)'"
            let reference: ArtifactReference
            if let expression = artifact.fromExpression {
                guard let chosen = try renderer.artifact(fromExpression: expression, context: context) else {
                    if artifact.optional == true { continue }
                    throw .artifactUnavailable(name: artifact.name, reason: "its fromExpression evaluated to nil")
                }
                reference = chosen
            } else {
                guard let from = artifact.from else { continue }
                do {
                    reference = try renderer.artifact(from, context: context)
                } catch {
                    if artifact.optional == true { continue }
                    throw error
                }
            }
            outputs.artifacts.append(
                OutputArtifact(
                    name: artifact.name, path: artifact.path, digest: reference.digest, kind: reference.kind,
                    storedPath: reference.storedPath, producerNodeID: reference.producerNodeID ?? nodeID,
                    producerDisplayName: reference.producerDisplayName ?? "", envelopeDigest: reference.envelopeDigest))
        }
        return (outputs, provenance)
    }
}

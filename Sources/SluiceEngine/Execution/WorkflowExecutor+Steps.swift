import SluiceConcurrency
import SluiceExpressions
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
        let groups = template.steps ?? []
        var scheduler = StepsScheduler(groupCount: groups.count, failsFast: template.failFast == true)
        let limiter = ParallelismLimiter(limit: template.parallelism)

        while let groupIndex = scheduler.nextGroup(), !Task.isCancelled {
            let group = groups[groupIndex]
            let groupName = "\(stepsNode.name)[\(groupIndex)]"
            var groupNode = try await coordinator.createNode(
                name: groupName, displayName: "[\(groupIndex)]", type: .stepGroup, templateName: template.name,
                phase: .running, boundaryID: stepsNode.id, parentID: nil)
            try await coordinator.link(parents: previousStepIDs, to: groupNode.id)

            var finished = try await startGroup(group, groupNode: groupNode, stepsNode: stepsNode, scope: scope)
            // The sites are taken out of `finished`: their scopes share `scope`'s storage, which publishing would
            // otherwise copy (every earlier step's results) while they lived.
            finished.append(contentsOf: await runGroup(finished.takeWaiting(), limiter: limiter))
            let ended = finished.inDeclaredOrder(group)
            let childIDs = ended.flatMap { entry in entry.result.iterations?.map(\.id) ?? [entry.result.node.id] }
            try await coordinator.orderChildren(of: groupNode.id, as: childIDs)

            publish(ended, into: &scope)
            let verdict = scheduler.groupFinished(ended.map(Self.stepEnd))
            groupNode.phase = verdict.phase
            groupNode.message = verdict.message
            try await coordinator.update(groupNode)
            previousStepIDs = childIDs
        }

        if let verdict = scheduler.verdict(stopMessage: Task.isCancelled ? stopMessage : nil) {
            stepsNode.phase = verdict.phase
            stepsNode.message = verdict.message
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

    /// A step group between deciding its steps and their ends.
    private struct GroupProgress {
        /// Steps that ended without running (skipped, refused, an error) and, later, those that ran.
        var ended: [(step: WorkflowStep, result: CallSiteResult)] = []
        /// Steps decided to run.
        var waiting: [(step: WorkflowStep, site: CallSite)] = []

        mutating func append(contentsOf results: [(step: WorkflowStep, result: CallSiteResult)]) {
            ended.append(contentsOf: results)
        }

        /// The steps decided to run, no longer held here.
        mutating func takeWaiting() -> [(step: WorkflowStep, site: CallSite)] {
            defer { waiting = [] }
            return waiting
        }

        /// The ended steps in the group's declared order (Argo lists a group's children so, skipped steps included).
        func inDeclaredOrder(_ group: [WorkflowStep]) -> [(step: WorkflowStep, result: CallSiteResult)] {
            let declared = group.map(\.name)
            return ended.sorted {
                (declared.firstIndex(of: $0.step.name) ?? 0) < (declared.firstIndex(of: $1.step.name) ?? 0)
            }
        }
    }

    /// Decides each step of a group (``decideCall``): those that end without running get their node now.
    private func startGroup(
        _ group: [WorkflowStep], groupNode: NodeState, stepsNode: NodeState, scope: VariableScope
    ) async throws(EngineError) -> GroupProgress {
        var progress = GroupProgress()
        for step in group {
            let stepName = "\(groupNode.name).\(step.name)"
            switch await decideCall(
                step, kind: "step", nodeName: stepName, scope: scope, boundaryID: stepsNode.id,
                parentID: groupNode.id, scopePrefix: "steps")
            {
            case .ended(let phase, let message, let node):
                let ended = try await node.record(phase, message: message, in: coordinator)
                progress.ended.append((step, CallSiteResult(node: ended, iterations: nil)))
            case .refused(let refused):
                progress.ended.append((step, CallSiteResult(node: refused, iterations: nil)))
            case .run(let site):
                progress.waiting.append((step, site))
            }
        }
        return progress
    }

    /// How a step ended, as the steps scheduler takes it.
    private static func stepEnd(_ entry: (step: WorkflowStep, result: CallSiteResult)) -> StepsScheduler.StepEnd {
        StepsScheduler.StepEnd(
            name: entry.step.name, nodeID: entry.result.node.id, phase: entry.result.node.phase,
            continueOn: entry.step.continueOn,
            failedIterationID: entry.result.iterations?.first { $0.phase.isFailedOrError }?.id)
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

    /// Publishes a finished group's steps into `scope` as `steps.NAME` (a step that did not run: its outputs'
    /// placeholders).
    private func publish(_ finished: [(step: WorkflowStep, result: CallSiteResult)], into scope: inout VariableScope) {
        for (step, result) in finished {
            result.publish(into: &scope, as: "steps.\(step.name)")
            if result.node.phase == .skipped || result.node.phase == .omitted {
                publishOutputsOfNodeThatDidNotRun(
                    template: step.template, templateRef: step.templateRef, inline: step.inline, into: &scope,
                    as: "steps.\(step.name)")
            }
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

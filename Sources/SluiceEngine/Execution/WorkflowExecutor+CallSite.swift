import Foundation
import SluiceConcurrency
package import SluiceExpressions
package import SluiceSpec
import SluiceStore

/// A step or a DAG task about to run: the template it calls, its loop items and its exit hook.
package struct CallSite: Sendable {
    /// The step or task name.
    package var name: String
    /// The node name it gets (`wf[0].step`, `wf.task`, as Argo names them).
    package var nodeName: String
    package var callee: Template
    package var arguments: StepArguments?
    /// Loop items, or nil without a loop.
    package var items: [ExpressionValue]?
    /// What the loop items were derived from (`withParam` over an output).
    package var itemsProvenance: Set<ValueSource> = []
    /// The caller's scope.
    package var scope: VariableScope
    package var boundaryID: String
    /// The node its node (or its iterations) hang under: the step group; nil in a DAG (linked by dependencies).
    package var parentID: String?
    package var continueOn: ContinueOn?
    /// `onExit` / `hooks.exit`: run after the step or task ended, with its results visible.
    package var exitHook: (template: Template, arguments: StepArguments?)?
    /// `steps` or `tasks`: the prefix its results are published under.
    package var scopePrefix: String
    /// For loops, the `when` condition, evaluated per iteration (it may use `{{item}}`).
    package var when: String? = nil
    /// Lifecycle hooks with an `expression` (all but `exit`), evaluated when the step or task has ended.
    package var expressionHooks: [String: LifecycleHook] = [:]
}

/// How a call site ended: its node (for a loop, the TaskGroup node or a summary) and its iterations.
package struct CallSiteResult: Sendable {
    package var node: NodeState
    package var iterations: [NodeState]?

    /// Publishes the results in `scope` as Argo does (aggregated for loops).
    package func publish(into scope: inout VariableScope, as prefix: String) {
        if let iterations {
            scope.publishAggregate(node, iterations: iterations, as: prefix)
        } else {
            scope.publish(node, as: prefix)
        }
    }
}

extension WorkflowExecutor {
    /// Runs a call site: once, or once per loop item (in parallel within `limiter`); then its exit hook.
    ///
    /// In a DAG a loop gets a TaskGroup node named like the task, with one child per item (`task(0:a)`); in steps
    /// the iterations hang directly under the step group. When an iteration fails and the template limits its
    /// parallelism, iterations not yet started are not started (Argo's behaviour for sequential loops).
    func run(_ site: CallSite, loopGroupNode: Bool, limiter: ParallelismLimiter) async throws(EngineError)
        -> CallSiteResult
    {
        var result: CallSiteResult
        if let items = site.items {
            result = try await runLoop(site, items: items, loopGroupNode: loopGroupNode, limiter: limiter)
        } else {
            await limiter.acquire()
            let node = await execute(
                TemplateCall(
                    template: site.callee, arguments: site.arguments, callerScope: site.scope, nodeName: site.nodeName,
                    displayName: site.name, boundaryID: site.boundaryID, parentID: site.parentID))
            await limiter.release()
            result = CallSiteResult(node: node, iterations: nil)
        }
        try await runExpressionHooks(site.expressionHooks, of: site, result: result)
        if let hook = site.exitHook {
            var scope = site.scope
            result.publish(into: &scope, as: "\(site.scopePrefix).\(site.name)")
            _ = await execute(
                TemplateCall(
                    template: hook.template, arguments: hook.arguments, callerScope: scope,
                    nodeName: "\(site.nodeName).onExit", displayName: "\(site.name).onExit",
                    boundaryID: site.boundaryID,
                    parentID: site.parentID))
        }
        return result
    }

    private func runLoop(
        _ site: CallSite, items: [ExpressionValue], loopGroupNode: Bool, limiter: ParallelismLimiter
    ) async throws(EngineError) -> CallSiteResult {
        guard !items.isEmpty else {
            let skipped = try await coordinator.createNode(
                name: site.nodeName, displayName: site.name, type: .skipped, templateName: site.callee.name,
                phase: .skipped, boundaryID: site.boundaryID, parentID: site.parentID,
                message: "Skipped, empty params")
            return CallSiteResult(node: skipped, iterations: [])
        }
        var group: NodeState?
        if loopGroupNode {
            group = try await coordinator.createNode(
                name: site.nodeName, displayName: site.name, type: .taskGroup, templateName: site.callee.name,
                phase: .running, boundaryID: site.boundaryID, parentID: site.parentID)
        }
        let parentID = group?.id ?? site.parentID
        let stop = LoopStop()
        let bounded = await limiter.isBounded
        let executor = self
        let continueOn = site.continueOn
        let iterations = await boundedResults(count: items.count, bound: startedTaskBound) { index in
            let item = items[index]
            let label = LoopItems.label(item)
            let call = TemplateCall(
                template: site.callee, arguments: site.arguments,
                callerScope: LoopItems.scope(site.scope, item: item, provenance: site.itemsProvenance),
                nodeName: "\(site.nodeName)(\(index):\(label))", displayName: "\(site.name)(\(index):\(label))",
                boundaryID: site.boundaryID, parentID: parentID)
            let when = site.when
            return { () async -> NodeState? in
                if let when, case .ended(let node) = await executor.iterationStart(call, when: when) { return node }
                await limiter.acquire()
                if await stop.isSet {
                    await limiter.release()
                    return nil
                }
                let node = await executor.execute(call)
                if bounded, node.phase.isFailedOrError, !ContinueOn.allows(continueOn, after: node.phase) {
                    await stop.set()
                }
                await limiter.release()
                return node
            }
        }.map(\.result)
        let failure = iterations.first { $0.phase.isFailedOrError && !ContinueOn.allows(continueOn, after: $0.phase) }
        let workflowName = await coordinator.run.name
        var summary =
            group
            ?? NodeState(
                id: NodeIdentity.id(workflowName: workflowName, nodeName: site.nodeName),
                name: site.nodeName, displayName: site.name, type: .taskGroup, templateName: site.callee.name,
                phase: .running, boundaryID: site.boundaryID, sequence: -1)
        summary.phase = failure?.phase ?? .succeeded
        summary.message = failure.map { "child '\($0.id)' failed" }
        if let group {
            try await coordinator.orderChildren(of: group.id, as: iterations.map(\.id))
            summary.children = group.children
            try await coordinator.update(summary)
        }
        return CallSiteResult(node: summary, iterations: iterations)
    }

    /// Whether a loop iteration runs, or the node it gets instead.
    enum IterationStart {
        case run
        /// Refused by the gate, Skipped, or Error; nil when not even that node could be recorded.
        case ended(NodeState?)
    }

    /// A loop iteration's `when` (which can read `item`): the node it gets instead of running (refused by the gate,
    /// Skipped when false, Error when malformed), or ``IterationStart/run``.
    func iterationStart(_ call: TemplateCall, when: String) async -> IterationStart {
        var renderer = Renderer(scope: call.callerScope)
        let node = PendingNode(
            name: call.nodeName, displayName: call.displayName, templateName: call.template.name,
            boundaryID: call.boundaryID, parentID: call.parentID)
        do {
            switch try await condition(
                when, renderer: &renderer, verifying: "when", context: "'when' of '\(call.displayName)'", node: node)
            {
            case .holds: return .run
            case .refused(let refused): return .ended(refused)
            case .skipped(let message):
                return .ended(try await node.record(.skipped, message: message, in: coordinator))
            }
        } catch {
            return .ended(try? await node.record(.error, message: error.description, in: coordinator))
        }
    }

    /// The exit hook of a step or task: `hooks.exit`, else the deprecated `onExit`.
    func exitHook(onExit: String?, hooks: [String: LifecycleHook]?) -> (template: Template, arguments: StepArguments?)?
    {
        if let hook = hooks?["exit"],
            let template = templates.callee(template: hook.template, templateRef: hook.templateRef, inline: nil)
        {
            return (template, hook.arguments)
        }
        if let onExit, let template = templates.template(named: onExit) { return (template, nil) }
        return nil
    }
}

extension WorkflowExecutor {
    /// Runs each hook whose `expression` holds once the step or task has ended (its `steps.X.*`/`tasks.X.*`
    /// results visible), as a node named `<node>.hooks.<name>`.
    ///
    /// Argo re-evaluates hook expressions while the node runs too; Sluice evaluates them once, at its end.
    func runExpressionHooks(_ hooks: [String: LifecycleHook], of site: CallSite, result: CallSiteResult)
        async throws(EngineError)
    {
        guard !hooks.isEmpty else { return }
        var scope = site.scope
        result.publish(into: &scope, as: "\(site.scopePrefix).\(site.name)")
        for (name, hook) in hooks.sorted(by: { $0.key < $1.key }) {
            guard let expression = hook.expression,
                let template = templates.callee(template: hook.template, templateRef: hook.templateRef, inline: nil)
            else { continue }
            var renderer = Renderer(scope: scope)
            let substituted = try renderer.render(expression, context: "hook '\(name)' of '\(site.name)'")
            let holds =
                try renderer.render("{{=\(substituted)}}", context: "hook '\(name)' of '\(site.name)'") == "true"
            let hookName = "\(site.nodeName).hooks.\(name)"
            if let refusal = await verifyDecision(
                "expression", sources: renderer.sources, displayName: "\(site.name).hooks.\(name)",
                templateName: template.name)
            {
                _ = try await refuseDecision(
                    refusal, name: hookName, displayName: "\(site.name).hooks.\(name)", templateName: template.name,
                    boundaryID: site.boundaryID, parentID: site.parentID)
                continue
            }
            guard holds else { continue }
            _ = await execute(
                TemplateCall(
                    template: template, arguments: hook.arguments, callerScope: scope,
                    nodeName: "\(site.nodeName).hooks.\(name)", displayName: "\(site.name).hooks.\(name)",
                    boundaryID: site.boundaryID, parentID: site.parentID))
        }
    }
}

/// Set once an iteration of a bounded loop failed: later iterations do not start.
actor LoopStop {
    private(set) var isSet = false
    func set() { isSet = true }
}

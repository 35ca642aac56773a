import SluiceSpec

/// What steps and DAG tasks share: the template to call, its arguments, loop, condition and hooks.
protocol CallSpec: Sendable {
    var name: String { get }
    var template: String? { get }
    var templateRef: TemplateReference? { get }
    var inline: Template? { get }
    var arguments: StepArguments? { get }
    var when: String? { get }
    var continueOn: ContinueOn? { get }
    var withItems: [AnyValue]? { get }
    var withParam: String? { get }
    var withSequence: WithSequence? { get }
    var onExit: String? { get }
    var hooks: [String: LifecycleHook]? { get }
}

extension WorkflowStep: CallSpec {}
extension DAGTask: CallSpec {}

extension WorkflowExecutor {
    /// What a step or task about to start comes to.
    enum CallDecision {
        /// It gets `node`, which does not run: Skipped (`when` false) or Error (a malformed loop or condition, a
        /// missing template), with this message. The caller records it (``PendingNode/record(_:message:in:)``).
        case ended(NodePhase, message: String, node: PendingNode)
        /// The gate refused a value its `when` or loop reads: the refused node, already recorded.
        case refused(NodeState)
        /// It runs this call site.
        case run(CallSite)
    }

    /// The one call-site decision of steps and DAG tasks: loop items expanded, `when` evaluated, the values either
    /// read verified by the gate (a refusal is recorded under `parentID`), the callee resolved.
    func decideCall(
        _ spec: some CallSpec, kind: String, nodeName: String, scope: VariableScope, boundaryID: String,
        parentID: String?, scopePrefix: String
    ) async -> CallDecision {
        let name = spec.name
        var renderer = Renderer(scope: scope)
        let node = PendingNode(
            name: nodeName, displayName: name, templateName: spec.template, boundaryID: boundaryID, parentID: parentID)
        do {
            let items = try LoopItems.expand(
                withItems: spec.withItems, withParam: spec.withParam, withSequence: spec.withSequence,
                renderer: &renderer, context: "\(kind) '\(name)'")
            let itemSources = renderer.sources
            // A loop's `when` is each iteration's (it can read `item`); the loop's own decision is its items.
            switch try await condition(
                items == nil ? spec.when : nil, renderer: &renderer, verifying: items == nil ? "when" : "withParam",
                context: "'when' of \(kind) '\(name)'", node: node)
            {
            case .holds: break
            case .refused(let refused): return .refused(refused)
            case .skipped(let message): return .ended(.skipped, message: message, node: node)
            }
            guard
                let callee = templates.callee(
                    template: spec.template, templateRef: spec.templateRef, inline: spec.inline)
            else {
                throw EngineError.unresolvedVariable(
                    reference: spec.template ?? "template", context: "\(kind) '\(name)' (template not found)")
            }
            return .run(
                CallSite(
                    name: name, nodeName: nodeName, callee: callee, arguments: spec.arguments, items: items,
                    itemsProvenance: itemSources, scope: scope, boundaryID: boundaryID, parentID: parentID,
                    continueOn: spec.continueOn, exitHook: exitHook(onExit: spec.onExit, hooks: spec.hooks),
                    scopePrefix: scopePrefix, when: items == nil ? nil : spec.when,
                    expressionHooks: (spec.hooks ?? [:]).filter { $0.key != "exit" && $0.value.expression != nil }))
        } catch {
            return .ended(.error, message: (error as? EngineError)?.description ?? "\(error)", node: node)
        }
    }

    /// How a call's condition came out.
    enum ConditionOutcome {
        case holds
        /// `when` evaluated false: the node is Skipped with Argo's message.
        case skipped(message: String)
        /// The gate refused a value the decision read: the refused node, already recorded.
        case refused(NodeState)
    }

    /// Evaluates `when` (none holds) and has the gate verify every value the decision read so far through
    /// `renderer` (its loop items too), recording a refusal as `node`.
    func condition(
        _ when: String?, renderer: inout Renderer, verifying decision: String, context: String, node: PendingNode
    ) async throws(EngineError) -> ConditionOutcome {
        var holds = true
        if let when { holds = try renderer.evaluateCondition(when, context: context) }
        if let refusal = await verifyDecision(
            decision, sources: renderer.sources, displayName: node.displayName, templateName: node.templateName)
        {
            return .refused(
                try await refuseDecision(
                    refusal, name: node.name, displayName: node.displayName, templateName: node.templateName,
                    boundaryID: node.boundaryID, parentID: node.parentID))
        }
        if let when, !holds {
            return .skipped(message: "when '\(try renderer.render(when, context: "when"))' evaluated false")
        }
        return .holds
    }
}

/// Where a call's node goes if it gets one without running (skipped, refused, an error).
struct PendingNode {
    var name: String
    var displayName: String
    var templateName: String?
    var boundaryID: String?
    var parentID: String?

    /// Records the node, a Skipped-type node in `phase` with `message`.
    func record(_ phase: NodePhase, message: String, in coordinator: RunCoordinator) async throws(EngineError)
        -> NodeState
    {
        try await coordinator.createNode(
            name: name, displayName: displayName, type: .skipped, templateName: templateName, phase: phase,
            boundaryID: boundaryID, parentID: parentID, message: message)
    }
}

import Foundation
import SluiceExpressions
import SluiceSpec
import SluiceStore

extension WorkflowEngine {
    /// Runs the entrypoint with the workflow's arguments under `spec.activeDeadlineSeconds`, and the workflow's
    /// expression hooks beside and after it.
    ///
    /// - Returns: the root node and the run's message (the stop or deadline reason when it did not succeed).
    static func runEntrypoint(
        _ run: AdmittedRun, globals: VariableScope, executor: WorkflowExecutor
    ) async throws(EngineError) -> (root: NodeState, message: String?) {
        let (name, request, workflow) = (run.name, run.prepared.request, run.prepared.workflow)
        let (parameters, rootTemplate) = (run.prepared.parameters, run.prepared.rootTemplate)
        var arguments = StepArguments()
        // The entrypoint's inputs read the workflow's arguments through their variables, so they carry the
        // arguments' provenance (a value that is itself a template is passed as before).
        arguments.parameters = parameters.map {
            let simple =
                !$0.value.contains("{{") && !$0.name.isEmpty
                && $0.name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
            return Parameter(
                name: $0.name,
                value: ArgoString(simple ? "{{workflow.parameters.\($0.name)}}" : $0.value))
        }
        arguments.artifacts = workflow.spec.arguments?.artifacts
        let rootCall = TemplateCall(
            template: rootTemplate, arguments: arguments, callerScope: globals, nodeName: name, displayName: name,
            boundaryID: nil, parentID: nil)
        var renderer = Renderer(scope: globals)
        let deadline = try renderer.renderOptional(
            workflow.spec.activeDeadlineSeconds?.value,
            context: "spec.activeDeadlineSeconds"
        )
        .map { text throws(EngineError) in
            try Durations.parse(seconds: text, field: "activeDeadlineSeconds", context: "spec")
        }
        // `workflow.status` is Running before any node starts, rather than once the hooks beside the entrypoint set
        // it: a steps or DAG scope started without it made each of its nodes merge it in, copying the whole scope.
        await executor.coordinator.setGlobalVariable("workflow.status", value: "Running")
        // Expression hooks that hold while the workflow is Running (`workflow.status == "Running"`) fire at once.
        async let firedWhileRunning = Self.runExpressionHooks(
            workflow.spec.hooks, status: "Running", skipping: [], globals: globals, executor: executor,
            workflowName: name)
        let root = await Self.execute(rootCall, with: executor, deadline: deadline, stop: request.stop)
        var message = root.phase == .succeeded ? nil : root.message
        if root.phase != .succeeded, let reason = request.stop.reason {
            message =
                reason == WorkflowExecutor.deadlineMessage && deadline != nil
                ? "Step exceeded its deadline (spec.activeDeadlineSeconds \(deadline?.components.seconds ?? 0)s)"
                : reason
        }

        // Workflow-level hooks with an expression: the ones that hold while the workflow runs fired beside the
        // entrypoint (above); the others are evaluated once it has ended. Each hook fires at most once.
        let status = root.phase.workflowStatus
        _ = await Self.runExpressionHooks(
            workflow.spec.hooks, status: status, skipping: await firedWhileRunning, globals: globals,
            executor: executor, workflowName: name)
        return (root, message)
    }

    /// Runs the exit handler (`spec.onExit` or `spec.hooks.exit`) last, seeing how the workflow went
    /// (`workflow.status`, `workflow.failures`, `workflow.duration`).
    ///
    /// - Returns: the exit handler's node, nil when the workflow has none.
    static func runExitHandler(
        of run: AdmittedRun, status: String, globals: VariableScope, executor: WorkflowExecutor,
        coordinator: RunCoordinator
    ) async -> NodeState? {
        let (name, record, workflow) = (run.name, run.record, run.prepared.workflow)
        let exitHandler =
            workflow.spec.hooks?["exit"].flatMap { hook in
                executor.templates.callee(template: hook.template, templateRef: hook.templateRef, inline: nil)
                    .map { ($0, hook.arguments) }
            }
            ?? workflow.spec.onExit.flatMap { executor.templates.template(named: $0) }.map { ($0, StepArguments?.none) }
        guard let (handler, handlerArguments) = exitHandler else { return nil }
        var scope = globals
        await coordinator.setGlobalVariable("workflow.status", value: status)
        scope.set("workflow.status", status)
        // Every Failed or Errored node (steps, DAGs, retries included), as Argo's controller marshals them.
        let failures = await coordinator.allNodes().filter { $0.phase.isFailedOrError }.map { node in
            let fields = [
                ("displayName", node.displayName), ("message", node.message ?? ""),
                ("templateName", node.templateName ?? ""), ("phase", node.phase.rawValue), ("podName", node.id),
                ("finishedAt", node.finishedAt.map(ArgoTime.format) ?? ""),
            ]
            return "{" + fields.map { ArgoJSON.string($0) + ":" + ArgoJSON.string($1) }.joined(separator: ",") + "}"
        }
        scope.set("workflow.failures", "[" + failures.joined(separator: ",") + "]")
        scope.set("workflow.duration", String(format: "%.6f", Date().timeIntervalSince(record.createdAt)))
        for name in ["workflow.failures", "workflow.duration"] {
            if let value = scope.value(name)?.text { await coordinator.setGlobalVariable(name, value: value) }
        }
        return await executor.execute(
            TemplateCall(
                template: handler, arguments: handlerArguments, callerScope: scope, nodeName: "\(name).onExit",
                displayName: "\(name).onExit", boundaryID: nil, parentID: nil))
    }
}

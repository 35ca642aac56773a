import SluiceSpec

extension WorkflowEngine {
    /// Runs the workflow-level hooks (`spec.hooks`, except `exit`) whose `expression` holds with `workflow.status`
    /// set to `status`, in name order, skipping those in `fired`; returns the names of the hooks it ran.
    ///
    /// Argo evaluates these expressions on every reconciliation while the workflow runs and once more at its end; a
    /// hook's node is created once, so each hook fires at most once. Here they are evaluated when the workflow
    /// starts (status `Running`) and when its entrypoint has ended. Each hook's node is `WORKFLOW.hooks.NAME`.
    static func runExpressionHooks(
        _ hooks: [String: LifecycleHook]?, status: String, skipping fired: Set<String>, globals: VariableScope,
        executor: WorkflowExecutor, workflowName name: String
    ) async -> Set<String> {
        var ran: Set<String> = []
        // The hooks' own templates see the status too (`{{workflow.status}}`).
        await executor.coordinator.setGlobalVariable("workflow.status", value: status)
        for (hookName, hook) in (hooks ?? [:]).sorted(by: { $0.key < $1.key })
        where hookName != "exit" && !fired.contains(hookName) {
            guard let expression = hook.expression,
                let handler = executor.templates.callee(
                    template: hook.template, templateRef: hook.templateRef, inline: nil)
            else { continue }
            var scope = globals
            scope.set("workflow.status", status)
            var hookRenderer = Renderer(scope: scope)
            guard let substituted = try? hookRenderer.render(expression, context: "hook '\(hookName)'"),
                (try? hookRenderer.render("{{=\(substituted)}}", context: "hook '\(hookName)'")) == "true"
            else { continue }
            ran.insert(hookName)
            _ = await executor.execute(
                TemplateCall(
                    template: handler, arguments: hook.arguments, callerScope: scope,
                    nodeName: "\(name).hooks.\(hookName)",
                    displayName: "\(name).hooks.\(hookName)", boundaryID: nil, parentID: nil))
        }
        return ran
    }
}

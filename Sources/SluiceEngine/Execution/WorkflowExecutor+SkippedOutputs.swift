import SluiceSpec

extension WorkflowExecutor {
    /// Publishes what the outputs of a task or step that never ran (Skipped, Omitted) resolve to, as Argo does.
    ///
    /// Each output parameter of the template it would have run resolves to its `valueFrom.default` when it has one;
    /// otherwise it is absent: `nil` in an expression (so `?? 'fallback'` applies), and an argument that refers to
    /// it is treated as not supplied (so the consumer's input `default` applies).
    func publishOutputsOfNodeThatDidNotRun(
        template name: String?, templateRef: TemplateReference?, inline: Template?, into scope: inout VariableScope,
        as prefix: String
    ) {
        guard let template = templates.callee(template: name, templateRef: templateRef, inline: inline) else { return }
        for parameter in template.outputs?.parameters ?? [] {
            let variable = "\(prefix).outputs.parameters.\(parameter.name)"
            if let fallback = parameter.valueFrom?.default?.value {
                // Not an output of the node: the template's literal standing in for it, named as such.
                scope.set(
                    variable, fallback,
                    provenance: [
                        .skippedDefault(
                            node: String(prefix.split(separator: ".").last ?? ""), template: template.name,
                            parameter: parameter.name)
                    ])
            } else {
                scope.markAbsent(variable)
            }
        }
    }
}

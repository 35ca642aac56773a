package import SluiceSpec

/// Finds the template a step or task calls: `inline`, `template` (in the workflow's own `spec.templates`), or
/// `templateRef` (in another WorkflowTemplate or ClusterWorkflowTemplate known to the run).
package struct TemplateResolver: Sendable {
    /// The running workflow's spec.
    package let spec: WorkflowSpec
    /// Other WorkflowTemplate/ClusterWorkflowTemplate documents, by `metadata.name`.
    package let workflowTemplates: [String: Workflow]

    package init(spec: WorkflowSpec, workflowTemplates: [String: Workflow] = [:]) {
        self.spec = spec
        self.workflowTemplates = workflowTemplates
    }

    /// The called template, or nil when none of the three forms resolves.
    package func callee(template name: String?, templateRef: TemplateReference?, inline: Template?) -> Template? {
        if let inline { return inline }
        if let name { return spec.template(named: name) }
        if let templateRef, let document = workflowTemplates[templateRef.name] {
            return document.spec.template(named: templateRef.template ?? document.spec.entrypoint ?? "")
        }
        return nil
    }

    /// The template named `name` in the workflow itself (entrypoint, onExit).
    package func template(named name: String) -> Template? { spec.template(named: name) }
}

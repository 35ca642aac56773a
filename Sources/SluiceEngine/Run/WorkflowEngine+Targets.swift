import SluiceSpec

extension WorkflowEngine {
    /// The entrypoint template with `sluice run --target` applied: its DAG's `target` replaced by the given tasks.
    ///
    /// - Throws: ``EngineError/invalidTarget(target:template:reason:)`` when the entrypoint is not a DAG or does not
    ///   have one of the tasks.
    static func applying(targets: [String], to template: Template) throws(EngineError) -> Template {
        guard !targets.isEmpty else { return template }
        guard var dag = template.dag else {
            throw .invalidTarget(
                target: targets.joined(separator: ","), template: template.name,
                reason: "--target needs an entrypoint with a dag")
        }
        let known = dag.tasks.map(\.name)
        for target in targets where !known.contains(target) {
            throw .invalidTarget(
                target: target, template: template.name,
                reason: "the dag has no such task (tasks: \(known.joined(separator: ", ")))")
        }
        dag.target = targets.joined(separator: " ")
        var targeted = template
        targeted.dag = dag
        return targeted
    }
}

import Yams

extension WorkflowDocument {
    /// The document kinds that hold reusable templates.
    package static let templateKinds: Set<String> = ["WorkflowTemplate", "ClusterWorkflowTemplate"]

    /// The template keys that say what kind of work a template does (Argo keeps exactly one).
    static let templateKindKeys: Set<String> = Set(Template.Kind.allKindKeys)

    /// The Workflow that runs `template`'s spec, as Argo joins a Workflow with its `spec.workflowTemplateRef`:
    /// this Workflow's spec laid over the template's (entrypoint, onExit and other fields given here win;
    /// `arguments.parameters`, `arguments.artifacts` and `templates` merge by name, the Workflow's values winning).
    ///
    /// The result has no `workflowTemplateRef`; its tree mixes positions from both files, so messages about it
    /// point at whichever file wrote the value.
    /// - Throws: ``SpecError`` when the joined spec does not decode.
    package func joined(with template: WorkflowDocument) throws(SpecError) -> WorkflowDocument {
        let ownSpec = (tree["spec"] ?? .mapping([], at: tree.location)).removing(keys: ["workflowTemplateRef"])
        let baseSpec = template.tree["spec"] ?? .mapping([], at: template.tree.location)
        let joinedTree = tree.setting("spec", to: ownSpec.merged(over: baseSpec))
        return WorkflowDocument(workflow: try joinedTree.decode(Workflow.self), tree: joinedTree, file: file)
    }

    /// This document with `templateDefaults` merged into each of its templates, as Argo does before running one:
    /// a field the template sets wins, maps merge, and the defaults' own kind of work (e.g. `container`) is
    /// dropped unless the template is of that kind.
    ///
    /// - Parameter defaults: the running workflow's `spec.templateDefaults` tree; nil returns the document as is.
    /// - Throws: ``SpecError`` when a merged template does not decode.
    package func applyingTemplateDefaults(_ defaults: YAMLValue?) throws(SpecError) -> WorkflowDocument {
        guard let defaults, case .mapping = defaults, let spec = tree["spec"], let templates = spec["templates"]
        else { return self }
        var mergedTemplates: [YAMLValue] = []
        for template in templates.elements {
            let ownKinds = Set(template.entries.map(\.key)).intersection(Self.templateKindKeys)
            let applicable = defaults.removing(keys: Self.templateKindKeys.subtracting(ownKinds).union(["name"]))
            mergedTemplates.append(template.merged(over: applicable))
        }
        let mergedTree = tree.setting(
            "spec",
            to: spec.setting(
                "templates",
                to: .sequence(
                    mergedTemplates, at: templates.location)))
        var document = self
        document.tree = mergedTree
        document.workflow = try mergedTree.decode(Workflow.self)
        return document
    }
}

extension Template.Kind {
    /// The YAML keys of every template kind.
    static var allKindKeys: [String] {
        ["container", "script", "steps", "dag", "suspend", "resource", "data", "http", "containerSet", "plugin"]
    }
}

extension WorkflowDocument {
    /// The document to run: this one joined with the template its `spec.workflowTemplateRef` names (see
    /// ``joined(with:)``), or this one when it names none; then the effective `spec.templateDefaults` merged into
    /// its templates.
    ///
    /// - Throws: ``SpecError/invalidValue(message:at:path:)`` at `spec.workflowTemplateRef.name` when the library
    ///   does not hold the named document; ``SpecError`` when the joined spec does not decode.
    package func resolvingWorkflowTemplateRef(in library: TemplateLibrary) throws(SpecError) -> WorkflowDocument {
        var effective = self
        if let reference = workflow.spec.workflowTemplateRef {
            guard let template = library.document(for: reference) else {
                let path: SpecPath = "spec.workflowTemplateRef.name"
                throw .invalidValue(
                    message: "workflowTemplateRef names \(TemplateLibrary.describe(reference)), which is not known: "
                        + "give its file with --templates or register it with 'sluice template create'",
                    at: tree.location(of: path), path: path)
            }
            effective = try joined(with: template)
        }
        return try effective.applyingTemplateDefaults(effective.tree["spec"]?["templateDefaults"])
    }

    /// The YAML text of this document alone (as parsed: comments and anchors are not kept).
    package var yamlText: String {
        (try? Yams.serialize(node: tree.yamsNode)) ?? ""
    }
}

extension WorkflowDocument {
    /// The Workflow that `argo submit --from workflowtemplate/NAME` creates from this WorkflowTemplate (or
    /// ClusterWorkflowTemplate): kind `Workflow`, named `NAME-` plus a random suffix, labelled
    /// `workflows.argoproj.io/workflow-template: NAME`, with the template's spec as its own.
    ///
    /// - Throws: ``SpecError`` when the converted document does not decode.
    package func submittedAsWorkflow() throws(SpecError) -> WorkflowDocument {
        let at = tree.location
        let name = workflow.metadata.name ?? workflow.metadata.generateName.map { String($0.dropLast()) } ?? "workflow"
        func scalar(_ text: String) -> YAMLValue { .scalar(text, isPlain: false, at: at) }
        var metadata = (tree["metadata"] ?? .mapping([], at: at)).removing(keys: ["name", "generateName"])
        metadata = metadata.setting("generateName", to: scalar(name + "-"))
        let labels = (metadata["labels"] ?? .mapping([], at: at))
            .setting("workflows.argoproj.io/workflow-template", to: scalar(name))
        metadata = metadata.setting("labels", to: labels)
        let converted = tree.setting("kind", to: scalar("Workflow")).setting("metadata", to: metadata)
        return WorkflowDocument(workflow: try converted.decode(Workflow.self), tree: converted, file: file)
    }
}

import Foundation

/// The WorkflowTemplate and ClusterWorkflowTemplate documents a run may reference with `templateRef` or
/// `spec.workflowTemplateRef`.
///
/// Documents are kept in precedence order: when two share a kind and name, the one added first wins. The engine
/// adds the workflow's own file first, then the `--templates` paths in the order given, then the state
/// directory's registry. `clusterScope: true` looks up ClusterWorkflowTemplates, otherwise WorkflowTemplates,
/// as Argo does.
///
/// ```swift
/// var library = try TemplateLibrary.load(paths: ["templates/"])
/// let template = library.template(for: step.templateRef!)
/// ```
package struct TemplateLibrary: Sendable {
    /// Every template document, in precedence order (duplicates included; lookups take the first).
    package private(set) var documents: [WorkflowDocument] = []

    /// An empty library, or one holding the template documents among `documents` (Workflows are skipped).
    package init(_ documents: [WorkflowDocument] = []) {
        add(documents)
    }

    /// Adds the WorkflowTemplate and ClusterWorkflowTemplate documents among `documents`, after those already held.
    package mutating func add(_ documents: [WorkflowDocument]) {
        self.documents += documents.filter { WorkflowDocument.templateKinds.contains($0.workflow.kind) }
    }

    /// Loads every template document of `paths`: files, or directories searched recursively for `*.yaml` and
    /// `*.yml` files (in name order).
    ///
    /// - Throws: ``SpecError`` for a path that does not exist or a file that is not valid Argo YAML.
    package static func load(paths: [String]) throws(SpecError) -> TemplateLibrary {
        var library = TemplateLibrary()
        for path in paths {
            for file in try files(at: path) {
                library.add(try SpecLoader.load(path: file).documents)
            }
        }
        return library
    }

    /// The YAML files at `path`: the file itself, or the YAML files below a directory.
    private static func files(at path: String) throws(SpecError) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .unreadableFile(path: path, reason: "no such file or directory")
        }
        guard isDirectory.boolValue else { return [path] }
        guard let enumerator = FileManager.default.enumerator(atPath: path) else {
            throw .unreadableFile(path: path, reason: "the directory cannot be listed")
        }
        var found: [String] = []
        while let relative = enumerator.nextObject() as? String {
            if relative.hasSuffix(".yaml") || relative.hasSuffix(".yml") {
                found.append((path.hasSuffix("/") ? path : path + "/") + relative)
            }
        }
        return found.sorted()
    }

    /// This library with `defaults` (a workflow's `spec.templateDefaults`) merged into every template of every
    /// document; see ``WorkflowDocument/applyingTemplateDefaults(_:)``.
    ///
    /// - Throws: ``SpecError`` when a merged template does not decode.
    package func applyingTemplateDefaults(_ defaults: YAMLValue?) throws(SpecError) -> TemplateLibrary {
        guard defaults != nil else { return self }
        var library = TemplateLibrary()
        for document in documents { library.documents.append(try document.applyingTemplateDefaults(defaults)) }
        return library
    }

    // MARK: - Lookup

    /// The document of this kind and name that takes precedence, if any.
    ///
    /// - Parameter clusterScope: true for a ClusterWorkflowTemplate, false for a WorkflowTemplate.
    package func document(named name: String, clusterScope: Bool) -> WorkflowDocument? {
        let kind = clusterScope ? "ClusterWorkflowTemplate" : "WorkflowTemplate"
        return documents.first { $0.workflow.kind == kind && $0.workflow.metadata.name == name }
    }

    /// The document a `templateRef`/`workflowTemplateRef` names, if known.
    package func document(for reference: TemplateReference) -> WorkflowDocument? {
        document(named: reference.name, clusterScope: reference.clusterScope == true)
    }

    /// The template a `templateRef` names, ready to run outside its document.
    ///
    /// Its steps' and tasks' `template: X` calls (inline templates' too) are rewritten to
    /// `templateRef: {name: <document>, template: X}`, so they resolve in the referenced document, not in the
    /// running workflow, however deep the nesting. A reference without `template` names the document's
    /// entrypoint. Returns nil when the document or the template is unknown.
    package func template(for reference: TemplateReference) -> Template? {
        guard let document = document(for: reference),
            let template = document.workflow.spec.template(
                named: reference.template ?? document.workflow.spec.entrypoint ?? "")
        else { return nil }
        let home = TemplateReference(name: reference.name, template: nil, clusterScope: reference.clusterScope)
        var found = template.callingTemplates(in: home)
        found.origin = Self.origin(of: reference)
        return found
    }

    /// The origin a template found through `reference` carries: `WorkflowTemplate/NAME` or
    /// `ClusterWorkflowTemplate/NAME`.
    package static func origin(of reference: TemplateReference) -> String {
        (reference.clusterScope == true ? "ClusterWorkflowTemplate/" : "WorkflowTemplate/") + reference.name
    }

    /// A description of what a reference would need, for messages: the kind and name it looks up.
    package static func describe(_ reference: TemplateReference) -> String {
        "\(reference.clusterScope == true ? "ClusterWorkflowTemplate" : "WorkflowTemplate") '\(reference.name)'"
    }
}

extension Template {
    /// This template with every local `template:` call of its steps and tasks turned into a `templateRef` to the
    /// same template in `document` (recursively through inline templates).
    func callingTemplates(in document: TemplateReference) -> Template {
        var copy = self
        func reference(_ name: String) -> TemplateReference {
            TemplateReference(name: document.name, template: name, clusterScope: document.clusterScope)
        }
        copy.steps = steps?.map { group in
            group.map { step in
                var step = step
                if let name = step.template {
                    step.template = nil
                    step.templateRef = reference(name)
                }
                step.inline = step.inline?.callingTemplates(in: document)
                return step
            }
        }
        if var dag {
            dag.tasks = dag.tasks.map { task in
                var task = task
                if let name = task.template {
                    task.template = nil
                    task.templateRef = reference(name)
                }
                task.inline = task.inline?.callingTemplates(in: document)
                return task
            }
            copy.dag = dag
        }
        return copy
    }
}

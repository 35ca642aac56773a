package import Foundation
import SluiceEngine
package import SluiceExpressions
package import SluiceGovernance
package import SluiceSpec

/// A workflow rendered for Argo on Kubernetes.
package struct KubeRendering: Sendable {
    /// The Workflow as a YAML tree, and as the text written to `-o`.
    package var tree: RenderedYAML
    package var text: String { tree.text }
    /// The run's identity and what was submitted.
    package var facts: RunFacts
    /// Templates passed through ungoverned (`--allow-ungoverned`).
    package var ungoverned: [Ungoverned]
}

/// `sluice kube render`: an ordinary Argo Workflow whose pods are governed by the in-pod wrapper and signer.
///
/// Pure: everything it needs is passed in (the loaded file, the keys, the time of submission), and the same
/// inputs give the same bytes.
///
/// ```swift
/// let loaded = try SpecLoader.load(path: "examples/ml-pipeline.yaml")
/// let rendering = try KubeRenderer.render(loaded, library: TemplateLibrary(loaded.documents), overrides: [],
///                                         submitterKey: key, lineageKey: key.publicKey, submittedOn: Date(),
///                                         options: KubeRenderOptions())
/// try rendering.text.write(toFile: "ml-pipeline.argo.yaml", atomically: true, encoding: .utf8)
/// ```
package enum KubeRenderer {
    /// The annotations rendering writes on the Workflow.
    package enum Annotation {
        package static let governance = WorkflowDocument.governanceAnnotation
        package static let submission = "sluice.dev/submission"
        package static let workflow = "sluice.dev/workflow"
        package static let parameters = "sluice.dev/parameters"
        package static let runID = "sluice.dev/run-id"
    }

    /// Renders the Workflow (or WorkflowTemplate, submitted as a Workflow) of `loaded`.
    ///
    /// - Throws: ``KubeError`` naming the first problem: an invalid file (every problem with its position), a
    ///   governance that refuses a key, templates that cannot be wrapped (each with its position).
    package static func render(
        _ loaded: LoadedFile, library: TemplateLibrary, overrides: [ParameterValue],
        submitterKey: SigningKey, lineageKey: PublicKey, submittedOn: Date, options: KubeRenderOptions
    ) throws(KubeError) -> KubeRendering {
        let document = try submittedDocument(loaded, library: library)
        var facts = try KubeSubmission.facts(
            of: document, library: library, overrides: overrides, submitterKey: submitterKey,
            lineageKey: lineageKey, submittedOn: submittedOn, adopting: options.submission)
        (facts.entrypoint, facts.calls) = Self.callTable(document.tree)
        let templateDigests = SubmittedTemplates(document: document, library: library).digests
        var ungoverned = Self.ungoverned(in: document)
        if !ungoverned.isEmpty && !options.allowUngoverned { throw .unwrappable(ungoverned) }

        var tree = RenderedYAML(document.tree)
        let wrapper = PodTemplateWrapper(
            options: options, runFactsText: String(decoding: facts.json.bytes, as: UTF8.self))
        let sources = document.tree["spec"]?["templates"]?.elements ?? []
        var spec = tree["spec"] ?? .mapping([])
        var wrapped: Set<String> = []
        var templates: [RenderedYAML] = []
        for (source, rendered) in zip(sources, spec["templates"]?.elements ?? []) {
            let name = source["name"]?.scalarText ?? ""
            if source["container"] != nil || source["script"] != nil {
                do {
                    templates.append(
                        try wrapper.wrap(
                            rendered, source: source, identity: name,
                            digest: templateDigests[name].map(\.description)))
                    wrapped.insert(name)
                } catch .cannotWrap(_, let reason, let at) where options.allowUngoverned {
                    // Without a command to run the wrapper cannot be placed before it: the template runs as is.
                    ungoverned.append(Ungoverned(template: name, reason: "cannot be wrapped (\(reason))", location: at))
                    templates.append(rendered)
                }
            } else {
                templates.append(try wrapInline(rendered, source: source, wrapper: wrapper))
            }
        }
        let binder = LineageBinder(wrapped: wrapped, templates: templates)
        spec["templates"] = .sequence(templates.map(binder.bind))
        spec["governance"] = nil
        spec["workflowTemplateRef"] = nil
        spec["arguments"] = arguments(spec["arguments"], values: facts.parameters)
        if let reference = options.artifactRepositoryRef {
            spec["artifactRepositoryRef"] = .object([
                "configMap": .string(reference.configMap), "key": .string(reference.key),
            ])
        }
        tree["spec"] = spec
        tree["metadata"] = metadata(tree["metadata"], document: document, facts: facts)
        return KubeRendering(tree: tree, facts: facts, ungoverned: ungoverned)
    }

    /// The entrypoint and, per steps or DAG template, the template each of its tasks or steps calls by name.
    static func callTable(_ tree: YAMLValue) -> (String?, [String: [String: String]]) {
        var calls: [String: [String: String]] = [:]
        for template in tree["spec"]?["templates"]?.elements ?? [] {
            guard let name = template["name"]?.scalarText else { continue }
            let tasks =
                (template["dag"]?["tasks"]?.elements ?? [])
                + (template["steps"]?.elements ?? []).flatMap(\.elements)
            var table: [String: String] = [:]
            for task in tasks {
                if let taskName = task["name"]?.scalarText, let callee = task["template"]?.scalarText {
                    table[taskName] = callee
                }
            }
            if !table.isEmpty { calls[name] = table }
        }
        return (tree["spec"]?["entrypoint"]?.scalarText, calls)
    }

    // MARK: - The document

    /// The document that is submitted: the file's Workflow (or its WorkflowTemplate as a Workflow), joined with
    /// its `workflowTemplateRef`, `templateDefaults` merged, checked as `sluice lint` checks it (except the
    /// features only a local run lacks, which a cluster has).
    private static func submittedDocument(_ loaded: LoadedFile, library: TemplateLibrary) throws(KubeError)
        -> WorkflowDocument
    {
        let submitted: WorkflowDocument
        do throws(SpecError) {
            if let workflow = loaded.documents.first(where: { $0.workflow.kind == "Workflow" }) {
                submitted = workflow
            } else if let template = loaded.documents.first(where: {
                WorkflowDocument.templateKinds.contains($0.workflow.kind)
            }) {
                submitted = try template.submittedAsWorkflow()
            } else {
                throw .noDocuments(file: loaded.file)
            }
            let document = try submitted.resolvingWorkflowTemplateRef(in: library)
            let problems = document.validate(templates: library).filter {
                if case .unsupported = $0 { return false }
                return true
            }
            if !problems.isEmpty { throw problems.count == 1 ? problems[0] : .invalid(errors: problems) }
            let governance = RunGovernance.problems(of: document, includingDelegations: false)
            if !governance.isEmpty {
                throw .invalidValue(
                    message: governance.joined(separator: "; "),
                    at: document.tree.location, path: SpecPath())
            }
            return document
        } catch {
            throw .invalidWorkflow(error)
        }
    }

    /// `metadata` with the fixed name and the submission carried as annotations.
    private static func metadata(_ metadata: RenderedYAML?, document: WorkflowDocument, facts: RunFacts)
        -> RenderedYAML
    {
        var metadata = metadata ?? .mapping([])
        metadata["generateName"] = nil
        let named: RenderedYAML = .mapping([RenderedYAML.Entry("name", .string(facts.workflowName))])
        metadata = .mapping(named.mappingEntries + metadata.mappingEntries.filter { $0.key != "name" })
        var annotations = metadata["annotations"] ?? .mapping([])
        annotations[Annotation.governance] = nil
        if !facts.governance.isNull {
            annotations[Annotation.governance] = .string(String(decoding: facts.governance.bytes, as: UTF8.self))
        }
        annotations[Annotation.runID] = .string(facts.runID)
        annotations[Annotation.parameters] = .string(
            String(decoding: CanonicalJSON.object(facts.parameters.mapValues { .string($0) }).bytes, as: UTF8.self))
        annotations[Annotation.workflow] = .string(String(decoding: document.tree.canonicalJSON.bytes, as: UTF8.self))
        annotations[Annotation.submission] = .string(String(decoding: facts.submission.jsonBytes(), as: UTF8.self))
        metadata["annotations"] = annotations
        return metadata
    }

    /// `spec.arguments` with every parameter's value fixed to the one submitted.
    private static func arguments(_ arguments: RenderedYAML?, values: [String: String]) -> RenderedYAML? {
        guard var arguments, let parameters = arguments["parameters"] else { return arguments }
        arguments["parameters"] = .sequence(
            parameters.elements.map { parameter in
                guard let name = parameter["name"]?.scalarText, let value = values[name] else { return parameter }
                var parameter = parameter
                parameter["value"] = .string(value)
                return parameter
            })
        return arguments
    }

    // MARK: - Templates

    /// A steps or DAG template whose inline pod templates are wrapped (identity: the inline template's name).
    private static func wrapInline(_ rendered: RenderedYAML, source: YAMLValue, wrapper: PodTemplateWrapper)
        throws(KubeError) -> RenderedYAML
    {
        var rendered = rendered
        if var dag = rendered["dag"], let tasks = dag["tasks"] {
            var wrappedTasks: [RenderedYAML] = []
            for (index, task) in tasks.elements.enumerated() {
                wrappedTasks.append(
                    try wrapInline(
                        call: task, source: source["dag"]?["tasks"]?.elements[index],
                        wrapper: wrapper))
            }
            dag["tasks"] = .sequence(wrappedTasks)
            rendered["dag"] = dag
        }
        if let groups = rendered["steps"] {
            var wrappedGroups: [RenderedYAML] = []
            for (groupIndex, group) in groups.elements.enumerated() {
                var steps: [RenderedYAML] = []
                for (index, step) in group.elements.enumerated() {
                    let stepSource = source["steps"]?.elements[groupIndex].elements[index]
                    steps.append(try wrapInline(call: step, source: stepSource, wrapper: wrapper))
                }
                wrappedGroups.append(.sequence(steps))
            }
            rendered["steps"] = .sequence(wrappedGroups)
        }
        return rendered
    }

    private static func wrapInline(call: RenderedYAML, source: YAMLValue?, wrapper: PodTemplateWrapper)
        throws(KubeError) -> RenderedYAML
    {
        guard let inline = call["inline"], let inlineSource = source?["inline"],
            inline["container"] != nil || inline["script"] != nil
        else { return call }
        var call = call
        call["inline"] = try wrapper.wrap(
            inline, source: inlineSource, identity: inline["name"]?.scalarText ?? "",
            digest: nil)
        return call
    }

    /// Every template (and inline template) the wrapper cannot govern, and every call through `templateRef`
    /// (the cluster runs the stored WorkflowTemplate, which rendering does not change).
    static func ungoverned(in document: WorkflowDocument) -> [Ungoverned] {
        var found: [Ungoverned] = []
        let unwrappable = ["resource", "http", "plugin", "suspend", "data", "containerSet"]
        func visit(template: YAMLValue, name: String) {
            if let kind = unwrappable.first(where: { template[$0] != nil }), let value = template[kind] {
                let reason =
                    kind == "containerSet"
                    ? "is a containerSet template (not wrapped yet)"
                    : "is a\(kind == "http" ? "n" : "") \(kind) template"
                found.append(Ungoverned(template: name, reason: reason, location: value.location))
            }
            let calls =
                (template["dag"]?["tasks"]?.elements ?? []) + (template["steps"]?.elements.flatMap(\.elements) ?? [])
            for call in calls {
                let callName = call["name"]?.scalarText ?? ""
                if let reference = call["templateRef"] {
                    let target = reference["name"]?.scalarText ?? ""
                    found.append(
                        Ungoverned(
                            template: "\(callName) -> \(target)/\(reference["template"]?.scalarText ?? "")",
                            reason: "is called through templateRef (the cluster runs the stored WorkflowTemplate)",
                            location: reference.location))
                }
                if let inline = call["inline"] { visit(template: inline, name: "\(callName) (inline)") }
            }
        }
        for template in document.tree["spec"]?["templates"]?.elements ?? [] {
            visit(template: template, name: template["name"]?.scalarText ?? "")
        }
        return found
    }
}

extension RenderedYAML {
    /// The entries of a mapping (empty for other kinds).
    var mappingEntries: [Entry] {
        if case .mapping(let entries) = self { return entries }
        return []
    }
}

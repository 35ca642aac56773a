import Foundation
package import SluiceSpec
import SluiceStore

/// Finds the template a step or task calls: `inline`, `template` (in the workflow's own `spec.templates`), or
/// `templateRef` (in a WorkflowTemplate or ClusterWorkflowTemplate of the run's ``TemplateLibrary``).
///
/// A template found through `templateRef` comes back with its own `template:` calls rewritten to `templateRef`s
/// into its document (``TemplateLibrary/template(for:)``), so the executor needs no document context: a
/// WorkflowTemplate's steps calling the WorkflowTemplate's other templates resolve there, however deep.
package struct TemplateResolver: Sendable {
    /// The running workflow's spec (after `workflowTemplateRef` and `templateDefaults` were applied).
    package let spec: WorkflowSpec
    /// The WorkflowTemplate/ClusterWorkflowTemplate documents known to the run.
    package let library: TemplateLibrary

    /// A resolver for `spec`, with `library` for `templateRef`s (empty: every `templateRef` is unresolved).
    package init(spec: WorkflowSpec, library: TemplateLibrary = TemplateLibrary()) {
        self.spec = spec
        self.library = library
    }

    /// The called template, or nil when the form given does not resolve.
    ///
    /// `inline` wins, then `template` (a local name), then `templateRef`.
    package func callee(template name: String?, templateRef: TemplateReference?, inline: Template?) -> Template? {
        if let inline { return inline }
        if let name { return spec.template(named: name) }
        if let templateRef { return library.template(for: templateRef) }
        return nil
    }

    /// The template named `name` in the workflow itself (entrypoint, onExit).
    package func template(named name: String) -> Template? { spec.template(named: name) }

    /// Why `templateRef` does not resolve, as one sentence for a node message; nil when it resolves.
    package func problem(with templateRef: TemplateReference) -> String? {
        guard let document = library.document(for: templateRef) else {
            return "templateRef names \(TemplateLibrary.describe(templateRef)), which is not known"
        }
        guard library.template(for: templateRef) != nil else {
            let name = templateRef.template ?? document.workflow.spec.entrypoint ?? ""
            return "\(TemplateLibrary.describe(templateRef)) has no template '\(name)'"
        }
        return nil
    }
}

extension TemplateLibrary {
    /// The template documents a run of `loaded` may reference: those in its own file, then `templatePaths`
    /// (`--templates`), then the state directory's registry.
    ///
    /// The registry is read only when the state directory's database exists, so checking an invalid file still
    /// creates nothing.
    /// - Throws: ``EngineError/invalidWorkflow(_:)`` for an unreadable or invalid template file (or registered
    ///   document), ``EngineError/stateUnavailable(reason:)`` when the registry cannot be read.
    package static func forRun(of loaded: LoadedFile?, templatePaths: [String], stateDirectory: String?)
        throws(EngineError) -> TemplateLibrary
    {
        var library = TemplateLibrary(loaded?.documents ?? [])
        do {
            library.add(try TemplateLibrary.load(paths: templatePaths).documents)
        } catch {
            throw .invalidWorkflow(error)
        }
        if let stateDirectory { library.add(try registered(stateDirectory: stateDirectory)) }
        return library
    }

    /// The documents registered in the state directory (`sluice template create`), by name; empty when the state
    /// directory has no database yet.
    ///
    /// - Throws: ``EngineError/stateUnavailable(reason:)`` when the registry cannot be read,
    ///   ``EngineError/invalidWorkflow(_:)`` when a registered document no longer loads.
    package static func registered(stateDirectory: String) throws(EngineError) -> [WorkflowDocument] {
        guard FileManager.default.fileExists(atPath: stateDirectory + "/sluice.db") else { return [] }
        let records: [TemplateRecord]
        do {
            records = try Store.shared(stateDirectory: stateDirectory).templates()
        } catch {
            throw .stateUnavailable(reason: error.description)
        }
        var documents: [WorkflowDocument] = []
        for record in records {
            do {
                let file = "registry:\(record.kind)/\(record.name)"
                documents += try SpecLoader.load(text: record.documentYAML, file: file).documents
            } catch {
                throw .invalidWorkflow(error)
            }
        }
        return documents
    }
}

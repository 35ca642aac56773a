package import SluiceGovernance
import SluicePlan
package import SluiceSpec

/// The code a run may execute, by template identity and content digest: the workflow's own templates (already
/// covered by the workflow digest) and every template reachable through `templateRef` (from the workflow's file,
/// `--templates` files or the registry), whose canonical JSON the submission attestation covers by digest.
///
/// A template's digest is the SHA-256 of the canonical JSON of its YAML as written in its document, so replacing a
/// registered WorkflowTemplate between a run and its `resume` (or between two runs sharing a memoization cache)
/// changes it.
package struct SubmittedTemplates: Sendable, Equatable {
    /// Every template's digest, by identity (``Template/identity``).
    package private(set) var digests: [String: Digest] = [:]
    /// The canonical JSON of every template reached through `templateRef`, by identity.
    package private(set) var referenced: [String: CanonicalJSON] = [:]

    /// The templates `document` may run, resolved in `library`.
    package init(document: WorkflowDocument, library: TemplateLibrary) {
        for tree in document.tree["spec"]?["templates"]?.elements ?? [] {
            guard let name = tree["name"]?.scalarText else { continue }
            digests[name] = tree.canonicalJSON.digest
        }
        var pending = document.workflow.spec.templates.flatMap(Self.references(of:))
        pending += (document.workflow.spec.hooks ?? [:]).values.compactMap(\.templateRef)
        while let reference = pending.popLast() {
            guard let source = library.document(for: reference),
                let template = library.template(for: reference)
            else { continue }
            let identity = template.identity
            guard referenced[identity] == nil else { continue }
            let tree = source.tree["spec"]?["templates"]?.elements.first { $0["name"]?.scalarText == template.name }
            let json = tree?.canonicalJSON ?? .null
            referenced[identity] = json
            digests[identity] = json.digest
            pending += Self.references(of: template)
        }
    }

    /// Re-creates the set a bundle carries (`templates.json`): the referenced templates' canonical JSON.
    package init(referenced: [String: CanonicalJSON]) {
        self.referenced = referenced
        for (identity, json) in referenced { digests[identity] = json.digest }
    }

    /// What the submission attestation's `templates` subject covers: the canonical JSON object mapping each
    /// referenced template's identity to its digest set (`{}` when the workflow references none).
    package var manifest: CanonicalJSON {
        .object(referenced.mapValues { ["sha256": .string($0.digest.hex)] })
    }

    /// The digest of ``manifest``.
    package var digest: Digest { manifest.digest }

    /// The referenced templates themselves, as a bundle carries them.
    package var json: CanonicalJSON { .object(referenced) }

    /// Identities whose digest differs between `self` and `other`, or that only one of them has, sorted.
    package func changes(from other: SubmittedTemplates) -> [String] {
        Set(referenced.keys).union(other.referenced.keys)
            .filter { referenced[$0]?.digest != other.referenced[$0]?.digest }
            .sorted()
    }

    /// The `templateRef`s a template's steps, tasks, hooks and inline templates name.
    private static func references(of template: Template) -> [TemplateReference] {
        var found: [TemplateReference] = []
        for step in (template.steps ?? []).joined() {
            if let reference = step.templateRef { found.append(reference) }
            if let inline = step.inline { found += references(of: inline) }
            found += (step.hooks ?? [:]).values.compactMap(\.templateRef)
        }
        for task in template.dag?.tasks ?? [] {
            if let reference = task.templateRef { found.append(reference) }
            if let inline = task.inline { found += references(of: inline) }
            found += (task.hooks ?? [:]).values.compactMap(\.templateRef)
        }
        return found
    }
}

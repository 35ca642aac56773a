import SluiceEngine
import SluiceGovernance
import SluiceSpec

/// A bundle's `workflow.yaml` read back the way the engine read it at submission: the Workflow document with its
/// `templateDefaults` merged in, its digest and its governance section.
///
/// A workflow that names a `workflowTemplateRef` was joined with a WorkflowTemplate the bundle does not carry, so
/// its digest cannot be recomputed here (verification then reports the digest mismatch).
struct SubmittedWorkflow {
    /// SHA-256 of the canonical JSON of the document (the envelopes' `workflow.specDigest`).
    var digest: Digest
    /// The canonical JSON of the governance section, `null` when there is none.
    var governance: CanonicalJSON
    /// The content digest of each of the workflow's own templates, by name.
    var templateDigests: [String: Digest]

    /// Reads `text`; the thrown message says what is wrong (no Workflow document, a spec or governance error).
    init(text: String, file: String) throws(ExportError) {
        let document: WorkflowDocument
        do {
            let loaded = try SpecLoader.load(text: text, file: file)
            guard let submitted = loaded.documents.first(where: { $0.workflow.kind == "Workflow" }) else {
                throw ExportError.bundleUnreadable(path: file, reason: "it holds no document of kind Workflow")
            }
            document = try submitted.applyingTemplateDefaults(submitted.tree["spec"]?["templateDefaults"])
        } catch let error as ExportError {
            throw error
        } catch let error as SpecError {
            throw .bundleUnreadable(path: file, reason: "it cannot be loaded: \(error.description)")
        } catch {
            throw .bundleUnreadable(path: file, reason: "it cannot be loaded: \(error)")
        }
        digest = document.tree.canonicalJSON.digest
        templateDigests = SubmittedTemplates(document: document, library: TemplateLibrary()).digests
        do {
            governance = try RunGovernance.json(of: document)
        } catch {
            throw .bundleUnreadable(path: file, reason: error.description)
        }
    }
}

import Foundation
import SluiceExpressions
import SluiceGovernance
import SluiceRuntimes
import SluiceSpec
import SluiceStore

/// A workflow made ready to run (phase 1 of ``WorkflowEngine/run(_:)``): loaded, joined with its templates and
/// defaults, validated, its parameters resolved. Nothing is recorded yet.
struct PreparedRun {
    /// The request, with a resumed run's recorded parameters.
    var request: RunRequest
    /// The recorded run a resume continues, nil for a new run.
    var previous: (run: RunRecord, nodes: [NodeRecord])?
    var loaded: LoadedFile
    var library: TemplateLibrary
    var document: WorkflowDocument
    var templates: TemplateResolver
    var parameters: [ParameterValue]
    /// The entrypoint, narrowed to `--target` tasks.
    var rootTemplate: Template
    var workflow: Workflow { document.workflow }
}

extension WorkflowEngine {
    /// Phase 1: loads and validates the workflow (or a resumed run's recorded one) and resolves its parameters; a
    /// resume takes the run's lease first, so that what it reads is what the last engine left.
    ///
    /// - Throws: ``EngineError/invalidWorkflow(_:)`` and the parameter and target errors; nothing is recorded.
    static func prepare(_ request: RunRequest, lease: inout EngineLease?) throws(EngineError) -> PreparedRun {
        var request = request
        var previous: (run: RunRecord, nodes: [NodeRecord])?
        if let resumeName = request.resumeRun {
            let resumed = try Self.recordedRun(resumeName, stateDirectory: request.stateDirectory)
            previous = (resumed.run, resumed.nodes)
            lease = resumed.lease
            request.parameters = resumed.run.parameters
        }
        let loaded: LoadedFile
        do {
            if let previous {
                loaded = try SpecLoader.load(text: previous.run.workflowYAML, file: previous.run.sourcePath)
            } else {
                loaded = try SpecLoader.load(path: request.workflowPath)
            }
        } catch {
            throw .invalidWorkflow(error)
        }
        // A file holding only a WorkflowTemplate submits a Workflow from it (`argo submit --from workflowtemplate/…`).
        let submitted: WorkflowDocument
        if let workflow = loaded.documents.first(where: { $0.workflow.kind == "Workflow" }) {
            submitted = workflow
        } else if let template = loaded.documents.first(where: {
            WorkflowDocument.templateKinds.contains($0.workflow.kind)
        }) {
            do {
                submitted = try template.submittedAsWorkflow()
            } catch {
                throw .invalidWorkflow(error)
            }
        } else {
            throw .noWorkflowDocument(file: request.workflowPath)
        }
        // The document that runs: joined with its workflowTemplateRef, templateDefaults merged in.
        let library = try TemplateLibrary.forRun(
            of: loaded, templatePaths: request.templatePaths, stateDirectory: request.stateDirectory)
        let document: WorkflowDocument
        let templates: TemplateResolver
        do {
            document = try submitted.resolvingWorkflowTemplateRef(in: library)
            let defaults = document.tree["spec"]?["templateDefaults"]
            templates = TemplateResolver(
                spec: document.workflow.spec,
                library: try library.applyingTemplateDefaults(defaults))
        } catch {
            throw .invalidWorkflow(error)
        }
        let problems = document.validate(templates: library)
        if !problems.isEmpty { throw .invalidWorkflow(problems.count == 1 ? problems[0] : .invalid(errors: problems)) }
        // What lint reports about the governance is refused too: a misspelt scope would silently govern nothing.
        let governanceProblems = RunGovernance.problems(of: document, includingDelegations: false)
        if !governanceProblems.isEmpty { throw .governanceSpec(reason: governanceProblems.joined(separator: "\n")) }
        let workflow = document.workflow
        guard let entrypoint = workflow.spec.entrypoint, let template = workflow.spec.template(named: entrypoint) else {
            throw .invalidWorkflow(.missingEntrypoint(at: document.tree["spec"]?.location ?? document.tree.location))
        }
        let parameters = try Self.resolveParameters(workflow.spec, overrides: request.parameters)
        let rootTemplate = try Self.applying(targets: request.targets, to: template)
        return PreparedRun(
            request: request, previous: previous, loaded: loaded, library: library, document: document,
            templates: templates, parameters: parameters, rootTemplate: rootTemplate)
    }
}

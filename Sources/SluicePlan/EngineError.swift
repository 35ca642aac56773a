/// What can go wrong around a run (not a node's own failure, which is a result).
import SluiceExpressions
package import SluiceSpec

package enum EngineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The workflow file is invalid; every problem is listed with its position.
    case invalidWorkflow(SpecError)
    case noWorkflowDocument(file: String)
    case unknownParameter(name: String, known: [String])
    case missingParameterValue(name: String)
    case parameterNotInEnum(name: String, value: String, allowed: [String])
    case badParameterSyntax(String)
    case unresolvedVariable(reference: String, context: String)
    case badExpression(expression: String, reason: String, context: String)
    case stateUnavailable(reason: String)
    case keyUnavailable(reason: String)
    case governanceSpec(reason: String)
    /// The governance does not admit the submitting or lineage-signing key (a governance refusal: exit code 3).
    case submissionRefused(reason: String)
    case runNotFound(String)
    case artifactUnavailable(name: String, reason: String)
    case imageNotMapped(image: String?)
    case outputMissing(name: String, path: String)
    /// An output could not be collected safely: its path leads outside the node's own files, through a link out,
    /// to a special file, or it is larger than outputs may be.
    case outputRefused(name: String, reason: String)
    /// `sluice run --target` names a task the entrypoint DAG does not have, or the entrypoint is not a DAG.
    case invalidTarget(target: String, template: String, reason: String)
    /// A `volumeMounts` entry names a volume that is not declared or has no supported (`emptyDir`) type.
    case volumeUnavailable(name: String, template: String, reason: String)
    /// A `containerSet` is malformed (unnamed or duplicate containers, unknown dependencies, a cycle).
    case invalidContainerSet(template: String, reason: String)
    /// The `sluice.dev/runtime` annotation of a template (or of the workflow) names no runtime.
    case unknownRuntime(template: String, value: String)
    /// A rendered value past one of the `InputLimits` (a loop's size, a duration, a retry limit), named as
    /// `--limit` spells it.
    case limitExceeded(limit: String, detail: String, context: String)
    /// Another live engine holds the run's lease (`holder` reads like `pid 4242`; `since` is the lease's time).
    case runLeased(run: String, holder: String, since: String)
    /// `sluice resume` found the run Succeeded once it held the run's lease (another resume finished it meanwhile).
    case runAlreadySucceeded(run: String)
    /// `sluice resume` was given a runtime setting that differs from the one the run was submitted with.
    case resumeSettingConflict(run: String, setting: String, recorded: String, given: String)

    package var description: String {
        switch self {
        case .invalidWorkflow(let error):
            return error.description
        case .noWorkflowDocument(let file):
            return "'\(file)' holds no document of kind Workflow to run"
        case .unknownParameter(let name, let known):
            let list = known.isEmpty ? "the workflow declares no arguments" : "known: \(known.joined(separator: ", "))"
            return "parameter '\(name.excerpt())' is not a workflow argument (\(list))"
        case .missingParameterValue(let name):
            return "workflow argument '\(name.excerpt())' has no value: pass -p \(name.excerpt())=VALUE"
        case .parameterNotInEnum(let name, let value, let allowed):
            return
                "parameter '\(name.excerpt())' value '\(value.excerpt())' is not one of its enum values: \(allowed.joined(separator: ", ").excerpt())"
        case .badParameterSyntax(let text):
            return "parameter '\(text.excerpt())' must be written NAME=VALUE"
        case .unresolvedVariable(let reference, let context):
            return "failed to resolve {{\(reference.excerpt())}} in \(context)"
        case .badExpression(let expression, let reason, let context):
            return "invalid expression '\(expression.excerpt())' in \(context): \(reason.excerpt(limit: 600))"
        case .stateUnavailable(let reason):
            return "state directory unusable: \(reason)"
        case .keyUnavailable(let reason):
            return "signing key unavailable: \(reason)"
        case .submissionRefused(let reason):
            return "submission refused: \(reason)"
        case .governanceSpec(let reason):
            return "spec.governance is invalid: \(reason)"
        case .runNotFound(let name):
            return "no run named '\(name.excerpt())'"
        case .artifactUnavailable(let name, let reason):
            return "artifact '\(name)' unavailable: \(reason)"
        case .imageNotMapped(let image):
            guard let image else { return "the template gives neither 'command' nor 'image'" }
            return
                "the template gives no 'command' and the runtime profile maps no entrypoint for image '\(image.excerpt())': "
                + "add it under 'images:' in the runtime profile (--runtime-profile FILE)"
        case .outputMissing(let name, let path):
            return "output '\(name)' was not produced: no file or directory at '\(path.excerpt())'"
        case .outputRefused(let name, let reason):
            return "output '\(name)' refused: \(reason)"
        case .invalidTarget(let target, let template, let reason):
            return "target '\(target)' cannot run in entrypoint template '\(template)': \(reason)"
        case .volumeUnavailable(let name, let template, let reason):
            return "volume '\(name)' of template '\(template)' cannot be mounted: \(reason)"
        case .invalidContainerSet(let template, let reason):
            return "containerSet of template '\(template)' is invalid: \(reason)"
        case .unknownRuntime(let template, let value):
            return "template '\(template)' names unknown runtime '\(value.excerpt())' in annotation "
                + "sluice.dev/runtime: use process, podman or docker"
        case .limitExceeded(let limit, let detail, let context):
            return "\(detail) in \(context): raise the limit with --limit \(limit)=N"
        case .runLeased(let run, let holder, let since):
            return "run '\(run)' is being driven by \(holder) since \(since): wait for it to end, or stop it with "
                + "'sluice stop \(run)'"
        case .runAlreadySucceeded(let run):
            return "run \(run) already Succeeded"
        case .resumeSettingConflict(let run, let setting, let recorded, let given):
            return "run '\(run)' was submitted with \(setting) \(recorded), and a resume keeps it: drop \(setting) "
                + "\(given)"
        }
    }
}

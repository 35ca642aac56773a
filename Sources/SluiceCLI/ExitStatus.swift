import SluiceAudit
import SluiceEngine

/// The process exit codes of the CLI, in one place.
enum ExitStatus {
    static let succeeded: Int32 = 0
    static let failed: Int32 = 1
    static let usage: Int32 = 2
    static let refused: Int32 = 3
    static let invalidWorkflow: Int32 = 65
}

extension ExitStatus {
    /// The exit status for an engine error: 65 for a workflow that cannot run as written, 3 for a refused
    /// submission, 2 for a wrong parameter, target or invocation, 1 otherwise.
    static func of(_ error: EngineError) -> Int32 {
        switch error {
        case .invalidWorkflow, .noWorkflowDocument, .governanceSpec: invalidWorkflow
        case .submissionRefused: refused
        case .unknownParameter, .missingParameterValue, .parameterNotInEnum, .badParameterSyntax, .invalidTarget,
            .runLeased, .resumeSettingConflict:
            usage
        default: failed
        }
    }

    /// The exit status for an export, verification, revocation or replay error: 2 for a target that names nothing,
    /// 3 for what is not trusted, 1 otherwise.
    static func of(_ error: ExportError) -> Int32 {
        switch error {
        case .revocationTargetInvalid, .revocationTargetUnknown, .replayNodeUnknown: usage
        case .revocationListUntrusted, .revocationListMalformed, .replayUntrusted: refused
        default: failed
        }
    }
}

extension CommandFailure {
    /// An engine error as the CLI reports it.
    init(_ error: EngineError) {
        let text = error.description
        self.init(
            ExitStatus.of(error), text.hasPrefix("error:") || text.contains(": error: ") ? text : "error: \(text)")
    }

    /// An export, verification, revocation or replay error as the CLI reports it.
    init(_ error: ExportError) {
        self.init(ExitStatus.of(error), "error: \(error.description)")
    }
}

import Foundation
package import SluiceExpressions
package import SluiceGovernance
package import SluiceSpec

/// Everything `sluice run` asks of the engine.
package struct RunRequest: Sendable {
    package var workflowPath: String
    /// `-p name=value` overrides, in the order given.
    package var parameters: [ParameterValue]
    package var stateDirectory: String
    /// `--key FILE`; nil uses (and on first use creates) the state directory's key.
    package var keyPath: String?
    /// `--lineage-key FILE`: the key that signs node lineage, when it is not the submitting key (e.g. a CI key the
    /// submitter's authority delegated `sign` to). Hidden from nodes like the submitting key.
    package var lineageKeyPath: String?
    package var runtimeProfile: RuntimeProfile
    /// The text of the `--runtime-profile` file, recorded with the run so that a resume uses the same profile.
    package var runtimeProfileText: String? = nil
    /// `--templates PATH` files or directories holding WorkflowTemplates for `templateRef`/`workflowTemplateRef`,
    /// in precedence order (after the workflow's own file, before the state directory's registry).
    package var templatePaths: [String]
    /// Set by whoever stops the run early (signals, `sluice stop`); the run's Task must be cancelled too.
    package var stop: RunStop = RunStop()
    /// Continue this recorded run (its engine died) instead of submitting `workflowPath`: nodes that already
    /// Succeeded are kept, with their outputs and envelopes, and not run again.
    package var resumeRun: String?
    /// `sluice replay --from NODE`: the captured run whose nodes are reused instead of run (see ``BundleReplay``).
    package var replay: ReplaySource?
    /// Called once when a default key was created, with a one-line notice for the user.
    package var onKeyCreated: (@Sendable (String) -> Void)?
    /// `--target A,B`: run only these tasks of the entrypoint DAG and what they depend on (Argo's DAG `target`);
    /// empty runs the whole DAG (or its own `target`).
    package var targets: [String]
    /// `--submission FILE`: a submission attestation signed elsewhere (an event trigger, CI) that the run adopts as
    /// the root of its trust slope, with its run id and name, instead of signing one (``RunGovernance/adopt``).
    package var submission: Envelope?
    /// `--parallelism N`: how many nodes may run at once on this machine, over `spec.parallelism` and
    /// ``defaultParallelism``.
    package var parallelism: Int?

    /// How many nodes run at once when neither `--parallelism` nor `spec.parallelism` says: four per CPU, at least
    /// eight, so that a fan-out of thousands of nodes runs at a steady load instead of all at once.
    package static var defaultParallelism: Int {
        max(8, 4 * ProcessInfo.processInfo.activeProcessorCount)
    }

    /// The bound on nodes running at once for a workflow whose `spec.parallelism` is `specified` (0 or absent:
    /// no workflow limit, as in Argo, so the machine's bound applies).
    package func nodeLimit(specified: Int?) -> Int {
        if let parallelism, parallelism > 0 { return parallelism }
        if let specified, specified > 0 { return specified }
        return Self.defaultParallelism
    }

    package init(
        workflowPath: String, parameters: [ParameterValue] = [], stateDirectory: String,
        keyPath: String? = nil, runtimeProfile: RuntimeProfile = RuntimeProfile(),
        onKeyCreated: (@Sendable (String) -> Void)? = nil, templatePaths: [String] = [], targets: [String] = []
    ) {
        self.targets = targets
        self.templatePaths = templatePaths
        self.workflowPath = workflowPath
        self.parameters = parameters
        self.stateDirectory = stateDirectory
        self.keyPath = keyPath
        self.runtimeProfile = runtimeProfile
        self.onKeyCreated = onKeyCreated
    }
}

/// How a run ended.
package struct RunSummary: Sendable {
    package var name: String
    package var id: String
    package var phase: NodePhase
    package var message: String?
    /// True when the gate refused at least one node.
    package var refused: Bool
}

package import Foundation
package import SluiceExpressions
import SluiceGovernance

/// One submitted workflow run: what was submitted, under which governance, and how far it got.
///
/// Dates are kept to millisecond precision: the initializer truncates them, and the store returns them truncated
/// (see ``StoreTimestamp/truncated(_:)`` when assigning a date to a field later).
package struct RunRecord: Sendable, Equatable, Codable {
    /// The run id (a UUID string); primary key.
    package var id: String
    /// The workflow name (`metadata.name`, or `generateName` plus a suffix); unique within a state directory.
    package var name: String
    /// The file the workflow came from.
    package var sourcePath: String
    /// The submitted document text.
    package var workflowYAML: String
    /// Resolved workflow parameters as JSON text, `{"name": "value"}`.
    package var parametersJSON: String
    /// sha256 hex of the workflow document.
    package var workflowDigest: String
    /// sha256 hex of the governance policy in force.
    package var governanceDigest: String
    /// The runtime kind: `process`, `podman` or `docker`.
    package var runtime: String
    /// The id of the key that signs this run's envelopes.
    package var signerKeyID: String
    /// The run's phase.
    package var phase: RunPhase
    /// A human message, usually why the run failed.
    package var message: String?
    /// When the run was submitted; runs are listed newest first by this date.
    package var createdAt: Date
    /// When the engine started executing nodes.
    package var startedAt: Date?
    /// When the run reached a terminal phase.
    package var finishedAt: Date?
    /// The process currently driving the run (for resume and stop), if any.
    package var engineProcessID: Int32?
    /// Workflow-level outputs as JSON text.
    package var outputsJSON: String?
    /// The isolation of the run's process nodes (`bubblewrap` or `none`), fixed at submission so that a resume
    /// keeps it; nil for runs recorded before Sluice kept it.
    package var isolation: String?
    /// The text of the runtime profile file the run was submitted with (`--runtime-profile`), kept for resume.
    package var runtimeProfile: String?

    /// Creates a run record; all dates are truncated to whole milliseconds so they round-trip through the store.
    package init(
        id: String,
        name: String,
        sourcePath: String,
        workflowYAML: String,
        parametersJSON: String = "{}",
        workflowDigest: String,
        governanceDigest: String,
        runtime: String,
        signerKeyID: String,
        phase: RunPhase = .pending,
        message: String? = nil,
        createdAt: Date,
        startedAt: Date? = nil,
        finishedAt: Date? = nil,
        engineProcessID: Int32? = nil,
        outputsJSON: String? = nil,
        isolation: String? = nil,
        runtimeProfile: String? = nil
    ) {
        self.isolation = isolation
        self.runtimeProfile = runtimeProfile
        self.id = id
        self.name = name
        self.sourcePath = sourcePath
        self.workflowYAML = workflowYAML
        self.parametersJSON = parametersJSON
        self.workflowDigest = workflowDigest
        self.governanceDigest = governanceDigest
        self.runtime = runtime
        self.signerKeyID = signerKeyID
        self.phase = phase
        self.message = message
        self.createdAt = StoreTimestamp.truncated(createdAt)
        self.startedAt = startedAt.map(StoreTimestamp.truncated)
        self.finishedAt = finishedAt.map(StoreTimestamp.truncated)
        self.engineProcessID = engineProcessID
        self.outputsJSON = outputsJSON
    }
}

extension RunRecord {
    /// The workflow parameters the run was submitted with, sorted by name (``parametersJSON`` read back).
    package var parameters: [ParameterValue] { [ParameterValue](parsingObject: parametersJSON) }
}

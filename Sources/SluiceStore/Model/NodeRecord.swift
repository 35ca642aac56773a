package import Foundation
package import SluiceSpec

/// One Argo status node of a run (a pod, a steps group, a DAG, a skipped task…).
///
/// Mirrors an entry of Argo's `status.nodes`; JSON fields hold Argo-shaped text so the CLI can render them as is.
/// Dates are truncated to whole milliseconds by the initializer.
package struct NodeRecord: Sendable, Equatable, Codable {
    /// The run this node belongs to.
    package var runID: String
    /// Argo-style node id, unique within the run.
    package var id: String
    /// Argo node name, e.g. `wf-abc.step1`.
    package var name: String
    /// Argo `displayName`.
    package var displayName: String
    /// Argo node type: `Pod`, `Steps`, `StepGroup`, `DAG`, `Skipped`, `Retry`, …
    package var type: NodeType
    /// The template the node executes, if any.
    package var templateName: String?
    /// Argo node phase: `Pending`, `Running`, `Succeeded`, `Failed`, `Error`, `Skipped` or `Omitted`.
    package var phase: NodePhase
    /// A human message, usually why the node failed or was skipped.
    package var message: String?
    /// The id of the enclosing Steps/DAG node (Argo `boundaryID`).
    package var boundaryID: String?
    /// JSON array of child node ids.
    package var childrenJSON: String
    /// Argo-shaped `{"parameters":[...],"artifacts":[...]}` JSON text.
    package var inputsJSON: String?
    /// Argo-shaped `{"parameters":[...],"artifacts":[...],"result":…,"exitCode":…}` JSON text.
    package var outputsJSON: String?
    /// When the node started.
    package var startedAt: Date?
    /// When the node finished.
    package var finishedAt: Date?
    /// Payload digest of the node's lineage envelope, once signed.
    package var envelopeDigest: String?
    /// Creation order within the run; nodes are listed by it.
    package var sequence: Int
    /// A pod's own progress `N/M` as it reported it through `ARGO_PROGRESS_FILE` (Argo's `progress`), if any.
    package var progress: String?
    /// Whether a memoized node's outputs came from the cache, under which key; nil without memoization.
    package var memoization: MemoizationStatus?

    /// Creates a node record; dates are truncated to whole milliseconds so they round-trip through the store.
    package init(
        runID: String,
        id: String,
        name: String,
        displayName: String,
        type: NodeType,
        templateName: String? = nil,
        phase: NodePhase,
        message: String? = nil,
        boundaryID: String? = nil,
        childrenJSON: String = "[]",
        inputsJSON: String? = nil,
        outputsJSON: String? = nil,
        startedAt: Date? = nil,
        finishedAt: Date? = nil,
        envelopeDigest: String? = nil,
        sequence: Int,
        progress: String? = nil,
        memoization: MemoizationStatus? = nil
    ) {
        self.runID = runID
        self.id = id
        self.name = name
        self.displayName = displayName
        self.type = type
        self.templateName = templateName
        self.phase = phase
        self.message = message
        self.boundaryID = boundaryID
        self.childrenJSON = childrenJSON
        self.inputsJSON = inputsJSON
        self.outputsJSON = outputsJSON
        self.startedAt = startedAt.map(StoreTimestamp.truncated)
        self.finishedAt = finishedAt.map(StoreTimestamp.truncated)
        self.envelopeDigest = envelopeDigest
        self.sequence = sequence
        self.progress = progress
        self.memoization = memoization
    }
}

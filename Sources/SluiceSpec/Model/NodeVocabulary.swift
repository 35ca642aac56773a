// Argo's words for a status node (`pkg/apis/workflow/v1alpha1`: NodePhase, NodeType), shared by the planner, the
// store and the status views.

/// A node's phase, with Argo's names.
package enum NodePhase: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case pending = "Pending", running = "Running", succeeded = "Succeeded", failed = "Failed", error = "Error"
    case skipped = "Skipped", omitted = "Omitted"

    /// Finished one way or another (Argo's `Fulfilled`).
    package var isFulfilled: Bool { isCompleted || self == .skipped || self == .omitted }
    /// Ran to an end (Argo's `Completed`).
    package var isCompleted: Bool { self == .succeeded || self == .failed || self == .error }
    package var isFailedOrError: Bool { self == .failed || self == .error }
    /// Argo's name, e.g. `Succeeded`.
    package var description: String { rawValue }
}

/// A node's type, with Argo's names.
package enum NodeType: String, Sendable, Codable, CustomStringConvertible {
    case pod = "Pod", steps = "Steps", stepGroup = "StepGroup", dag = "DAG", skipped = "Skipped"
    case retry = "Retry", taskGroup = "TaskGroup", suspend = "Suspend"
    /// One container of a `containerSet` pod, a child of its Pod node.
    case container = "Container"
    /// Argo's HTTP and executor-plugin templates: Sluice runs neither, but reads statuses Argo wrote with them.
    case http = "HTTP", plugin = "Plugin"

    /// Argo's name, e.g. `StepGroup`.
    package var description: String { rawValue }
}

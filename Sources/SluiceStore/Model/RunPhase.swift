/// The phase of a whole run, spelled as Argo spells `status.phase` of a Workflow.
package enum RunPhase: String, Sendable, Codable, CaseIterable {
    case pending = "Pending"
    case running = "Running"
    case succeeded = "Succeeded"
    case failed = "Failed"
    case error = "Error"

    /// Whether the run has finished (succeeded, failed or errored) and will not change phase again by itself.
    package var isTerminal: Bool {
        switch self {
        case .pending, .running: false
        case .succeeded, .failed, .error: true
        }
    }
}

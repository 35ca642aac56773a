package import SluiceSpec

extension ContinueOn {
    /// Whether a step or task with `continueOn` lets its template go on after it ended in `phase`: a Failed one
    /// only with `continueOn.failed`, an Errored one only with `continueOn.error`, any other phase always.
    package static func allows(_ continueOn: ContinueOn?, after phase: NodePhase) -> Bool {
        switch phase {
        case .failed: continueOn?.failed == true
        case .error: continueOn?.error == true
        default: true
        }
    }
}

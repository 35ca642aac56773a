package import SluiceSpec

/// The pure scheduling logic of a `steps` template (Argo's `steps.go`): groups run in order, a group's phase comes
/// from how its steps ended, and the template's phase from its groups'.
///
/// It performs no I/O: the executor runs each group ``nextGroup()`` names, feeds the steps' ends to
/// ``groupFinished(_:)`` and records the phases it returns.
package struct StepsScheduler: Sendable {
    /// How one step of a group ended.
    package struct StepEnd: Sendable, Equatable {
        package var name: String
        /// The step's node id (its TaskGroup for a loop).
        package var nodeID: String
        package var phase: NodePhase
        package var continueOn: ContinueOn?
        /// For a loop: the id of its first iteration that Failed or Errored, the child Argo's message names.
        package var failedIterationID: String?

        package init(
            name: String, nodeID: String, phase: NodePhase, continueOn: ContinueOn? = nil,
            failedIterationID: String? = nil
        ) {
            self.name = name
            self.nodeID = nodeID
            self.phase = phase
            self.continueOn = continueOn
            self.failedIterationID = failedIterationID
        }
    }

    /// A phase with Argo's message for it.
    package struct Verdict: Sendable, Equatable {
        package var phase: NodePhase
        package var message: String?

        package init(_ phase: NodePhase, message: String? = nil) {
            self.phase = phase
            self.message = message
        }
    }

    /// Argo's message for a template that stopped because a child failed under `failFast: true`.
    package static let failFastMessage = "template has failed or errored children and failFast enabled"

    package let groupCount: Int
    /// Template-level `failFast: true`.
    package let failsFast: Bool
    /// The next group to run.
    package private(set) var nextIndex = 0
    /// The step that ended the template (Failed or Errored without `continueOn`), with its group's phase.
    package private(set) var failure: (childID: String, phase: NodePhase)?

    package init(groupCount: Int, failsFast: Bool) {
        self.groupCount = groupCount
        self.failsFast = failsFast
    }

    /// The index of the group to run next, or nil once every group ran or one failed.
    package func nextGroup() -> Int? {
        failure == nil && nextIndex < groupCount ? nextIndex : nil
    }

    /// Takes the ends of the group ``nextGroup()`` named and returns the group's phase and message: Succeeded,
    /// or the phase of its first step that Failed or Errored without `continueOn` (then no later group runs).
    package mutating func groupFinished(_ steps: [StepEnd]) -> Verdict {
        nextIndex += 1
        let failing = steps.first { $0.phase.isFailedOrError && !ContinueOn.allows($0.continueOn, after: $0.phase) }
        guard let failing else { return Verdict(.succeeded) }
        let childID = failing.failedIterationID ?? failing.nodeID
        failure = (childID, failing.phase)
        if failsFast { return Verdict(.failed, message: Self.failFastMessage) }
        return Verdict(failing.phase, message: "child '\(childID)' failed")
    }

    /// The template's phase once no group runs any more, or nil when it succeeded (its outputs decide then).
    ///
    /// - Parameter stopMessage: the run's stop reason when it was stopped (a deadline, `sluice stop`), else nil.
    package func verdict(stopMessage: String?) -> Verdict? {
        if let failure {
            return failsFast
                ? Verdict(.failed, message: Self.failFastMessage)
                : Verdict(failure.phase, message: "child '\(failure.childID)' failed")
        }
        if let stopMessage { return Verdict(.failed, message: stopMessage) }
        return nil
    }
}

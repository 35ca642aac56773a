/// What Argo exposes about one dependency to a `depends:` expression (`A.Succeeded`, `A.AnySucceeded`, …).
///
/// Argo derives these from the dependency's node: `succeeded`/`failed`/`errored`/`skipped`/`omitted` from its
/// phase, `daemoned` when it is daemoned and not Pending, and for task groups (`withItems`/`withParam`)
/// `anySucceeded` (some child Succeeded) and `allFailed` (there are children and all Failed).
package struct TaskResults: Sendable, Equatable {
    /// Phase is Succeeded.
    package var succeeded: Bool
    /// Phase is Failed (non-zero exit).
    package var failed: Bool
    /// Phase is Error (a problem other than the exit code).
    package var errored: Bool
    /// Phase is Skipped (its `when` was false).
    package var skipped: Bool
    /// Phase is Omitted (its own `depends` was false).
    package var omitted: Bool
    /// The node is a daemon and is not Pending.
    package var daemoned: Bool
    /// Task group: at least one child Succeeded.
    package var anySucceeded: Bool
    /// Task group: has children and every child Failed.
    package var allFailed: Bool

    /// Creates results; every flag defaults to false.
    package init(
        succeeded: Bool = false, failed: Bool = false, errored: Bool = false, skipped: Bool = false,
        omitted: Bool = false, daemoned: Bool = false, anySucceeded: Bool = false, allFailed: Bool = false
    ) {
        self.succeeded = succeeded
        self.failed = failed
        self.errored = errored
        self.skipped = skipped
        self.omitted = omitted
        self.daemoned = daemoned
        self.anySucceeded = anySucceeded
        self.allFailed = allFailed
    }
}

/// A dependency's `continueOn` settings, which widen what a bare task name in `depends` accepts.
///
/// Argo expands a bare `A` to `(A.Succeeded || A.Skipped || A.Daemoned)`, adding `|| A.Errored` when `A` has
/// `continueOn.error` and `|| A.Failed` when it has `continueOn.failed`.
package struct DependsContinueOn: Sendable, Equatable {
    /// `continueOn.error` of the dependency.
    package var error: Bool
    /// `continueOn.failed` of the dependency.
    package var failed: Bool

    /// Creates settings; both default to false.
    package init(error: Bool = false, failed: Bool = false) {
        self.error = error
        self.failed = failed
    }
}

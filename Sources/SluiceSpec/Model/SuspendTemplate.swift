/// `suspend`: a template that pauses its branch of the workflow (Argo's `SuspendTemplate`).
///
/// With `duration` the node waits that long and then Succeeds; without it the node waits until `sluice resume RUN`.
/// `sluice resume` also ends a timed wait early, as `argo resume` does.
package struct SuspendTemplate: Sendable, Decodable, Equatable {
    /// How long to wait: a number of seconds (`"20"`) or a Go duration (`"2m"`, `"1h30m"`); may use `{{...}}`.
    package var duration: ArgoString?

    package init(duration: ArgoString? = nil) {
        self.duration = duration
    }
}

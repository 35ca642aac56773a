/// The annotation `sluice.dev/runtime: process|podman|docker` that chooses where a template's nodes run.
///
/// Looked up, first match wins: the template's `metadata.annotations`, the workflow's `spec.podMetadata.annotations`,
/// the workflow's `metadata.annotations`; without any, the run's `--runtime` applies. The value is a literal (no
/// `{{...}}`); `sluice lint` and `sluice run` refuse any other value.
package enum RuntimeAnnotation {
    /// The annotation's key.
    package static let key = "sluice.dev/runtime"
    /// The runtimes it may name.
    package static let values = ["process", "podman", "docker"]

    /// The runtime named for `template`'s nodes, or nil when no annotation names one.
    ///
    /// `runWide` is the run-wide choice from the workflow's own annotations (``runWideValue(of:)``).
    package static func value(for template: Template, runWide: String?) -> String? {
        template.metadata?.annotations?[key] ?? runWide
    }

    /// The run-wide choice: `spec.podMetadata.annotations`, else the workflow's `metadata.annotations`.
    package static func runWideValue(of workflow: Workflow) -> String? {
        workflow.spec.podMetadata?.annotations?[key] ?? workflow.metadata.annotations?[key]
    }
}

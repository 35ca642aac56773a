package import SluiceRuntimes
package import SluiceSpec

/// The runtimes one run may use: the run's own (`--runtime`) and those that templates choose with the annotation
/// `sluice.dev/runtime: process|podman|docker` (``RuntimeAnnotation``).
///
/// A kind named by an annotation is served by the run's runtime when it is of that kind, else by one of the
/// `alternatives` of that kind, else by the built-in one (``ProcessRuntime`` with detected isolation, or
/// ``ContainerRuntime`` with the built-in ``ContainerProfile/podman`` or ``ContainerProfile/docker``).
package struct RuntimeChoice: Sendable {
    /// The runtime of nodes whose template and workflow name none.
    package let runRuntime: any NodeRuntime
    private let byKind: [String: any NodeRuntime]
    /// The workflow's run-wide annotation (`spec.podMetadata`, else `metadata`), set by the engine.
    package var runWide: String?

    /// Creates the choice for a run of `runtime`; `alternatives` serve the other kinds (at most one per kind).
    package init(runtime: any NodeRuntime, alternatives: [any NodeRuntime] = []) {
        runRuntime = runtime
        var byKind: [String: any NodeRuntime] = [:]
        for alternative in alternatives { byKind[alternative.kind] = alternative }
        byKind[runtime.kind] = runtime
        self.byKind = byKind
    }

    /// The runtime of this kind, or nil when `kind` names no ``RuntimeKind``.
    package func runtime(kind: String) -> (any NodeRuntime)? {
        byKind[kind] ?? RuntimeKind(rawValue: kind)?.builtIn()
    }

    /// The runtime of `template`'s nodes: its annotation's, else the workflow's, else the run's.
    ///
    /// - Throws: ``EngineError/unknownRuntime(template:value:)`` when the annotation names no runtime (validation
    ///   refuses that in the workflow's own templates; a template from a `templateRef` is only checked here).
    package func runtime(for template: Template) throws(EngineError) -> any NodeRuntime {
        guard let name = RuntimeAnnotation.value(for: template, runWide: runWide) else { return runRuntime }
        guard let runtime = runtime(kind: name) else { throw .unknownRuntime(template: template.name, value: name) }
        return runtime
    }

    /// Whether some node of `spec` may run without isolation (then the run's nodes go one at a time).
    package func mayRunUnisolated(_ spec: WorkflowSpec) -> Bool {
        var kinds: Set<String> = [runWide ?? runRuntime.kind]
        for template in spec.templates {
            if let name = template.metadata?.annotations?[RuntimeAnnotation.key] { kinds.insert(name) }
        }
        return kinds.contains { runtime(kind: $0)?.isolation == Isolation.none }
    }
}

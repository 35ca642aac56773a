import Foundation
package import SluiceConcurrency
import SluiceExpressions
package import SluiceGovernance
package import SluiceRuntimes
package import SluiceSpec
package import SluiceStore
import Synchronization

/// A template about to be run as a node: what to run, with which arguments, and where it sits in the node tree.
package struct TemplateCall: Sendable {
    package var template: Template
    package var arguments: StepArguments?
    /// The scope of the caller, in which `arguments` are rendered.
    package var callerScope: VariableScope
    package var nodeName: String
    package var displayName: String
    package var boundaryID: String?
    package var parentID: String?
    /// The attempt number when this call is one attempt of a Retry node (`{{retries}}`); nil otherwise.
    package var retryAttempt: Int? = nil
}

/// Runs templates as nodes: steps, DAGs and pods, recursively, recording every transition.
package struct WorkflowExecutor: Sendable {
    package let coordinator: RunCoordinator
    package let spec: WorkflowSpec
    package let templates: TemplateResolver
    package let globals: VariableScope
    /// The runtime of the template being run (``RuntimeChoice/runtime(for:)``); the run's own outside pods.
    package var runtime: any NodeRuntime
    /// The runtimes templates may choose with `sluice.dev/runtime`.
    package let runtimes: RuntimeChoice
    package let runtimeProfile: RuntimeProfile
    package let artifacts: ArtifactStore
    package let runDirectory: String
    package var lineage: LineageSigner
    package let gate: InputGate
    package let hostEnvironment: [String: String]
    package let limiter: ParallelismLimiter
    /// Host paths no node may see: the state directory (database, keys) and the signing key file.
    package let hiddenPaths: [String]
    /// Why the run stops early, when it does.
    package let stop: RunStop
    /// Deletes finished nodes' private roots while the run goes on.
    package let sweeper: NodeRootSweeper
    /// The captured run whose nodes a replay reuses (`sluice replay --from`), nil otherwise.
    package var replay: ReplaySource? = nil
    /// Every template's content digest by identity (``SubmittedTemplates``): recorded in lineage, and part of
    /// memoization keys.
    package var templateDigests: [String: Digest] = [:]
    /// ``globals`` with the run's dynamic globals merged (``nodeGlobals()``), shared by the executor's copies.
    let mergedGlobals = MergedGlobals()

    /// The message of a node stopped by a deadline (Argo's wording).
    static let deadlineMessage = "Step exceeded its deadline"

    /// The message of a steps or DAG template with `failFast: true` after a child failed (Argo's wording).

    /// How many node tasks a DAG, a step group or a loop keeps started at once: four times the run's bound on
    /// running nodes, at least 64. The others wait, undecided and unrecorded, so that a fan-out of thousands keeps
    /// a few dozen tasks (and their memory) alive instead of thousands, while enough stay ready to keep every slot
    /// of the limiter busy.
    var startedTaskBound: Int { max(64, 4 * (limiter.limit ?? RunRequest.defaultParallelism)) }

    /// Why nodes stopped when the run was cancelled: the stop's reason, else the deadline.
    var stopMessage: String { stop.reason ?? Self.deadlineMessage }

    /// Runs `call` to its end and returns the node's final state. Never throws: problems become node phases.
    package func execute(_ call: TemplateCall) async -> NodeState {
        do {
            if Task.isCancelled {
                // The workflow's deadline passed (or the run is stopping): record the node as not run.
                return try await coordinator.createNode(
                    name: call.nodeName, displayName: call.displayName, type: .skipped,
                    templateName: call.template.name, phase: .failed, boundaryID: call.boundaryID,
                    parentID: call.parentID, message: stopMessage)
            }
            if let reused = try await coordinator.reuse(name: call.nodeName, parentID: call.parentID) {
                if let refusal = await verifyReused(reused) {
                    return try await refuse(reused, refusal)
                }
                return reused
            }
            if retryStrategy(of: call.template) != nil && call.retryAttempt == nil {
                return try await executeWithRetries(call)
            }
            return try await executeThrowing(call)
        } catch {
            // The node could not even be recorded; report it as an Error node in memory.
            return NodeState(
                id: NodeIdentity.id(workflowName: await coordinator.run.name, nodeName: call.nodeName),
                name: call.nodeName, displayName: call.displayName, type: .pod, templateName: call.template.name,
                phase: .error, message: error.description, boundaryID: call.boundaryID, sequence: -1)
        }
    }

    private func executeThrowing(_ call: TemplateCall) async throws(EngineError) -> NodeState {
        let template = call.template
        let type: NodeType =
            switch template.kind {
            case .steps: .steps
            case .dag: .dag
            case .suspend: .suspend
            default: .pod
            }
        // A pod under a parent waits for the next write of children lists (see ``PendingNodeRows``); one without
        // (the workflow's only node) would show nowhere until it ended, so its row is written now.
        var node = try await coordinator.createNode(
            name: call.nodeName, displayName: call.displayName, type: type, templateName: template.name,
            phase: .running, boundaryID: call.boundaryID, parentID: call.parentID,
            deferred: type == .pod && call.parentID != nil)

        let inputs: ResolvedInputs
        let (dynamicGlobals, nodeGlobals) = await nodeGlobals()
        do {
            var callerScope = call.callerScope.merging(dynamicGlobals)
            // `{{retries}}` in the caller's arguments is this attempt's number: Argo substitutes it per attempt.
            if let attempt = call.retryAttempt { callerScope.set("retries", String(attempt)) }
            inputs = try await resolveInputs(
                of: template, arguments: call.arguments, callerScope: callerScope,
                nodeName: call.displayName, globals: nodeGlobals)
        } catch {
            node.phase = .error
            node.message = error.description
            try await coordinator.update(node)
            return node
        }
        node.inputs = NodeInputs(
            parameters: inputs.parameters,
            artifacts: inputs.artifacts.map {
                InputArtifact(name: $0.name, path: $0.path, digest: $0.reference.digest, from: $0.from)
            })
        var scope = localScope(for: template, inputs: inputs, node: node, globals: nodeGlobals)
        scope.set("retries", String(call.retryAttempt ?? 0))
        return try await runControlled(template, node: node, scope: scope, inputs: inputs)
    }

    /// Runs the node's template by its kind, once memoization and synchronization let it run.
    func runTemplate(_ template: Template, node: NodeState, scope: VariableScope, inputs: ResolvedInputs)
        async throws(EngineError) -> NodeState
    {
        var node = node
        switch template.kind {
        case .steps:
            try await coordinator.update(node)
            return try await DaemonScope.run { () async throws(EngineError) in
                try await runSteps(template, node: node, scope: scope)
            }
        case .dag:
            try await coordinator.update(node)
            return try await DaemonScope.run { () async throws(EngineError) in
                try await runDAG(template, node: node, scope: scope)
            }
        case .container, .script, .containerSet:
            let executor: WorkflowExecutor
            do {
                // What the node starts is recorded, so that a resume after the engine died can kill it.
                executor = try running(
                    on: SpawnRecordingRuntime(
                        base: runtimes.runtime(for: template), store: coordinator.store,
                        runID: await coordinator.run.id,
                        nodeID: node.id, pendingRows: coordinator.pendingRows))
            } catch {
                node.phase = .error
                node.message = error.description
                try await coordinator.update(node)
                return node
            }
            return try await executor.runPod(template, node: node, scope: scope, inputs: inputs)
        case .suspend:
            return try await runSuspend(template, node: node, scope: scope)
        case .resource, .data, .http, .plugin, nil:
            node.phase = .error
            node.message =
                "template '\(template.name)' of kind \(template.kind?.rawValue ?? "none") "
                + "is not supported by this engine yet"
            try await coordinator.update(node)
            return node
        }
    }

    /// Ends `node` in `phase` with `message`, records it, and returns it.
    func end(_ node: NodeState, _ phase: NodePhase, message: String?) async throws(EngineError) -> NodeState {
        var node = node
        node.phase = phase
        node.message = message
        try await coordinator.update(node)
        return node
    }

    /// This executor with `runtime` running its pods and recorded as their producer's runtime in lineage.
    func running(on runtime: any NodeRuntime) -> WorkflowExecutor {
        var executor = self
        executor.runtime = runtime
        executor.lineage.runtimeKind = runtime.kind
        executor.lineage.isolation = runtime.isolation.rawValue
        return executor
    }

    // MARK: - Inputs

    /// Renders a template's inputs from the caller's arguments, defaults and values (Argo's precedence).
    package func resolveInputs(
        of template: Template, arguments: StepArguments?, callerScope: VariableScope, nodeName: String,
        globals: VariableScope
    ) async throws(EngineError) -> ResolvedInputs {
        var resolved = ResolvedInputs()
        var callerRenderer = Renderer(scope: callerScope)
        var ownRenderer = Renderer(scope: globals)
        for input in template.inputs?.parameters ?? [] {
            let context = "input parameter '\(input.name)' of '\(nodeName)'"
            let value: String
            let sources: Set<ValueSource>
            if let argument = arguments?.parameters?.first(where: { $0.name == input.name }),
                let text = argument.value?.value,
                // An argument naming an output of a node that did not run counts as not supplied (Argo).
                !callerRenderer.refersToAbsentValue(text) || (input.value == nil && input.default == nil)
            {
                value = try callerRenderer.render(text, context: context)
                sources = callerRenderer.lastSources
            } else if let text = input.value?.value {
                value = try ownRenderer.render(text, context: context)
                sources = ownRenderer.lastSources
            } else if let text = input.default?.value {
                value = try ownRenderer.render(text, context: context)
                sources = ownRenderer.lastSources
            } else {
                throw .unresolvedVariable(
                    reference: "inputs.parameters.\(input.name)",
                    context: "'\(nodeName)': the argument was not supplied")
            }
            if let allowed = input.enum?.map(\.value), !allowed.isEmpty, !allowed.contains(value) {
                throw .parameterNotInEnum(name: input.name, value: value, allowed: allowed)
            }
            resolved.parameters.append(ParameterValue(name: input.name, value: value))
            resolved.provenance[input.name] = sources
        }
        resolved.origins = callerRenderer.origins.union(ownRenderer.origins)

        // A template's own artifact fields (git.revision, http.url, subPath) may use its input parameters.
        var artifactRenderer = ownRenderer
        for parameter in resolved.parameters {
            artifactRenderer.scope.set(
                "inputs.parameters.\(parameter.name)", parameter.value,
                provenance: resolved.provenance[parameter.name] ?? [])
        }
        for input in template.inputs?.artifacts ?? [] {
            let argument = arguments?.artifacts?.first { $0.name == input.name }
            if let artifact = try await resolveInputArtifact(
                input, argument: argument, callerRenderer: callerRenderer, ownRenderer: artifactRenderer,
                nodeName: nodeName)
            {
                resolved.artifacts.append(artifact)
                resolved.origins.formUnion(artifact.provenance.outputs)
            }
        }
        return resolved
    }

    /// Stores a `raw` artifact's content in the artifact store.
    func storeRaw(_ data: String, name: String) throws(EngineError) -> ArtifactReference {
        let staging = runDirectory + "/raw-\(UUID().uuidString)"
        do {
            defer { try? FileManager.default.removeItem(atPath: staging) }
            // Close-on-exec, as a staged script's source: nothing the engine spawns meanwhile inherits it.
            if let failure = HostFiles.writeUnsynced(Array(data.utf8), to: staging) {
                throw EngineError.artifactUnavailable(name: name, reason: "cannot stage it at \(staging): \(failure)")
            }
            let digest = try lineage.digest(ofFile: staging)
            let stored = try artifacts.put(fileAt: staging, digest: digest)
            return ArtifactReference(name: name, kind: .file, digest: digest, storedPath: stored)
        } catch let error as EngineError {
            throw error
        } catch {
            throw .artifactUnavailable(name: name, reason: "\(error)")
        }
    }

    /// The run's dynamic globals (``RunCoordinator/globalScope()``) and ``globals`` with them merged, as a node sees
    /// them: the merged scope is kept until the dynamic globals change (a copy of the workflow's ~60 variables per
    /// node otherwise).
    func nodeGlobals() async -> (dynamic: VariableScope, merged: VariableScope) {
        let (version, dynamic) = await coordinator.versionedGlobalScope()
        return (dynamic, mergedGlobals.scope(version: version) { globals.merging(dynamic) })
    }

    /// The variables a template sees: the workflow's (`globals`, with the run's dynamic ones), its inputs, and paths
    /// of its outputs.
    private func localScope(for template: Template, inputs: ResolvedInputs, node: NodeState, globals: VariableScope)
        -> VariableScope
    {
        var scope = globals
        for parameter in inputs.parameters {
            scope.set(
                "inputs.parameters.\(parameter.name)", parameter.value,
                provenance: inputs.provenance[parameter.name] ?? [])
        }
        // `{{inputs.parameters}}`: every input as Argo's JSON list (Hera's runner scripts read it); `null` when none.
        if let declared = template.inputs?.parameters, !declared.isEmpty {
            let values = Dictionary(
                inputs.parameters.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
            scope.set("inputs.parameters", ArgoJSON.parameters(declared, values: values))
        } else {
            scope.set("inputs.parameters", "null")
        }
        for artifact in inputs.artifacts {
            if let path = artifact.path { scope.set("inputs.artifacts.\(artifact.name).path", path) }
            // A steps or DAG template passes its own input down with `from: "{{inputs.artifacts.NAME}}"`.
            scope.setArtifact("inputs.artifacts.\(artifact.name)", artifact.reference)
        }
        for parameter in template.outputs?.parameters ?? [] {
            if let path = parameter.valueFrom?.path { scope.set("outputs.parameters.\(parameter.name).path", path) }
        }
        for artifact in template.outputs?.artifacts ?? [] {
            if let path = artifact.path { scope.set("outputs.artifacts.\(artifact.name).path", path) }
        }
        scope.set("node.name", node.name)
        scope.set("pod.name", node.id)
        return scope
    }
}

/// The workflow's globals merged with the run's dynamic ones, as of a version of the latter.
final class MergedGlobals: Sendable {
    private let cached = Mutex<(version: Int, scope: VariableScope)?>(nil)

    /// The scope kept for `version`, else `merge()`'s, kept.
    func scope(version: Int, merge: () -> VariableScope) -> VariableScope {
        if let kept = cached.withLock({ $0 }), kept.version == version { return kept.scope }
        let merged = merge()
        cached.withLock { $0 = (version, merged) }
        return merged
    }
}

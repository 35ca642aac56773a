import Foundation
import SluiceGovernance
import SluiceRuntimes
import SluiceSpec
import SluiceStore

/// What runs in a pod around (or instead of) its main process: sidecars, or a containerSet's containers.
struct PodPlan: Sendable {
    /// A sidecar: started with the main container(s), stopped when they end.
    struct Sidecar: Sendable {
        var name: String
        var invocation: NodeInvocation
    }

    /// One container of a containerSet, with its Container node.
    struct SetContainer: Sendable {
        var node: NodeState
        var dependencies: [String]
        var invocation: NodeInvocation
    }

    var sidecars: [Sidecar] = []
    /// What the sidecars', init containers' and other containers' own fields read (gated with the node's inputs).
    var sources: Set<ValueSource> = []
    /// `initContainers`, in order: each must succeed before the next, and all before main and the sidecars start.
    var initContainers: [Sidecar] = []
    /// The containerSet's containers in declaration order; nil for a `container` or `script` pod.
    var containers: [SetContainer]?
    /// `containerSet.retryStrategy.retries`: further attempts of a failed container.
    var retries = 0
    /// `containerSet.retryStrategy.duration`: the pause before each further attempt.
    var retryPause: Duration?

    /// Every container that runs besides `main` (init containers, sidecars, a containerSet's other containers),
    /// with the image each names, as image rules and lineage see them.
    func otherContainers(main: NodeInvocation) -> [LineagePredicate.Producer.Container] {
        initContainers.map { .init(kind: .initContainer, name: $0.name, image: $0.invocation.container?.image) }
            + sidecars.map { .init(kind: .sidecar, name: $0.name, image: $0.invocation.container?.image) }
            + (containers ?? []).filter { $0.invocation.stdoutPath != main.stdoutPath }.map {
                .init(kind: .container, name: $0.node.displayName, image: $0.invocation.container?.image)
            }
    }
}

extension WorkflowExecutor {
    /// The template as its main container sees it: for a `containerSet`, a `container` template of the container
    /// named `main` (else the first), with the set's `volumeMounts`; any other template unchanged.
    ///
    /// - Throws: ``EngineError/invalidContainerSet(template:reason:)`` when the set has no containers, an unnamed
    ///   or duplicate container, an unknown dependency or a dependency cycle.
    static func mainContainerTemplate(of template: Template) throws(EngineError) -> Template {
        guard let set = template.containerSet else { return template }
        let invalid = { (reason: String) in EngineError.invalidContainerSet(template: template.name, reason: reason) }
        guard let first = set.containers.first else { throw invalid("it has no containers") }
        var names: [String] = []
        for (index, container) in set.containers.enumerated() {
            guard let name = container.name, !name.isEmpty else { throw invalid("container \(index) has no name") }
            guard !names.contains(name) else { throw invalid("two containers are named '\(name)'") }
            names.append(name)
        }
        for container in set.containers {
            for dependency in container.dependencies ?? [] where !names.contains(dependency) {
                throw invalid("container '\(container.name ?? "")' depends on unknown container '\(dependency)'")
            }
        }
        var ordered: Set<String> = []
        while ordered.count < set.containers.count {
            let ready = set.containers.filter {
                !ordered.contains($0.name ?? "") && ($0.dependencies ?? []).allSatisfy(ordered.contains)
            }
            guard !ready.isEmpty else {
                let left = names.filter { !ordered.contains($0) }
                throw invalid("its dependencies form a cycle among \(left.joined(separator: ", "))")
            }
            for container in ready { ordered.insert(container.name ?? "") }
        }
        let main = set.containers.first { $0.name == "main" } ?? first
        return containerTemplate(main, in: template, extraMounts: set.volumeMounts ?? [], keepOutputs: true)
    }

    /// A `container` template running `container` in the pod of `template` (its volumes, deadline, env context).
    static func containerTemplate(
        _ container: Container, in template: Template, extraMounts: [VolumeMount], keepOutputs: Bool
    ) -> Template {
        var result = template
        var container = container
        container.volumeMounts = extraMounts + (container.volumeMounts ?? [])
        result.container = container
        result.script = nil
        result.containerSet = nil
        result.sidecars = nil
        if !keepOutputs { result.outputs = nil }
        return result
    }

    // MARK: - Planning

    /// Prepares the sidecars and containerSet containers of a pod whose main invocation is `main`.
    ///
    /// A containerSet's Container nodes are created here, Pending, as children of the Pod node, named
    /// `<pod>.<container>`. The container named `main` runs as `main` (the pod's logs and `outputs.result`); the
    /// others get their own node directories and share the pod's volumes.
    func podPlan(
        _ template: Template, node: NodeState, scope: VariableScope, inputs: ResolvedInputs, main: NodeInvocation,
        runName: String
    ) async throws(EngineError) -> PodPlan {
        var plan = PodPlan()
        let call = (template: template, node: node, scope: scope, inputs: inputs, main: main, runName: runName)
        for (index, sidecar) in (template.sidecars ?? []).enumerated() {
            let name = sidecar.name ?? "sidecar-\(index)"
            var (invocation, sources) = try auxiliaryInvocation(sidecar, named: name, kind: .sidecar, call: call)
            // In containers, a sidecar joins the main container's network namespace, as in a Kubernetes pod; as
            // host processes they already share the host's.
            if runtime.isolation == .container {
                invocation.container?.networkOwner = ContainerRuntime.containerName(for: main)
            }
            plan.sidecars.append(PodPlan.Sidecar(name: name, invocation: invocation))
            plan.sources.formUnion(sources)
        }
        for (index, container) in (template.initContainers ?? []).enumerated() {
            let name = container.name ?? "init-\(index)"
            let (invocation, sources) = try auxiliaryInvocation(
                container, named: name, kind: .initContainer, call: call)
            plan.initContainers.append(PodPlan.Sidecar(name: name, invocation: invocation))
            plan.sources.formUnion(sources)
        }
        if let set = template.containerSet {
            try await planContainerSet(set, into: &plan, call: call)
        }
        return plan
    }

    /// The arguments every container of one pod is prepared with.
    typealias PodCall = (
        template: Template, node: NodeState, scope: VariableScope, inputs: ResolvedInputs, main: NodeInvocation,
        runName: String
    )

    /// A pod's container beside its main one.
    enum AuxiliaryKind: String {
        case sidecar, initContainer = "init"
    }

    /// Prepares a sidecar or init container in its own directory of the pod (`sidecars/NAME`, `init/NAME`), with
    /// the main container's mounts too under `mirrorVolumeMounts` (except at paths it mounts itself).
    private func auxiliaryInvocation(
        _ container: Container, named name: String, kind: AuxiliaryKind, call: PodCall
    ) throws(EngineError) -> (NodeInvocation, Set<ValueSource>) {
        let podDirectory = call.main.sandbox.nodeDirectory
        let mainMounts =
            try Self.mainContainerTemplate(of: call.template).container?.volumeMounts
            ?? call.template.script?.volumeMounts ?? []
        var auxiliaryNode = call.node
        auxiliaryNode.displayName = "\(call.node.displayName) (\(kind.rawValue) \(name))"
        let ownPaths = Set((container.volumeMounts ?? []).map(\.mountPath))
        let mirrored =
            container.mirrorVolumeMounts == true ? mainMounts.filter { !ownPaths.contains($0.mountPath) } : []
        let directory = podDirectory + (kind == .sidecar ? "/sidecars/" : "/init/") + name
        let (invocation, _, _, sources) = try prepareInvocation(
            Self.containerTemplate(container, in: call.template, extraMounts: mirrored, keepOutputs: false),
            node: auxiliaryNode, scope: call.scope, inputs: call.inputs, nodeDirectory: directory,
            runName: call.runName, podDirectory: podDirectory)
        return (invocation, sources)
    }

    /// Plans a `containerSet`: its retry strategy, and one Container node (created Pending, a child of the Pod
    /// node, named `<pod>.<container>`) and invocation per container; the container named `main` runs as the
    /// pod's main invocation, the others get their own node directories and share the set's volumes.
    private func planContainerSet(_ set: ContainerSetTemplate, into plan: inout PodPlan, call: PodCall)
        async throws(EngineError)
    {
        let (template, node) = (call.template, call.node)
        var renderer = Renderer(scope: call.scope)
        if let strategy = set.retryStrategy {
            let text = try renderer.renderOptional(strategy.retries?.value, context: "containerSet retries") ?? "0"
            guard let retries = Int(text), retries >= 0 else {
                throw .invalidContainerSet(template: template.name, reason: "retries '\(text)' is not a count")
            }
            plan.retries = retries
            if let duration = strategy.duration {
                plan.retryPause = try Durations.parse(
                    duration, field: "retry duration", context: "containerSet of template '\(template.name)'")
            }
        }
        var containers: [PodPlan.SetContainer] = []
        for container in set.containers {
            let name = container.name ?? ""
            let containerNode = try await coordinator.createNode(
                name: "\(node.name).\(name)", displayName: name, type: .container, templateName: template.name,
                phase: .pending, boundaryID: node.boundaryID, parentID: node.id)
            var invocation = call.main
            if name != "main" {
                let sources: Set<ValueSource>
                (invocation, _, _, sources) = try prepareInvocation(
                    Self.containerTemplate(
                        container, in: template, extraMounts: set.volumeMounts ?? [], keepOutputs: false),
                    node: containerNode, scope: call.scope, inputs: call.inputs,
                    nodeDirectory: StateLayout.nodeDirectory(in: runDirectory, nodeID: containerNode.id),
                    runName: call.runName,
                    podDirectory: call.main.sandbox.nodeDirectory)
                plan.sources.formUnion(sources)
            }
            containers.append(
                PodPlan.SetContainer(
                    node: containerNode, dependencies: container.dependencies ?? [], invocation: invocation))
        }
        plan.containers = containers
    }

    // MARK: - Running

    /// Runs a pod's processes: its main invocation (or its containerSet's containers) with its sidecars.
    ///
    /// - Returns: the main process's outcome; for a containerSet, the first failed container's termination (else
    ///   exit 0), timed out when any container timed out.
    /// - Throws: ``RuntimeError`` when a process could not be launched (a sidecar's failure stops the pod) or the
    ///   task was cancelled.
    ///
    /// - Returns: how the pod ended, and whether its main container started (not when an init container failed).
    func runPodProcesses(_ pod: PodPlan, main: NodeInvocation) async throws(RuntimeError) -> (
        outcome: NodeOutcome, mainStarted: Bool
    ) {
        let executor = self
        defer {
            for sidecar in pod.sidecars { sweeper.remove(sidecar.invocation.sandbox.nodeDirectory + "/root") }
        }
        return try await PodProcesses.run(
            initContainers: pod.initContainers.map(\.invocation), sidecars: pod.sidecars.map(\.invocation), main: main,
            on: runtime
        ) { () async throws(RuntimeError) -> NodeOutcome in
            if let containers = pod.containers {
                return try await executor.runContainerSet(containers, pod: pod, main: main)
            }
            return try await executor.runtime.run(main)
        }
    }

    /// Runs a containerSet's containers in dependency order, in parallel where they allow, recording each Container
    /// node; a container runs only after all its dependencies succeeded, and those that never ran end Omitted.
    private func runContainerSet(
        _ containers: [PodPlan.SetContainer], pod: PodPlan, main: NodeInvocation
    ) async throws(RuntimeError) -> NodeOutcome {
        let executor = self
        var phases: [String: NodePhase] = [:]
        var outcomes: [(name: String, outcome: NodeOutcome)] = []
        var thrown: RuntimeError?
        let started = Date()
        await withTaskGroup(of: (String, Result<NodeOutcome, RuntimeError>).self) { group in
            var launched: Set<String> = []
            func launchReady() {
                guard thrown == nil else { return }
                for container in containers where !launched.contains(container.node.displayName) {
                    guard container.dependencies.allSatisfy({ phases[$0] == .succeeded }) else { continue }
                    launched.insert(container.node.displayName)
                    group.addTask {
                        (container.node.displayName, await executor.runContainer(container, pod: pod))
                    }
                }
            }
            launchReady()
            while let (name, result) = await group.next() {
                switch result {
                case .success(let outcome):
                    phases[name] = outcome.isSuccess ? .succeeded : .failed
                    outcomes.append((name, outcome))
                case .failure(let error):
                    phases[name] = .error
                    if thrown == nil { thrown = error }
                    group.cancelAll()
                }
                launchReady()
            }
        }
        for container in containers where phases[container.node.displayName] == nil {
            var node = container.node
            let blocking = container.dependencies.filter { phases[$0] != .succeeded }
            node.phase = .omitted
            node.message =
                thrown == nil
                ? "not run: dependency '\(blocking.joined(separator: "', '"))' did not succeed"
                : "not run: the pod stopped"
            node.finishedAt = Date()
            try? await coordinator.update(node)
        }
        for container in containers where container.invocation.sandbox.nodeDirectory != main.sandbox.nodeDirectory {
            sweeper.remove(container.invocation.sandbox.nodeDirectory + "/root")
        }
        if let thrown { throw thrown }
        let failed = outcomes.first { !$0.outcome.isSuccess }?.outcome
        let mainOutcome = outcomes.first { $0.name == "main" }?.outcome
        return NodeOutcome(
            termination: failed?.termination ?? .exited(0), timedOut: outcomes.contains { $0.outcome.timedOut },
            processID: mainOutcome?.processID ?? outcomes.last?.outcome.processID ?? 0,
            startedAt: outcomes.map(\.outcome.startedAt).min() ?? started,
            finishedAt: outcomes.map(\.outcome.finishedAt).max() ?? Date(), imageID: mainOutcome?.imageID)
    }

    /// Runs one container of a set, retried up to the set's `retries`, and records its node and attempts.
    private func runContainer(_ container: PodPlan.SetContainer, pod: PodPlan) async
        -> Result<NodeOutcome, RuntimeError>
    {
        var node = container.node
        node.phase = .running
        try? await coordinator.update(node)
        let runID = await coordinator.run.id
        var attempt = 0
        while true {
            attempt += 1
            let started = Date()
            do {
                let outcome = try await runtime.run(container.invocation)
                node.phase = outcome.isSuccess ? .succeeded : .failed
                if case .exited(let code) = outcome.termination {
                    node.outputs = NodeOutputs()
                    node.outputs?.exitCode = String(code)
                }
                node.message = outcome.failureMessage(memoryLimit: container.invocation.container?.memoryLimit)
                if outcome.timedOut { node.message = Self.deadlineMessage }
                node.finishedAt = outcome.finishedAt
                let exitCode: Int32? = if case .exited(let code) = outcome.termination { code } else { nil }
                let signal: Int32? = if case .signaled(let value) = outcome.termination { value } else { nil }
                let record = AttemptRecord(
                    runID: runID, nodeID: node.id, number: attempt, processID: outcome.processID,
                    startedAt: outcome.startedAt, finishedAt: outcome.finishedAt, exitCode: exitCode, signal: signal,
                    stdoutPath: HostFiles.existingLog(container.invocation.stdoutPath),
                    stderrPath: HostFiles.existingLog(container.invocation.stderrPath),
                    outcome: outcome.timedOut ? "timeout" : outcome.isSuccess ? "succeeded" : "failed")
                let isLast = outcome.isSuccess || attempt > pod.retries
                if isLast {
                    try? await coordinator.update(node, attempt: record)
                    return .success(outcome)
                }
                node.phase = .running
                try? await coordinator.update(node, attempt: record)
                if let pause = pod.retryPause { try? await Task.sleep(for: pause) }
                if Task.isCancelled { return .failure(.cancelled(node: container.invocation.nodeName)) }
            } catch {
                node.phase = error.isCancellation ? .failed : .error
                node.message = error.isCancellation ? stopMessage : error.description
                node.finishedAt = Date()
                let record = AttemptRecord(
                    runID: runID, nodeID: node.id, number: attempt, startedAt: started, finishedAt: Date(),
                    stdoutPath: HostFiles.existingLog(container.invocation.stdoutPath),
                    stderrPath: HostFiles.existingLog(container.invocation.stderrPath),
                    outcome: "error")
                try? await coordinator.update(node, attempt: record)
                return .failure(error)
            }
        }
    }
}

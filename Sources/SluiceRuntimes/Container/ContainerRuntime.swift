import Foundation

/// Runs each node in a container through the Podman or Docker CLI (`podman run`, `docker run`), with Argo's
/// container semantics.
///
/// The node's ``SandboxLayout`` becomes bind mounts: each private path (`/tmp` and the parents of declared
/// outputs) is a host directory under `nodeDirectory/root/` mounted read-write, each read-only bind (input
/// artifacts, the staged script at `/argo/staging/script`) is mounted `:ro`. Outputs are written straight into
/// those host directories, so nothing is copied out of the container (`podman cp` is not needed); a path outside
/// every mount stays inside the container and is gone with it. The host filesystem is otherwise invisible, so
/// ``SandboxLayout/hiddenPaths`` need nothing.
///
/// Each container is named `sluice-<run>-<node id>` and runs attached (stdout and stderr go straight into the
/// node's log files). It is kept after it exits, so that its exit code and image ID can be inspected, and then
/// removed with `rm -f`; timeouts (`stop -t 2`: SIGTERM, SIGKILL after 2 s), task cancellation and every error
/// path remove it too.
///
/// The node's environment is passed with `-e` except `PATH` when it is the engine's own and `HOME=/tmp` (the
/// engine's defaults for host processes), so the image's `PATH` and `HOME` apply, as on Kubernetes. Values travel
/// in the CLI's environment (`-e NAME`), not on its command line, unless the CLI itself reads a variable of that
/// name. `imagePullPolicy` maps to `--pull always|missing|never` (default: the profile's, `IfNotPresent`),
/// `resources.limits` to `--cpus`/`--memory`, `securityContext.runAsUser/runAsGroup` to `--user`, and
/// `runAsNonRoot` is checked against `runAsUser` or the image's configured user before the container starts.
///
/// A sidecar (``ContainerSettings/networkOwner``) waits until its pod's main container runs and then joins its
/// network namespace (`--network container:<main>`), so that main and sidecars reach each other on localhost as
/// in a Kubernetes pod. Podman refuses to remove a container that others joined, so the main container may outlive
/// its exit until the engine calls ``release(_:)`` after the sidecars were removed.
package struct ContainerRuntime: NodeRuntime {
    /// How long a stopped container gets between SIGTERM and SIGKILL.
    static let graceSeconds = 2

    /// The CLI, flags and defaults this runtime uses.
    package let profile: ContainerProfile

    /// Creates a runtime for `profile`; nothing is checked until a node runs.
    package init(profile: ContainerProfile) {
        self.profile = profile
    }

    /// `"podman"` or `"docker"`, recorded as the producer's runtime in lineage.
    package var kind: String { profile.runtime.rawValue }

    /// Always ``Isolation/container``: every node has its own root filesystem, `/tmp` and process namespace.
    package var isolation: Isolation { .container }

    /// The directories mounted into the container (private paths, volumes, inputs) with their host directories;
    /// anything the container wrote elsewhere stayed in its own filesystem and is not part of the view.
    package func fileView(of layout: SandboxLayout) -> NodeFileView {
        let mounts = SandboxPlan(layout: layout).mounts.filter { $0.sandboxPath != layout.defaultWorkingDirectory }
        return NodeFileView(roots: mounts.map { NodeFileView.Root(sandboxPath: $0.sandboxPath, hostPath: $0.hostPath) })
    }

    /// The container name for a node: `sluice-<run>-<node id>-<8 hex digits>` (the node id is the node
    /// directory's last component, the hex digits a hash of the node directory, so that two state directories
    /// running a workflow of the same name never share a container), with characters a container name cannot hold
    /// replaced by `-`. `sluice-<run>-` prefixes every container of a run.
    /// `podman exec NAME command…`: a probe's command runs inside the node's container.
    package func probeArgv(_ command: [String], for invocation: NodeInvocation) -> [String] {
        [profile.executable] + profile.globalFlags + ["exec", Self.containerName(for: invocation)] + command
    }

    package static func containerName(for invocation: NodeInvocation) -> String {
        let nodeID = (invocation.sandbox.nodeDirectory as NSString).lastPathComponent
        var hash: UInt32 = 2_166_136_261
        for byte in invocation.sandbox.nodeDirectory.utf8 {
            hash = (hash ^ UInt32(byte)) &* 16_777_619
        }
        let suffix = String(hash, radix: 16)
        let name = ContainerCommand.containerName(runName: invocation.runName, nodeID: nodeID)
        return name + "-" + String(repeating: "0", count: 8 - suffix.count) + suffix
    }

    /// Runs the node in a container to completion and removes the container.
    ///
    /// - Returns: the container's exit code (codes 129...192, a process killed by signal N, as
    ///   `.signaled(N)`), whether the timeout stopped it, the CLI's PID, start and end, and the image ID the
    ///   engine ran (`sha256:…`, from `container inspect`).
    /// - Throws: ``RuntimeError/container(node:runtime:image:problem:)`` when the CLI is missing, its engine is
    ///   unreachable, the image is missing under `Never` or cannot be pulled, a field is invalid, or
    ///   `runAsNonRoot` fails; ``RuntimeError/invalidSandboxPath(node:path:)``,
    ///   ``RuntimeError/sandboxSetupFailed(node:path:reason:)``, ``RuntimeError/logFileUnwritable(node:path:reason:)``
    ///   for the layout and logs; ``RuntimeError/cancelled(node:)`` when the task is cancelled (the container is
    ///   removed first).
    package func run(_ invocation: NodeInvocation) async throws(RuntimeError) -> NodeOutcome {
        let node = invocation.nodeName
        guard let settings = invocation.container else {
            throw .container(node: node, runtime: kind, image: "", problem: .noImage)
        }
        let (runtimeKind, image) = (kind, settings.image)
        let failure: @Sendable (ContainerProblem) -> RuntimeError = { problem in
            .container(node: node, runtime: runtimeKind, image: image, problem: problem)
        }
        let pullPolicy: PullPolicy
        if let name = settings.imagePullPolicy {
            guard let parsed = PullPolicy(rawValue: name) else { throw failure(.invalidPullPolicy(value: name)) }
            pullPolicy = parsed
        } else {
            pullPolicy = profile.imagePullPolicy
        }
        let plan = try SandboxPlan.validated(invocation)
        let mounts = try mounts(of: plan, invocation: invocation, failure: failure)
        let cpus = try settings.cpuLimit.map { (value: String) throws(RuntimeError) -> String in
            guard let converted = KubernetesQuantity.cpus(value) else {
                throw failure(.invalidQuantity(field: "cpu", value: value))
            }
            return converted
        }
        let memory = try settings.memoryLimit.map { (value: String) throws(RuntimeError) -> String in
            guard let converted = KubernetesQuantity.memory(value) else {
                throw failure(.invalidQuantity(field: "memory", value: value))
            }
            return converted
        }
        let cli = try ContainerCLI(profile: profile, failure: failure)

        // The image's configuration is needed before the run only for `Never` (a clear error instead of the
        // CLI's) and for user checks that depend on the image's USER.
        var effectivePolicy = pullPolicy
        var imageUser: String?
        let needsImageUser = settings.runAsUser == nil && (settings.runAsNonRoot == true || settings.runAsGroup != nil)
        if pullPolicy == .never || needsImageUser {
            let image = try await cli.ensureImage(settings.image, policy: pullPolicy)
            imageUser = image.user
            if pullPolicy != .always { effectivePolicy = .never }
        }
        let user = try Self.user(settings: settings, imageUser: imageUser, failure: failure)

        // The node's directory (0700), which the engine leaves to the runtime: the CLI runs in it.
        if let problem = HostFiles.makePrivateDirectory(invocation.sandbox.nodeDirectory) {
            throw .sandboxSetupFailed(node: node, path: invocation.sandbox.nodeDirectory, reason: problem)
        }
        try prepareDirectories(plan: plan, mounts: mounts, node: node)
        var inherited: [String] = []
        var explicit: [(name: String, value: String)] = []
        var passedValues: [String: String] = [:]
        for (name, value) in Self.nodeEnvironment(invocation.environment).sorted(by: { $0.key < $1.key }) {
            if ContainerCommand.isReservedForCLI(name, profile: profile) {
                explicit.append((name, value))
            } else {
                inherited.append(name)
                passedValues[name] = value
            }
        }
        let command = ContainerCommand(
            profile: profile, name: Self.containerName(for: invocation), settings: settings,
            pullPolicy: effectivePolicy, mounts: mounts, inheritedVariables: inherited, explicitVariables: explicit,
            workingDirectory: invocation.workingDirectory, cpus: cpus, memory: memory, user: user,
            labels: ContainerCommand.labels(
                runName: invocation.runName, nodeDirectory: invocation.sandbox.nodeDirectory,
                enginePID: ProcessInfo.processInfo.processIdentifier))
        guard let owner = settings.networkOwner else {
            return try await cli.runContainer(command, values: passedValues, invocation: invocation, policy: pullPolicy)
        }
        try await cli.waitUntilRunning(owner, node: node)
        do {
            return try await cli.runContainer(command, values: passedValues, invocation: invocation, policy: pullPolicy)
        } catch {
            // The owner may have ended between the wait and the run: then there was nothing left to join.
            if case .container = error, try await cli.status(of: owner) != "running" {
                throw failure(.networkOwnerGone(owner: owner))
            }
            throw error
        }
    }

    /// Removes the node's container if it is still there: a pod's main container whose removal right after it
    /// exited was refused because its sidecars had joined its network namespace (Podman keeps such dependencies).
    package func release(_ invocation: NodeInvocation) async {
        guard invocation.container != nil,
            let cli = quietCLI(naming: invocation.nodeName)
        else { return }
        await cli.remove(Self.containerName(for: invocation))
    }

    /// Where other nodes reach the node (`{{steps.X.ip}}` of a daemon, the host its readiness probes reach): its
    /// container's own IP address once it runs; the host for a node without a container or on the host's network.
    package func address(of invocation: NodeInvocation) async -> NodeAddress {
        guard invocation.container != nil, profile.network != "host",
            let cli = quietCLI(naming: invocation.nodeName)
        else { return .host }
        return await cli.address(of: Self.containerName(for: invocation))
    }

    /// Removes (`rm -f`) every container labelled `sluice.run=runName` and `sluice.state-dir=stateDirectory`:
    /// what an engine that died left running. Never throws; nothing happens when the CLI is not installed.
    ///
    /// - Returns: the names of the containers removed.
    package func removeContainers(ofRun runName: String, stateDirectory: String) async -> [String] {
        guard let cli = quietCLI(naming: runName) else {
            return []
        }
        let list =
            profile.globalFlags + [
                "ps", "-a", "--filter", "label=sluice.run=\(runName)", "--filter",
                "label=sluice.state-dir=\(stateDirectory)",
                "--format", "{{.Names}}",
            ]
        guard let output = try? await cli.call(list), output.exitCode == 0 else { return [] }
        let names = output.standardOutput.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        for name in names { await cli.remove(name) }
        return names
    }

    /// Removes a container a dead engine left (`rm -f` by name); a process group is killed as
    /// ``ProcessRuntime/killLeftoverGroup(of:)`` does.
    package func killLeftover(_ spawned: SpawnedNode) async -> Bool {
        switch spawned {
        case .processGroup(let leader):
            return ProcessRuntime.killLeftoverGroup(of: leader)
        case .container(let name):
            guard let cli = quietCLI(naming: name),
                let status = try? await cli.status(of: name)
            else { return false }
            await cli.remove(name)
            return !status.isEmpty
        }
    }

    // MARK: - Preparation

    /// The bind mounts of the layout, parents first; the default working directory is not mounted (the image's
    /// WORKDIR applies unless the template gives `workingDir`).
    private func mounts(
        of plan: SandboxPlan, invocation: NodeInvocation, failure: (ContainerProblem) -> RuntimeError
    ) throws(RuntimeError) -> [ContainerCommand.Mount] {
        var result: [ContainerCommand.Mount] = []
        for mount in plan.mounts where mount.sandboxPath != invocation.sandbox.defaultWorkingDirectory {
            for path in [mount.hostPath, mount.sandboxPath] where path.contains(":") || path.contains(",") {
                throw failure(.unmountablePath(path: path))
            }
            result.append(
                ContainerCommand.Mount(
                    hostPath: mount.hostPath, containerPath: mount.sandboxPath, isReadOnly: !mount.isWritable))
        }
        return result
    }

    /// Creates the host directories behind the writable mounts, mode 1777 like a `/tmp` (the container's user
    /// may be any uid; the node directory around them is 0700), makes writable file mounts mode 0666, and checks
    /// that read-only sources exist.
    private func prepareDirectories(
        plan: SandboxPlan, mounts: [ContainerCommand.Mount], node: String
    ) throws(RuntimeError) {
        for mount in mounts {
            if mount.isReadOnly {
                guard HostFiles.exists(mount.hostPath) else {
                    throw .sandboxSetupFailed(
                        node: node, path: mount.containerPath,
                        reason: "its host source '\(mount.hostPath)' does not exist")
                }
                continue
            }
            // A writable file (an output directly under `/`, a written input): writable by any uid, as a directory is.
            var info = stat()
            if lstat(mount.hostPath, &info) == 0, info.st_mode & S_IFMT == S_IFREG {
                if chmod(mount.hostPath, 0o666) != 0 {
                    throw .sandboxSetupFailed(
                        node: node, path: mount.containerPath,
                        reason: "\(mount.hostPath): \(HostFiles.errorText(errno))")
                }
                continue
            }
            if let failure = HostFiles.makeDirectories(mount.hostPath) {
                throw .sandboxSetupFailed(
                    node: node, path: mount.containerPath, reason: "\(mount.hostPath): \(failure)")
            }
            if chmod(mount.hostPath, 0o1777) != 0 {
                throw .sandboxSetupFailed(
                    node: node, path: mount.containerPath,
                    reason: "\(mount.hostPath): \(HostFiles.errorText(errno))")
            }
        }
    }

    /// The node's variables without the engine's host defaults (`PATH` equal to the engine's, `HOME=/tmp`).
    static func nodeEnvironment(_ environment: [String: String]) -> [String: String] {
        var result = environment
        let enginePath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        if result["PATH"] == enginePath { result["PATH"] = nil }
        if result["HOME"] == "/tmp" { result["HOME"] = nil }
        return result
    }

    /// The `--user` value and the `runAsNonRoot` check.
    ///
    /// `imageUser` is the image's configured `USER` (empty means root); it is only consulted when `runAsUser` is
    /// absent.
    static func user(
        settings: ContainerSettings, imageUser: String?, failure: (ContainerProblem) -> RuntimeError
    ) throws(RuntimeError) -> String? {
        if let uid = settings.runAsUser {
            if settings.runAsNonRoot == true, uid == 0 { throw failure(.runsAsRoot(user: "runAsUser 0")) }
            return settings.runAsGroup.map { "\(uid):\($0)" } ?? String(uid)
        }
        // Without runAsUser the image's USER decides: "" is root, "1000" or "1000:100" numeric, "app" a name.
        let configured = imageUser ?? ""
        let userPart = String(configured.split(separator: ":", maxSplits: 1).first ?? "")
        if settings.runAsNonRoot == true {
            if userPart.isEmpty || userPart == "0" || userPart == "root" {
                throw failure(.runsAsRoot(user: userPart.isEmpty ? "the image sets no USER" : "image USER \(userPart)"))
            }
            guard Int(userPart) != nil else { throw failure(.unverifiableUser(user: userPart)) }
        }
        if let gid = settings.runAsGroup { return "\(userPart.isEmpty ? "0" : userPart):\(gid)" }
        return nil
    }
}

extension ContainerRuntime {
    /// The CLI for housekeeping (removing, inspecting, listing), whose failures are not reported: any failure reads
    /// as the node `name` having been cancelled; nil when the CLI is not installed.
    func quietCLI(naming name: String) -> ContainerCLI? {
        try? ContainerCLI(profile: profile, failure: { _ in .cancelled(node: name) })
    }
}

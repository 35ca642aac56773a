import Foundation

/// Runs each node as a host process in its own session and process group, optionally in a bubblewrap sandbox.
///
/// Every node gets exactly `invocation.environment` plus `PWD` set to its working directory (bubblewrap always
/// exports it, so it is set in both modes); the engine's environment is never inherited. Stdin is
/// `/dev/null`; stdout and stderr are written by the child straight into the log files. The runtime starts the
/// leader with `setsid` (new session and process group, no controlling terminal); after the leader exits it
/// always sends SIGKILL to the group, so background children left behind die with the node. On timeout or task
/// cancellation the group gets SIGTERM, then SIGKILL once it is empty or 2 s have passed.
///
/// With ``Isolation/bubblewrap`` the node sees the host read-only, a private writable `/tmp`, its private paths
/// (host directories under `nodeDirectory/root/`), its working directory `nodeDirectory/work` and its read-only
/// binds; it has its own PID namespace, so everything it started dies with it, even processes that left the
/// group with `setsid`. Two parallel nodes writing `/tmp/out.txt` write different host files. The network, the
/// user, and reads of the whole host filesystem (including other nodes' directories) are shared. The sandbox is
/// made by the package's own launcher `sluice-sandbox` where it works (``SandboxLauncher``: root, and no mount
/// point to create outside the node's writable paths), else by `bwrap`. The launcher normally runs once per engine
/// (``SandboxServer``) and forks each node from a view of the host prepared once; through it, a private path the
/// layout reads nothing back from (``SandboxLayout/readBackPaths``) is a tmpfs rather than a host directory.
///
/// With ``Isolation/none`` the node runs directly on the host, and NOTHING is protected: private paths are the
/// host's real directories (created if missing, so `/mnt/out` needs permission to create it), parallel nodes
/// writing the same absolute path overwrite each other, read-only binds are copied to their sandbox path (replacing
/// what was there) and stay writable and behind after the node, the node can write anywhere the user can, and a
/// process that calls `setsid` or double-forks out of the group survives the node.
/// ``fileView(of:)`` reads the node's paths where they are.
package struct ProcessRuntime: NodeRuntime {
    /// Always `"process"`.
    package var kind: String { RuntimeKind.process.rawValue }
    /// The isolation this runtime applies.
    package let isolation: Isolation

    /// Where sandboxed nodes' programs were found on their `PATH` (see ``ExecutableCache``).
    let executables = ExecutableCache()

    /// Creates the runtime.
    ///
    /// - Parameter isolation: `nil` detects it: ``Isolation/bubblewrap`` when `bwrap` works on this host (probed
    ///   once per process, a blocking spawn of a few milliseconds), else ``Isolation/none``. An explicit
    ///   `.bubblewrap` on a host without working `bwrap` makes ``run(_:)`` throw
    ///   ``RuntimeError/isolationUnavailable(reason:)``.
    package init(isolation: Isolation? = nil) {
        self.isolation = isolation ?? Self.detectedIsolation
        self.launcher = SandboxLauncher.current
    }

    /// How nodes the launcher can sandbox are started.
    enum LauncherMode: Sendable {
        /// Through this process's ``SandboxServer`` (started on first use) when it runs, else one launcher each.
        case sharedServer
        /// One launcher process per node.
        case perNode
        /// Through this server.
        case server(SandboxServer)
    }
    var launcherMode: LauncherMode = .sharedServer

    /// The sandbox launcher under ``Isolation/bubblewrap``: the package's `sluice-sandbox` when it works here (see
    /// ``SandboxLauncher``), else bwrap for every node.
    let launcher: SandboxLauncher

    /// Creates the runtime with exactly `isolation`, sandboxing with bwrap alone when `usesLauncher` is false.
    package init(isolation: Isolation, usesLauncher: Bool) {
        self.isolation = isolation
        self.launcher = usesLauncher ? SandboxLauncher.current : .unavailable(reason: "bwrap requested")
    }

    /// Creates the runtime with ``Isolation/bubblewrap`` through the package's launcher: one launcher process per
    /// node when `server` is `nil`, else through `server` (see ``SandboxServer``).
    package init(launchingThrough server: SandboxServer?) {
        self.isolation = .bubblewrap
        self.launcher = SandboxLauncher.current
        self.launcherMode = server.map { .server($0) } ?? .perNode
    }

    /// The server nodes go through, or `nil` for one launcher process per node.
    var server: SandboxServer? {
        switch launcherMode {
        case .sharedServer: SandboxServer.shared
        case .perNode: nil
        case .server(let server): server
        }
    }

    /// Whether nodes under ``Isolation/bubblewrap`` start through the package's launcher (where the plan allows).
    package var usesLauncher: Bool { launcher.path != nil }

    /// The sandbox launcher this host uses under ``Isolation/bubblewrap``, or `nil` when it is bwrap alone.
    package static var launcherPath: String? { SandboxLauncher.current.path }

    /// Why the launcher is not used on this host, or `nil` when it is.
    package static var launcherUnavailableReason: String? {
        if case .unavailable(let reason) = SandboxLauncher.current { return reason }
        return nil
    }

    /// Creates the runtime with exactly `isolation`.
    ///
    /// This overload exists so that `ProcessRuntime(isolation: .none)` means ``Isolation/none`` and not
    /// `Optional.none` (which would detect).
    package init(isolation: Isolation) {
        self.isolation = isolation
        self.launcher = SandboxLauncher.current
    }

    /// The isolation ``init(isolation:)`` picks on this host when given `nil`.
    ///
    /// The launcher is probed first: where it works (about 2.5 ms), bwrap is only probed (about 6.5 ms) once a
    /// node needs it as the fallback.
    package static var detectedIsolation: Isolation {
        SandboxLauncher.current.path != nil ? .bubblewrap : BubblewrapProbe.current.isolation
    }

    /// Whether `bwrap` itself works on this host (the fallback where the launcher cannot build a node's sandbox).
    package static var bwrapWorks: Bool { BubblewrapProbe.current.isolation == .bubblewrap }

    /// Why bubblewrap is not usable on this host, or `nil` when it is.
    package static var bubblewrapUnavailableReason: String? {
        if SandboxLauncher.current.path != nil { return nil }
        if case .unavailable(let reason) = BubblewrapProbe.current { return reason }
        return nil
    }

    /// The node's own directories: every mount of its sandbox (private paths, working directory, volumes, inputs)
    /// with the host directory behind it under bubblewrap; without isolation the same paths, which are the host's
    /// own, and no link is followed. The read-only host around them is not part of the view.
    package func fileView(of layout: SandboxLayout) -> NodeFileView {
        let mounts = SandboxPlan(layout: layout).mounts
        return NodeFileView(
            roots: mounts.map {
                NodeFileView.Root(
                    sandboxPath: $0.sandboxPath, hostPath: isolation == .bubblewrap ? $0.hostPath : $0.sandboxPath)
            }, followsLinks: isolation == .bubblewrap)
    }

    /// Runs the node to completion; see the type's documentation for the process and filesystem rules.
    ///
    /// - Returns: how the leader ended (a non-zero exit is a normal outcome), whether it timed out, its PID
    ///   (`bwrap`'s under bubblewrap) and wall-clock start and end.
    /// - Throws: ``RuntimeError`` when a path is invalid, the executable is not found (looked up in the node's
    ///   own `PATH`, in the node's view of the filesystem), a log file cannot be opened, the sandbox cannot be
    ///   set up, the launch fails, or the calling task is cancelled (the group is killed first).
    /// How many times a sandbox whose set-up met a half-made host mount is set up before the node fails.
    static let sandboxSetUpAttempts = 5

    package func run(_ invocation: NodeInvocation) async throws(RuntimeError) -> NodeOutcome {
        let plan = try SandboxPlan.validated(invocation)
        let launch: Launch
        switch isolation {
        case .bubblewrap:
            if launcher.path == nil, case .unavailable(let reason) = BubblewrapProbe.current {
                throw .isolationUnavailable(reason: reason)
            }
            // Through the server, a private path nothing is read back from is a tmpfs, not a host directory.
            let server = launcher.path != nil ? server : nil
            let served = server != nil ? plan.withTmpfs(for: invocation.sandbox) : plan
            try prepareSandbox(served, for: invocation)
            let executable = try ExecutableLocator.locate(
                invocation.executable,
                searchPath: invocation.environment["PATH"],
                workingDirectory: plan.workingDirectory,
                node: invocation.nodeName,
                hostPath: plan.hostPath(forSandboxPath:),
                cache: executables
            )
            // The package's launcher gives the same sandbox for a fraction of bwrap's cost, when it can build it.
            // Decided once the host directories behind the writable mounts exist (a mount point missing on the host
            // outside them is what only bwrap can make).
            if let server, BubblewrapCommand.directoriesToCarve(for: served).isEmpty {
                // Saved files go below the node's directory, which the launcher makes only when it saves one.
                var served = served
                let anchor = served.savedFiles.isEmpty ? nil : Self.saveAnchor(invocation.sandbox.nodeDirectory)
                if let anchor {
                    served.savedFiles = served.savedFiles.map { ($0.sandboxPath, anchor.prefix + $0.nodeRelativePath) }
                }
                if let outcome = try await supervise(
                    through: server,
                    arguments: SandboxLauncher.arguments(
                        plan: served, executable: executable, arguments: invocation.arguments),
                    nodeWorkingDirectory: plan.workingDirectory, saveDirectory: anchor?.descriptor,
                    for: invocation)
                {
                    return outcome
                }
            }
            // Any other way has every private path on the host.
            if served.hasTmpfs { try prepareSandbox(plan, for: invocation) }
            if let launcher = launcher.path, BubblewrapCommand.directoriesToCarve(for: plan).isEmpty {
                return try await supervise(
                    Launch(
                        executablePath: launcher,
                        arguments: SandboxLauncher.arguments(
                            plan: plan, executable: executable, arguments: invocation.arguments),
                        workingDirectory: nil, nodeWorkingDirectory: plan.workingDirectory),
                    for: invocation)
            }
            guard case .available(let bwrapPath) = BubblewrapProbe.current else {
                throw .isolationUnavailable(reason: Self.bubblewrapUnavailableReason ?? "unknown")
            }
            var command = BubblewrapCommand(bwrapPath: bwrapPath)
            if BubblewrapCommand.hostHasNamespaceMounts() { command.rootLayout = .topLevelEntries }
            let sandboxed = { (command: BubblewrapCommand) in
                Launch(
                    executablePath: bwrapPath,
                    arguments: command.arguments(plan: plan, executable: executable, arguments: invocation.arguments),
                    workingDirectory: nil,
                    nodeWorkingDirectory: plan.workingDirectory
                )
            }
            // A container starting or stopping on the host mounts and unmounts things (its network namespace under
            // /run/netns, its overlay under /var/lib/containers) that bwrap's recursive read-only bind can meet
            // half-made: bwrap then fails before running anything. Set up again, without the host's /run, a few
            // times; the logs start afresh since nothing ran.
            var attempt = 1
            while true {
                do {
                    return try await supervise(sandboxed(command), for: invocation)
                } catch .bubblewrapFailed(let node, let message) where BubblewrapCommand.isRemountFailure(message) {
                    guard attempt < Self.sandboxSetUpAttempts else {
                        throw .bubblewrapFailed(node: node, message: message)
                    }
                    for path in Set([invocation.stdoutPath, invocation.stderrPath]) {
                        try? FileManager.default.removeItem(atPath: path)
                    }
                    command.rootLayout = .topLevelEntries
                    try? await Task.sleep(for: .milliseconds(20 * attempt))
                    attempt += 1
                }
            }
        case .container:
            preconditionFailure("ProcessRuntime cannot apply container isolation; use ContainerRuntime")
        case .none:
            try prepareHost(plan, for: invocation)
            let executable = try ExecutableLocator.locate(
                invocation.executable,
                searchPath: invocation.environment["PATH"],
                workingDirectory: plan.workingDirectory,
                node: invocation.nodeName,
                hostPath: { $0 }
            )
            launch = Launch(
                executablePath: executable,
                arguments: invocation.arguments,
                workingDirectory: plan.workingDirectory,
                nodeWorkingDirectory: plan.workingDirectory
            )
        }
        return try await supervise(launch, for: invocation)
    }

    /// What is actually spawned: `bwrap` with its arguments, or the node's executable itself.
    struct Launch: Sendable {
        var executablePath: String
        var arguments: [String]
        /// The host directory to spawn in; `nil` under bubblewrap, which changes directory itself.
        var workingDirectory: String?
        /// The working directory as the node sees it, exported as `PWD`.
        var nodeWorkingDirectory: String
    }

    // MARK: - Preparing the filesystem

    /// Creates the host directories behind the writable mounts and checks the read-only sources and the
    /// working directory.
    private func prepareSandbox(_ plan: SandboxPlan, for invocation: NodeInvocation) throws(RuntimeError) {
        let node = invocation.nodeName
        try makeNodeDirectory(for: invocation, hostPaths: plan.mounts.filter { !$0.isTmpfs }.map(\.hostPath))
        for mount in plan.mounts where !mount.isTmpfs {
            if mount.isWritable {
                // A writable bind of an existing regular file (an output file directly under `/`) stays a file.
                if HostFiles.exists(mount.hostPath) && !HostFiles.isDirectory(mount.hostPath) { continue }
                if let failure = HostFiles.makeDirectories(mount.hostPath) {
                    throw .sandboxSetupFailed(
                        node: node, path: mount.sandboxPath, reason: "\(mount.hostPath): \(failure)")
                }
            } else if !HostFiles.exists(mount.hostPath) {
                throw .sandboxSetupFailed(
                    node: node,
                    path: mount.sandboxPath,
                    reason: "its host source '\(mount.hostPath)' does not exist"
                )
            }
        }
        try prepareWorkingDirectory(plan, node: node, hostPath: plan.hostPath(forSandboxPath: plan.workingDirectory))
    }

    /// Creates the private paths and the working directory on the host and copies the read-only binds into place.
    private func prepareHost(_ plan: SandboxPlan, for invocation: NodeInvocation) throws(RuntimeError) {
        let node = invocation.nodeName
        try makeNodeDirectory(
            for: invocation, hostPaths: plan.mounts.filter(\.isWritable).map(\.sandboxPath) + [plan.workingDirectory])
        for mount in plan.mounts where mount.isWritable {
            if let failure = HostFiles.makeDirectories(mount.sandboxPath) {
                throw .sandboxSetupFailed(node: node, path: mount.sandboxPath, reason: failure)
            }
        }
        for mount in plan.mounts where !mount.isWritable && mount.hostPath != mount.sandboxPath {
            if let failure = HostFiles.copyReplacing(mount.hostPath, to: mount.sandboxPath) {
                throw .sandboxSetupFailed(node: node, path: mount.sandboxPath, reason: failure)
            }
        }
        try prepareWorkingDirectory(plan, node: node, hostPath: plan.workingDirectory)
    }

    /// The nearest existing directory at or above the node's directory, opened, and the path from it to the node's
    /// directory (empty, or ending in `/`): the launcher saves files below it, making the directories between.
    static func saveAnchor(_ nodeDirectory: String) -> (descriptor: Int32, prefix: String)? {
        var directory = SandboxPath.normalized(nodeDirectory) ?? nodeDirectory
        var prefix = ""
        while true {
            let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if descriptor >= 0 { return (descriptor, prefix) }
            guard errno == ENOENT, directory != "/" else { return nil }
            let parent = SandboxPath.parent(directory)
            prefix = SandboxPath.relative(directory, to: parent) + "/" + prefix
            directory = parent
        }
    }

    /// Creates the node's directory (0700) when one of `hostPaths` lies in it: the engine makes it only for what it
    /// writes there itself (a script, a volume...), and the logs make it when the node writes to them.
    private func makeNodeDirectory(for invocation: NodeInvocation, hostPaths: [String]) throws(RuntimeError) {
        let directory = SandboxPath.normalized(invocation.sandbox.nodeDirectory) ?? invocation.sandbox.nodeDirectory
        guard hostPaths.contains(where: { SandboxPath.isWithin($0, directory) }) else { return }
        if let failure = HostFiles.makePrivateDirectory(directory) {
            throw .sandboxSetupFailed(node: invocation.nodeName, path: directory, reason: failure)
        }
    }

    /// Creates the working directory when it lies in a writable mount; otherwise requires that it exists.
    private func prepareWorkingDirectory(_ plan: SandboxPlan, node: String, hostPath: String) throws(RuntimeError) {
        // The launcher makes a working directory in a tmpfs.
        if plan.mounts.last(where: { SandboxPath.isWithin(plan.workingDirectory, $0.sandboxPath) })?.isTmpfs == true {
            return
        }
        if plan.isWritable(plan.workingDirectory) {
            if let failure = HostFiles.makeDirectories(hostPath) {
                throw .sandboxSetupFailed(node: node, path: plan.workingDirectory, reason: "\(hostPath): \(failure)")
            }
        } else if !HostFiles.isDirectory(hostPath) {
            throw .workingDirectoryMissing(node: node, path: plan.workingDirectory)
        }
    }
}

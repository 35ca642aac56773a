import Foundation
import Subprocess
import Synchronization
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// The calls of one node to the container CLI: image checks, the attached `run`, inspection and removal.
struct ContainerCLI: Sendable {
    /// What a helper call printed and how it ended.
    struct Output: Sendable {
        var exitCode: Int32
        var standardOutput: String
        var standardError: String
    }

    let profile: ContainerProfile
    /// The absolute path of the CLI binary.
    let executablePath: String
    /// Wraps a problem into the node's ``RuntimeError``.
    let failure: @Sendable (ContainerProblem) -> RuntimeError

    /// Locates the CLI on the engine's `PATH` (or checks the given path).
    ///
    /// - Throws: ``ContainerProblem/cliNotInstalled(executable:)`` wrapped by `failure`.
    init(profile: ContainerProfile, failure: @escaping @Sendable (ContainerProblem) -> RuntimeError)
        throws(RuntimeError)
    {
        self.profile = profile
        self.failure = failure
        let searchPath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        do {
            executablePath = try ExecutableLocator.locate(
                profile.executable, searchPath: searchPath, workingDirectory: FileManager.default.currentDirectoryPath,
                node: "", hostPath: { $0 })
        } catch {
            throw failure(.cliNotInstalled(executable: profile.executable))
        }
    }

    // MARK: - Helper calls

    /// Runs the CLI with `arguments` and collects its output (at most 1 MiB of each stream).
    func call(_ arguments: [String]) async throws(RuntimeError) -> Output {
        do {
            let result = try await HostCommand.run(
                .path(FilePath(executablePath)), arguments, environment: cliEnvironment([:]), limit: 1 << 20)
            return Output(
                exitCode: result.status, standardOutput: result.standardOutput, standardError: result.standardError)
        } catch {
            throw failure(.launchFailed(reason: error.reason))
        }
    }

    /// The image's ID and configured user, pulling it first when it is missing and `policy` allows.
    ///
    /// - Throws: ``ContainerProblem/imageMissing(policy:)`` under `Never`, ``ContainerProblem/pullFailed(policy:detail:)``,
    ///   or the engine's reachability and permission problems.
    func ensureImage(_ image: String, policy: PullPolicy) async throws(RuntimeError) -> (id: String, user: String) {
        if policy == .always {
            try await pull(image, policy: policy)
        }
        var inspected = try await call(ContainerCommand.inspectImageArguments(profile: profile, image: image))
        if inspected.exitCode != 0 {
            let problem = Self.classify(
                inspected.standardError, subcommand: "image inspect", exitCode: inspected.exitCode,
                policy: policy)
            switch problem {
            case .daemonUnreachable, .permissionDenied: throw failure(problem)
            default: break
            }
            guard policy != .never else { throw failure(.imageMissing(policy: policy)) }
            try await pull(image, policy: policy)
            inspected = try await call(ContainerCommand.inspectImageArguments(profile: profile, image: image))
            guard inspected.exitCode == 0 else {
                throw failure(
                    Self.classify(
                        inspected.standardError, subcommand: "image inspect",
                        exitCode: inspected.exitCode, policy: policy))
            }
        }
        let fields = inspected.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
            .split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false)
        return (Self.normalizedImageID(String(fields.first ?? "")), fields.count > 1 ? String(fields[1]) : "")
    }

    private func pull(_ image: String, policy: PullPolicy) async throws(RuntimeError) {
        let pulled = try await call(ContainerCommand.pullArguments(profile: profile, image: image))
        guard pulled.exitCode == 0 else {
            var problem = Self.classify(
                pulled.standardError, subcommand: "pull", exitCode: pulled.exitCode, policy: policy)
            if case .commandFailed(_, _, let detail) = problem { problem = .pullFailed(policy: policy, detail: detail) }
            if case .imageMissing = problem {
                problem = .pullFailed(policy: policy, detail: Self.lastLine(pulled.standardError))
            }
            throw failure(problem)
        }
    }

    /// `rm -f` of the container, in a task of its own so that it happens even when the caller is cancelled.
    ///
    /// `rm -f` succeeds when the container is gone or never existed; a failure (Podman's locks under load, a
    /// container still being cleaned up) is retried for up to 10 s so that nothing is left behind. A pod's main
    /// container that its sidecars still join is refused with "dependent containers": with `untilDependents` the
    /// removal stops there at once (the engine releases it after the sidecars, ``ContainerRuntime/release(_:)``);
    /// otherwise that is retried too.
    func remove(_ name: String, untilDependents: Bool = false) async {
        let arguments = ContainerCommand.removeArguments(profile: profile, name: name)
        let removal = Task {
            for _ in 0..<40 {
                let removed = try? await call(arguments)
                if let removed, removed.exitCode == 0 { return }
                if untilDependents, removed?.standardError.contains("dependent containers") == true { return }
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
        await removal.value
    }

    // MARK: - The node's container

    /// Runs the container attached, with the node's logs, timeout and cancellation, then inspects and removes it.
    func runContainer(
        _ command: ContainerCommand, values: [String: String], invocation: NodeInvocation, policy: PullPolicy
    ) async throws(RuntimeError) -> NodeOutcome {
        let node = invocation.nodeName
        var retriedNameClash = false
        while true {
            let state = AttachedState()
            let startedAt = Date()
            let status = try await attach(command, values: values, invocation: invocation, state: state)
            // A log the container wrote nothing to is not kept (as the process runtime makes none).
            invocation.removeEmptyLogs()
            if Task.isCancelled && !state.timedOut {
                await remove(command.name)
                throw .cancelled(node: node)
            }
            let inspected = try? await call(
                ContainerCommand.inspectContainerArguments(profile: profile, name: command.name))
            guard let inspected, inspected.exitCode == 0 else {
                // The container was never created: what the CLI printed is in the node's stderr log.
                await remove(command.name)
                let text = (try? String(contentsOfFile: invocation.stderrPath, encoding: .utf8)) ?? ""
                if text.contains("already in use"), !retriedNameClash {
                    // A container left behind by a crashed engine with this run's and node's name.
                    retriedNameClash = true
                    continue
                }
                if state.timedOut {
                    throw failure(
                        .commandFailed(
                            subcommand: "run", exitCode: status, detail: "timed out before the container started"))
                }
                throw failure(Self.classify(text, subcommand: "run", exitCode: status, policy: policy))
            }
            await remove(command.name, untilDependents: true)
            let finishedAt = Date()
            let fields = inspected.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
                .split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            let exitCode = fields.first.flatMap { Int32($0) } ?? status
            let imageID = fields.count > 1 ? Self.normalizedImageID(fields[1]) : nil
            let oomKilled = fields.count > 2 && fields[2] == "true"
            // A process killed by signal N leaves exit code 128 + N, as bubblewrap reports it for the process runtime.
            let termination: NodeOutcome.Termination =
                (129...192).contains(exitCode) ? .signaled(exitCode - 128) : .exited(exitCode)
            return NodeOutcome(
                termination: termination, timedOut: state.timedOut, processID: state.processID ?? 0,
                startedAt: startedAt, finishedAt: finishedAt, imageID: imageID, oomKilled: oomKilled)
        }
    }

    /// Where other nodes reach the container: its own IP address once it runs (``NodeAddress/pending`` until then).
    func address(of name: String) async -> NodeAddress {
        guard let inspected = try? await call(ContainerCommand.addressArguments(profile: profile, name: name)),
            inspected.exitCode == 0
        else { return .pending }
        return ContainerCommand.address(fromInspectOutput: inspected.standardOutput)
    }

    /// The container's status (`created`, `running`, `exited`...), or nil when it does not exist (yet).
    func status(of name: String) async throws(RuntimeError) -> String? {
        let inspected = try await call(ContainerCommand.statusArguments(profile: profile, name: name))
        guard inspected.exitCode == 0 else { return nil }
        return inspected.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Waits until the container `owner` runs, polling its status; a container that does not exist yet is waited
    /// for (its pod's main container may still be pulled or created), one that has ended is gone.
    ///
    /// - Throws: ``ContainerProblem/networkOwnerGone(owner:)`` when `owner` has exited or was removed after it
    ///   existed; ``RuntimeError/cancelled(node:)`` when the task is cancelled.
    func waitUntilRunning(_ owner: String, node: String) async throws(RuntimeError) {
        var seen = false
        while true {
            switch try await status(of: owner) {
            case "running"?:
                return
            case nil where seen, "exited"?, "stopped"?, "dead"?, "removing"?:
                throw failure(.networkOwnerGone(owner: owner))
            case nil:
                break
            default:
                seen = true
            }
            do {
                try await Task.sleep(for: .milliseconds(50))
            } catch {
                throw .cancelled(node: node)
            }
        }
    }

    /// Spawns `CLI run …` with its output in the node's logs and waits for it; the timeout stops the container.
    ///
    /// Returns the CLI's exit status (the container's exit code when it ran, 125 and above for the CLI's own
    /// failures).
    private func attach(
        _ command: ContainerCommand, values: [String: String], invocation: NodeInvocation, state: AttachedState
    ) async throws(RuntimeError) -> Int32 {
        let node = invocation.nodeName
        let (standardOutput, standardError) = try invocation.openLogs()
        var options = PlatformOptions()
        // Own session: a Ctrl-C at the terminal reaches the engine, which cancels and removes the container.
        options.createSession = true
        let executable = executablePath
        let environment = cliEnvironment(values)
        let arguments = command.runArguments
        let workingDirectory = FilePath(invocation.sandbox.nodeDirectory)
        // Recorded before it exists: a container a dead engine left is found by this name.
        invocation.onSpawn?(.container(name: command.name))
        // The CLI runs in a task of its own that cancellation does not reach: killing `podman run` while it is
        // creating or starting the container can leave the container running with Podman no longer tracking it
        // (seen with sidecars stopped as their main container ended). On cancellation the container is removed
        // by name while the CLI lives, until the CLI exits because its container is gone.
        let execution = Task.detached { () async throws -> Int32 in
            defer { state.markExited() }
            return try await withThrowingTaskGroup(of: Void.self) { tasks in
                if let timeout = invocation.timeout {
                    tasks.addTask { await self.expire(after: timeout, name: command.name, state: state) }
                }
                defer { tasks.cancelAll() }
                // In the node's directory: conmon writes files (e.g. `oom`) into its working directory.
                let result = try await Subprocess.run(
                    .path(FilePath(executable)), arguments: Arguments(arguments), environment: environment,
                    workingDirectory: workingDirectory,
                    platformOptions: options, input: .none,
                    output: .fileDescriptor(standardOutput, closeAfterSpawningProcess: true),
                    error: .fileDescriptor(standardError, closeAfterSpawningProcess: true)
                ) { execution in
                    state.started(execution.processIdentifier.value)
                }
                switch result.terminationStatus {
                case .exited(let code): return code
                case .signaled(let signal): return 128 + signal
                }
            }
        }
        let outcome = await withTaskCancellationHandler {
            await execution.result
        } onCancel: {
            Task.detached { await self.removeUntilExited(command.name, execution: execution, state: state) }
        }
        if Task.isCancelled {
            _ = await execution.result
            await remove(command.name)
            throw .cancelled(node: node)
        }
        switch outcome {
        case .success(let code):
            return code
        case .failure(let error as SubprocessError):
            await remove(command.name)
            let reason = error.underlyingError.map { HostFiles.errorText($0.rawValue) } ?? error.description
            throw failure(.launchFailed(reason: reason))
        case .failure:
            await remove(command.name)
            throw .cancelled(node: node)
        }
    }

    /// Removes container `name` (`rm -f`) again and again until the attached CLI has exited; after
    /// ``ContainerRuntime/graceSeconds`` plus a margin, kills the CLI too (the caller's final `rm -f` removes
    /// whatever it created).
    private func removeUntilExited(_ name: String, execution: Task<Int32, any Error>, state: AttachedState) async {
        let watcher = Task { _ = await execution.result }
        let deadline = ContinuousClock.now + .seconds(ContainerRuntime.graceSeconds + 5)
        while ContinuousClock.now < deadline {
            await remove(name)
            if state.hasExited { break }
            try? await Task.sleep(for: .milliseconds(100))
        }
        if !state.hasExited, let pid = state.processID { _ = kill(pid, SIGKILL) }
        await watcher.value
    }

    /// After `timeout`, marks the node timed out and stops its container (SIGTERM, SIGKILL after the grace); when
    /// the container still does not exist after the grace, kills the CLI instead (the final `rm -f` removes
    /// whatever it created).
    private func expire(after timeout: Duration, name: String, state: AttachedState) async {
        do {
            try await Task.sleep(for: timeout)
        } catch {
            return
        }
        state.markTimedOut()
        let arguments = ContainerCommand.stopArguments(
            profile: profile, name: name, graceSeconds: ContainerRuntime.graceSeconds)
        // The container may not exist yet (a slow pull or create): retry for the grace period, then kill the CLI.
        let deadline = ContinuousClock.now + .seconds(ContainerRuntime.graceSeconds)
        while true {
            let stopped = try? await call(arguments)
            if stopped?.exitCode == 0 || Task.isCancelled { return }
            if ContinuousClock.now >= deadline { break }
            do { try await Task.sleep(for: .milliseconds(200)) } catch { return }
        }
        if let pid = state.processID { _ = kill(pid, SIGKILL) }
    }

    // MARK: - Environment and logs

    /// The engine's environment, plus the profile's variables, plus the node's values passed with `-e NAME`.
    private func cliEnvironment(_ values: [String: String]) -> Environment {
        var updates: [Environment.Key: String?] = [:]
        for (name, value) in profile.environment.merging(values, uniquingKeysWith: { profile, _ in profile }) {
            if let key = Environment.Key(rawValue: name) { updates[key] = value }
        }
        return .inherit.updating(updates)
    }

    // MARK: - Reading the CLI's messages

    /// `sha256:<hex>` for Podman's bare hex IDs; Docker's IDs already carry the prefix.
    static func normalizedImageID(_ id: String) -> String {
        let trimmed = id.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.count == 64, trimmed.allSatisfy(\.isHexDigit) { return "sha256:" + trimmed }
        return trimmed
    }

    /// The CLI's error line: the last non-empty line that is not a usage hint.
    static func lastLine(_ text: String) -> String {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("Run '") && !$0.hasPrefix("See '") }
        return lines.last ?? "(no message)"
    }

    /// Names the problem behind a failed CLI call from its message.
    static func classify(_ text: String, subcommand: String, exitCode: Int32, policy: PullPolicy) -> ContainerProblem {
        let line = lastLine(text)
        let lower = text.lowercased()
        if lower.contains("cannot connect to the docker daemon") || lower.contains("is the docker daemon running")
            || lower.contains("unable to connect to podman")
            || (lower.contains(".sock") && (lower.contains("connection refused") || lower.contains("no such file")))
        {
            return .daemonUnreachable(detail: line)
        }
        if lower.contains("permission denied") { return .permissionDenied(detail: line) }
        if policy == .never,
            lower.contains("image not known") || lower.contains("no such image")
                || lower.contains("unable to find image")
        {
            return .imageMissing(policy: policy)
        }
        let pullMarkers = [
            "pinging container registry", "initializing source", "short-name", "dial tcp", "manifest unknown",
            "pull access denied", "reading manifest", "unable to pull", "requested access to the resource is denied",
            "error pulling image", "trying to pull",
        ]
        if pullMarkers.contains(where: lower.contains) { return .pullFailed(policy: policy, detail: line) }
        return .commandFailed(subcommand: subcommand, exitCode: exitCode, detail: line)
    }
}

/// The attached CLI's PID and whether the timeout fired, shared between the run and the timeout task.
private final class AttachedState: Sendable {
    private struct Value {
        var processID: pid_t?
        var timedOut = false
        var exited = false
    }

    private let value = Mutex(Value())

    var processID: pid_t? { value.withLock { $0.processID } }
    var timedOut: Bool { value.withLock { $0.timedOut } }

    func started(_ pid: pid_t) { value.withLock { $0.processID = pid } }
    func markTimedOut() { value.withLock { $0.timedOut = true } }
    /// Whether the CLI process has exited (set when its run returns).
    var hasExited: Bool { value.withLock { $0.exited } }
    func markExited() { value.withLock { $0.exited = true } }
}

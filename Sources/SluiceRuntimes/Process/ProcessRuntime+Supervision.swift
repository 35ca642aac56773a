import Foundation
import Subprocess
import Synchronization
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

extension ProcessRuntime {
    /// How long a process group may take to exit after SIGTERM before it gets SIGKILL.
    static let gracePeriod: Duration = .seconds(2)

    /// Spawns `launch` in a new session with the node's logs and environment, enforces the timeout, and kills
    /// the whole process group once the leader has exited.
    func supervise(_ launch: Launch, for invocation: NodeInvocation) async throws(RuntimeError) -> NodeOutcome {
        let node = invocation.nodeName
        let logs = try invocation.openLogPipes()
        defer { logs.finish() }
        let (standardOutput, standardError) = (logs.output, logs.error)

        var options = PlatformOptions()
        // setsid: own session and process group (pgid == leader pid), no controlling terminal.
        options.createSession = true
        // On cancellation the handler below sends SIGTERM (sparing bwrap); Subprocess then waits up to the grace
        // for the leader and SIGKILLs the group (signal 0 is a no-op step that sets the final kill to the group).
        options.teardownSequence = [
            .send(signal: Signal(rawValue: 0), toProcessGroup: true, allowedDurationToNextStep: Self.gracePeriod)
        ]
        let sparesLeader = isolation == .bubblewrap
        let leader = LeaderState()
        // Bubblewrap's PID namespace and --die-with-parent end a sandboxed node with the engine; an unisolated
        // node's group is killed by the reaper's watchdog instead.
        let watchesGroup = isolation == .none
        defer { if watchesGroup, let pid = leader.processID { OrphanReaper.shared.unwatch(pid) } }
        var environment: [Environment.Key: String] = [:]
        for (name, value) in invocation.environment {
            if let key = Environment.Key(rawValue: name) { environment[key] = value }
        }
        // bwrap always exports PWD after its chdir; set it in both modes so a node sees the same environment.
        environment["PWD"] = launch.nodeWorkingDirectory

        let startedAt = Date()
        let status: TerminationStatus
        do {
            status = try await withThrowingTaskGroup(of: Void.self) { tasks in
                if let timeout = invocation.timeout {
                    tasks.addTask { await Self.expire(after: timeout, leader: leader, sparesLeader: sparesLeader) }
                }
                defer { tasks.cancelAll() }
                let result = try await withTaskCancellationHandler {
                    try await Subprocess.run(
                        .path(FilePath(launch.executablePath)),
                        arguments: Arguments(launch.arguments),
                        environment: .custom(environment),
                        workingDirectory: launch.workingDirectory.map { FilePath($0) },
                        platformOptions: options,
                        input: .none,
                        output: .fileDescriptor(standardOutput, closeAfterSpawningProcess: true),
                        error: .fileDescriptor(standardError, closeAfterSpawningProcess: true)
                    ) { execution in
                        let pid = execution.processIdentifier.value
                        leader.started(pid)
                        if watchesGroup { OrphanReaper.shared.watch(pid) }
                        invocation.onSpawn?(.processGroup(Self.identity(ofLeader: pid)))
                    }
                } onCancel: {
                    if let pid = leader.processID { Self.terminate(group: pid, sparingLeader: sparesLeader) }
                }
                return result.terminationStatus
            }
        } catch let error as SubprocessError {
            if let pid = leader.processID {
                await Self.stopGroup(pid, graceUntil: .now + Self.gracePeriod, sparingLeader: sparesLeader)
            }
            if Task.isCancelled { throw .cancelled(node: node) }
            throw Self.runtimeError(for: error, launch: launch, invocation: invocation)
        } catch {
            if let pid = leader.processID {
                await Self.stopGroup(pid, graceUntil: .now + Self.gracePeriod, sparingLeader: sparesLeader)
            }
            throw .cancelled(node: node)
        }

        let cancelled = Task.isCancelled
        let pid = leader.processID ?? 0
        if pid > 0 {
            let deadline = leader.killDeadline ?? (cancelled ? .now + Self.gracePeriod : nil)
            await Self.stopGroup(pid, graceUntil: deadline, sparingLeader: sparesLeader)
        }
        let finishedAt = Date()
        if cancelled && !leader.timedOut { throw .cancelled(node: node) }

        if let failure = logs.finish() {
            throw .logFileUnwritable(node: node, path: failure.path, reason: failure.reason)
        }
        var termination: NodeOutcome.Termination
        switch status {
        case .exited(let code): termination = .exited(code)
        case .signaled(let signal): termination = .signaled(signal)
        }
        if isolation == .bubblewrap {
            if termination == .exited(1), let line = HostFiles.bubblewrapFailureLine(in: invocation.stderrPath) {
                throw .bubblewrapFailed(node: node, message: line)
            }
            // bwrap reports a command killed by signal N as exit code 128 + N.
            if case .exited(let code) = termination, (129...192).contains(code) { termination = .signaled(code - 128) }
        }
        return NodeOutcome(
            termination: termination,
            timedOut: leader.timedOut,
            processID: pid,
            startedAt: startedAt,
            finishedAt: finishedAt
        )
    }

    // MARK: - Process group

    /// Waits `timeout`, marks the node timed out, sends SIGTERM to its group and SIGKILL once the grace period
    /// passed; returns early when cancelled (the leader exited first, and `stopGroup` takes over).
    static func expire(after timeout: Duration, leader: LeaderState, sparesLeader: Bool) async {
        do {
            try await Task.sleep(for: timeout)
            // The spawn may not have reported the PID yet when the timeout is tiny.
            while leader.processID == nil { try await Task.sleep(for: .milliseconds(5)) }
        } catch {
            return
        }
        let deadline = ContinuousClock.now + gracePeriod
        guard let pid = leader.markTimedOut(killDeadline: deadline) else { return }
        terminate(group: pid, sparingLeader: sparesLeader)
        while ContinuousClock.now < deadline {
            if isGroupGone(pid) { return }
            do { try await Task.sleep(for: .milliseconds(20)) } catch { return }
        }
        _ = kill(-pid, SIGKILL)
    }

    /// Kills what is left of the group `pgid`: at once when `deadline` is `nil`, else SIGTERM, then SIGKILL once
    /// the group is empty or `deadline` passed.
    ///
    /// The wait runs in its own task so that it still happens when the caller's task is cancelled.
    private static func stopGroup(
        _ pgid: pid_t,
        graceUntil deadline: ContinuousClock.Instant?,
        sparingLeader: Bool
    ) async {
        if let deadline {
            terminate(group: pgid, sparingLeader: sparingLeader)
            let grace = Task {
                while ContinuousClock.now < deadline {
                    if isGroupGone(pgid) { return }
                    try? await Task.sleep(for: .milliseconds(20))
                }
            }
            await grace.value
        }
        _ = kill(-pgid, SIGKILL)
    }

    /// Sends SIGTERM to the group `pgid`, or, when `sparingLeader`, to every member but the leader.
    ///
    /// Under bubblewrap the leader is the outer `bwrap`: SIGTERM would kill it at once, and `--die-with-parent`
    /// would then SIGKILL the command without its grace period. The command and its children get SIGTERM; bwrap's
    /// PID 1 in the sandbox ignores it and exits when the command does.
    static func terminate(group pgid: pid_t, sparingLeader: Bool) {
        guard sparingLeader else {
            _ = kill(-pgid, SIGTERM)
            return
        }
        for member in members(ofGroup: pgid) where member != pgid {
            _ = kill(member, SIGTERM)
        }
    }

    /// The PIDs whose process group is `pgid`, read from `/proc/<pid>/stat`.
    static func members(ofGroup pgid: pid_t) -> [pid_t] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { entry in
            guard let pid = pid_t(entry), ProcessStat.read(pid)?.processGroup == pgid else { return nil }
            return pid
        }
    }

    /// The leader as ``NodeInvocation/onSpawn`` reports it: pid, start time (read even from a zombie) and host.
    static func identity(ofLeader pid: pid_t) -> ProcessIdentity {
        ProcessIdentity(processID: pid, startTime: ProcessStat.read(pid)?.startTime, host: ProcessIdentity.hostName)
    }

    /// Kills the process group a dead engine's node left, with SIGKILL.
    ///
    /// The group is the recorded one when its leader still runs with the recorded start time, or when the leader
    /// is gone but members remain (Linux never gives a pid that is still a process group's id to a new process);
    /// a leader with another start time is an unrelated process that reuses the pid, and is left alone.
    /// - Returns: whether some member of the group was found and killed.
    package static func killLeftoverGroup(of leader: ProcessIdentity) -> Bool {
        guard leader.host == ProcessIdentity.hostName, leader.processID > 1 else { return false }
        let pgid = leader.processID
        if let current = ProcessStat.read(pgid), let recorded = leader.startTime, current.startTime != recorded {
            return false
        }
        guard !members(ofGroup: pgid).isEmpty else { return false }
        return kill(-pgid, SIGKILL) == 0
    }

    /// Whether no process (not even an unreaped zombie) is left in the group `pgid`.
    private static func isGroupGone(_ pgid: pid_t) -> Bool {
        kill(-pgid, 0) != 0 && errno == ESRCH
    }

    /// Turns a spawn failure into the runtime's error, keeping the errno text.
    private static func runtimeError(
        for error: SubprocessError,
        launch: Launch,
        invocation: NodeInvocation
    ) -> RuntimeError {
        if error.code == .executableNotFound {
            return .executableNotFound(
                node: invocation.nodeName,
                executable: launch.executablePath,
                searchPath: invocation.environment["PATH"]
            )
        }
        let reason = error.underlyingError.map { HostFiles.errorText($0.rawValue) } ?? error.description
        return .launchFailed(node: invocation.nodeName, executable: launch.executablePath, reason: reason)
    }
}

/// The leader's PID and whether the timeout fired, shared between the spawn and the timeout task.
final class LeaderState: Sendable {
    private struct Value {
        var processID: pid_t?
        var killDeadline: ContinuousClock.Instant?
    }

    private let value = Mutex(Value())

    var processID: pid_t? { value.withLock { $0.processID } }
    var timedOut: Bool { killDeadline != nil }
    /// When the timed-out group gets SIGKILL; `nil` while the timeout has not fired.
    var killDeadline: ContinuousClock.Instant? { value.withLock { $0.killDeadline } }

    func started(_ pid: pid_t) {
        value.withLock { $0.processID = pid }
    }

    /// Records the timeout and when the group gets SIGKILL; returns the PID to signal.
    func markTimedOut(killDeadline: ContinuousClock.Instant) -> pid_t? {
        value.withLock { state in
            state.killDeadline = killDeadline
            return state.processID
        }
    }
}

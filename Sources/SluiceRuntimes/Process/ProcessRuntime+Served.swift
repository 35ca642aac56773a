import Foundation
import Synchronization
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

extension ProcessRuntime {
    /// Runs a sandboxed node through the engine's ``SandboxServer``, with the same rules as ``supervise(_:for:)``:
    /// the node's logs and environment (plus `PWD`), its own process group (led by its PID 1, in the server's
    /// session, which has no terminal), the timeout (SIGTERM to the group, SIGKILL after the grace period),
    /// cancellation (the same), the launcher's failures as ``RuntimeError/bubblewrapFailed(node:message:)``.
    ///
    /// - Returns: `nil` when the server did not take the node (a request too large for its socket, or the server
    ///   is gone): nothing ran, and the caller starts it another way.
    func supervise(
        through server: SandboxServer, arguments: [String], nodeWorkingDirectory: String, saveDirectory: Int32?,
        for invocation: NodeInvocation
    ) async throws(RuntimeError) -> NodeOutcome? {
        let node = invocation.nodeName
        var environment = invocation.environment
        environment["PWD"] = nodeWorkingDirectory
        // As Subprocess does: a name that cannot be a variable's is left out.
        let variables = environment.compactMap { name, value in
            name.isEmpty || name.contains("=") || name.utf8.contains(0) ? nil : name + "=" + value
        }
        // `saveDirectory`: where the launcher copies the files it saves out of a tmpfs (`--save`), the node's
        // directory or the nearest existing one above it.
        defer { if let saveDirectory { Glibc.close(saveDirectory) } }
        let logs = try invocation.openLogPipes()
        defer { logs.finish() }
        let startedAt = Date()
        let started = await server.start(
            arguments: arguments, environment: variables, output: logs.output.rawValue,
            error: logs.error.rawValue, nodeDirectory: saveDirectory)
        try? logs.output.close()
        try? logs.error.close()
        guard case .success(let (id, pid)) = started else { return nil }
        let leader = LeaderState()
        leader.started(pid)
        // No `onSpawn`: a served node cannot outlive the engine (the server kills its nodes when the engine's end of
        // the socket closes), so there is nothing for a resume to kill, and nothing to record.

        // The node's PID 1 ignores SIGTERM (a namespace's init without a handler), so the whole group gets it.
        let ended = EndedFlag()
        let status = await withTaskGroup(of: Void.self) { tasks in
            if let timeout = invocation.timeout {
                tasks.addTask { await Self.expire(after: timeout, leader: leader, sparesLeader: false) }
            }
            defer { tasks.cancelAll() }
            return await withTaskCancellationHandler {
                await server.end(of: id)
            } onCancel: {
                _ = kill(-pid, SIGTERM)
                Task {
                    try? await Task.sleep(for: Self.gracePeriod)
                    if !ended.isSet { _ = kill(-pid, SIGKILL) }
                }
            }
        }
        ended.set()
        let finishedAt = Date()
        if Task.isCancelled && !leader.timedOut { throw .cancelled(node: node) }
        guard let status else {
            throw .launchFailed(
                node: node, executable: launcher.path ?? "sluice-sandbox", reason: "the sandbox server stopped")
        }
        if let failure = logs.finish() {
            throw .logFileUnwritable(node: node, path: failure.path, reason: failure.reason)
        }
        var termination: NodeOutcome.Termination =
            status & 0x7f == 0 ? .exited((status >> 8) & 0xff) : .signaled(status & 0x7f)
        if termination == .exited(1), let line = HostFiles.bubblewrapFailureLine(in: invocation.stderrPath) {
            throw .bubblewrapFailed(node: node, message: line)
        }
        // The launcher reports a command killed by signal N as exit code 128 + N.
        if case .exited(let code) = termination, (129...192).contains(code) { termination = .signaled(code - 128) }
        return NodeOutcome(
            termination: termination, timedOut: leader.timedOut, processID: pid, startedAt: startedAt,
            finishedAt: finishedAt)
    }
}

/// Whether a served node ended, so that a late SIGKILL for its group is not sent to a reused process group id.
private final class EndedFlag: Sendable {
    private let value = Mutex(false)
    var isSet: Bool { value.withLock { $0 } }
    func set() { value.withLock { $0 = true } }
}

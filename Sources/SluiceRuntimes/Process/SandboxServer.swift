import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The engine's long-lived sandbox launcher, `sluice-sandbox --serve`: one process per engine that prepares the
/// read-only view of the host once and forks each node from it (see `Sources/sluice-sandbox/server.c`).
///
/// A node run through it gets the same sandbox as one run through the per-node launcher (``SandboxLauncher``), for
/// about half the launcher's CPU, and the engine no longer forks: it sends the launcher's arguments, the node's
/// environment and its two log descriptors over a `SOCK_SEQPACKET` socket and is told the node's PID (PID 1 of the
/// node's namespace, leader of its own process group, in the server's session, which has no terminal) and, later,
/// its wait status. A thread of the engine reads the replies. The server dies with the engine: when the engine's
/// end of the socket closes (the engine exits or is killed, even with SIGKILL) the server kills every running node
/// and exits, and each node's PID 1 gets SIGKILL should the server die first.
///
/// `SLUICE_SANDBOX_SERVER=0` turns it off (every node through the per-node launcher).
package final class SandboxServer: Sendable {
    /// The environment variable that turns the server off with `0`.
    static let environmentVariable = "SLUICE_SANDBOX_SERVER"

    /// The server of this process, started on first use; `nil` when the launcher is not available or the server
    /// failed to start (the per-node launcher is used then).
    static let shared: SandboxServer? = {
        guard ProcessInfo.processInfo.environment[environmentVariable] != "0",
            let launcher = SandboxLauncher.current.path
        else { return nil }
        return try? SandboxServer(launcher: launcher)
    }()

    /// The server's process.
    package let processID: Int32
    private let socket: Int32
    private let state = Mutex(State())

    private struct State {
        var nextID: UInt64 = 1
        var starting: [UInt64: CheckedContinuation<Result<pid_t, Refusal>, Never>] = [:]
        var ending: [UInt64: CheckedContinuation<Int32?, Never>] = [:]
        /// Wait statuses that arrived before anyone waited for them.
        var ended: [UInt64: Int32] = [:]
        var isClosed = false
    }

    /// Why the server did not start a node: an errno.
    struct Refusal: Error {
        var code: Int32
    }

    private struct Reply {
        var id: UInt64
        var kind: Int32
        var value: Int32
    }

    private static let started: Int32 = 1
    private static let endedKind: Int32 = 2
    private static let refused: Int32 = 3

    /// Starts a server from the launcher at `launcher` and checks that it runs a node (`/bin/true`).
    ///
    /// - Throws: ``RuntimeError/launchFailed(node:executable:reason:)`` when it cannot be started or fails that
    ///   first node.
    package init(launcher: String) throws(RuntimeError) {
        let failure = { (reason: String) in
            RuntimeError.launchFailed(node: "(sandbox server)", executable: launcher, reason: reason)
        }
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            throw failure("socketpair: \(HostFiles.errorText(errno))")
        }
        var bufferSize: Int32 = 1 << 20
        _ = setsockopt(pair[0], SOL_SOCKET, SO_SNDBUF, &bufferSize, socklen_t(MemoryLayout<Int32>.size))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, pair[1], 3)
        let argv = [strdup(launcher), strdup("--serve"), nil]
        defer { argv.forEach { free($0) } }
        let envp: [UnsafeMutablePointer<CChar>?] = [nil]
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, launcher, &actions, nil, argv, envp)
        Glibc.close(pair[1])
        guard spawned == 0 else {
            Glibc.close(pair[0])
            throw failure(HostFiles.errorText(spawned))
        }
        processID = pid
        socket = pair[0]
        // The first node, answered before the reader starts: a server that cannot make a sandbox is not used.
        let trueCommand =
            ["/usr/bin/true", "/bin/true"].first(where: ExecutableLocator.isExecutableFile) ?? "/bin/true"
        let probe = Self.request(id: 0, arguments: ["--chdir", "/", "--", trueCommand], environment: [])
        let null = open("/dev/null", O_WRONLY | O_CLOEXEC)
        defer { Glibc.close(null) }
        let sent = Self.send(probe, descriptors: [null, null], on: socket)
        let first = sent == 0 ? Self.receive(from: socket) : nil
        let second = first?.kind == Self.started ? Self.receive(from: socket) : nil
        guard let second, second.kind == Self.endedKind, second.value == 0 else {
            Glibc.close(socket)
            kill(pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            throw failure(sent != 0 ? HostFiles.errorText(sent) : "the server failed its first node")
        }
        Thread.detachNewThread { [self] in readReplies() }
    }

    /// Starts a node: `arguments` are the per-node launcher's (``SandboxLauncher/arguments(plan:executable:arguments:)``),
    /// `environment` its `NAME=value` strings; the server duplicates `output` and `error`, the caller closes them.
    ///
    /// - Returns: the request's id and the node's PID, or the errno that refused it (`EMSGSIZE` for a request too
    ///   large for the socket, `EPIPE` once the server is gone).
    func start(
        arguments: [String], environment: [String], output: Int32, error: Int32, nodeDirectory: Int32? = nil
    ) async -> Result<(id: UInt64, processID: pid_t), Refusal> {
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        let message = Self.request(id: id, arguments: arguments, environment: environment)
        let started = await withCheckedContinuation {
            (continuation: CheckedContinuation<Result<pid_t, Refusal>, Never>) in
            let isClosed = state.withLock { state in
                if !state.isClosed { state.starting[id] = continuation }
                return state.isClosed
            }
            if isClosed { return continuation.resume(returning: .failure(Refusal(code: EPIPE))) }
            let sent = Self.send(
                message, descriptors: [output, error] + (nodeDirectory.map { [$0] } ?? []), on: socket)
            if sent != 0, let waiting = state.withLock({ $0.starting.removeValue(forKey: id) }) {
                waiting.resume(returning: .failure(Refusal(code: sent)))
            }
        }
        return started.map { (id, $0) }
    }

    /// The wait status of the node `id` (its PID 1) once it ended, or `nil` when the server stopped first.
    func end(of id: UInt64) async -> Int32? {
        await withCheckedContinuation { (continuation: CheckedContinuation<Int32?, Never>) in
            let known: Int32?? = state.withLock { state in
                if let status = state.ended.removeValue(forKey: id) { return .some(status) }
                if state.isClosed { return .some(nil) }
                state.ending[id] = continuation
                return nil
            }
            if let known { continuation.resume(returning: known) }
        }
    }

    /// Closes the engine's end of the socket, as the engine's death does: the server kills its nodes and exits.
    package func shutDown() {
        _ = shutdown(socket, Int32(SHUT_RDWR))
    }

    // MARK: - The socket

    private func readReplies() {
        while let reply = Self.receive(from: socket) {
            switch reply.kind {
            case Self.started, Self.refused:
                let waiting = state.withLock { $0.starting.removeValue(forKey: reply.id) }
                waiting?.resume(
                    returning: reply.kind == Self.started ? .success(reply.value) : .failure(Refusal(code: reply.value))
                )
            default:
                let waiting = state.withLock { state in
                    let waiting = state.ending.removeValue(forKey: reply.id)
                    if waiting == nil { state.ended[reply.id] = reply.value }
                    return waiting
                }
                waiting?.resume(returning: reply.value)
            }
        }
        let (starting, ending) = state.withLock { state in
            state.isClosed = true
            defer { (state.starting, state.ending) = ([:], [:]) }
            return (state.starting.values, state.ending.values)
        }
        starting.forEach { $0.resume(returning: .failure(Refusal(code: EPIPE))) }
        ending.forEach { $0.resume(returning: nil) }
        var status: Int32 = 0
        while waitpid(processID, &status, 0) < 0 && errno == EINTR {}
    }

    /// One reply, or `nil` once the server is gone.
    private static func receive(from socket: Int32) -> Reply? {
        var reply = Reply(id: 0, kind: 0, value: 0)
        while true {
            let count = withUnsafeMutableBytes(of: &reply) { recv(socket, $0.baseAddress, $0.count, 0) }
            if count == MemoryLayout<Reply>.size { return reply }
            if count < 0 && errno == EINTR { continue }
            return nil
        }
    }

    /// The request's bytes: id, argument and environment counts, then each string NUL-terminated.
    private static func request(id: UInt64, arguments: [String], environment: [String]) -> [UInt8] {
        var bytes: [UInt8] = []
        withUnsafeBytes(of: id.littleEndian) { bytes += $0 }
        withUnsafeBytes(of: UInt32(arguments.count).littleEndian) { bytes += $0 }
        withUnsafeBytes(of: UInt32(environment.count).littleEndian) { bytes += $0 }
        for string in arguments + environment {
            bytes += string.utf8
            bytes.append(0)
        }
        return bytes
    }

    /// Sends `message` with the descriptors (two or three); 0 or the errno.
    private static func send(_ message: [UInt8], descriptors: [Int32], on socket: Int32) -> Int32 {
        let headerSize = MemoryLayout<cmsghdr>.size
        let dataSize = descriptors.count * MemoryLayout<Int32>.size
        let controlSize = headerSize + dataSize
        // CMSG_SPACE: the buffer is padded to 8 bytes; cmsg_len is CMSG_LEN, unpadded.
        var control = [UInt8](repeating: 0, count: (controlSize + 7) & ~7)
        var message = message
        return message.withUnsafeMutableBytes { payload in
            control.withUnsafeMutableBytes { controlBytes in
                guard let base = controlBytes.baseAddress else { return EINVAL }
                let header = base.bindMemory(to: cmsghdr.self, capacity: 1)
                header.pointee.cmsg_len = controlSize
                header.pointee.cmsg_level = SOL_SOCKET
                header.pointee.cmsg_type = Int32(SCM_RIGHTS)
                for (index, descriptor) in descriptors.enumerated() {
                    base.storeBytes(of: descriptor, toByteOffset: headerSize + 4 * index, as: Int32.self)
                }
                var vector = iovec(iov_base: payload.baseAddress, iov_len: payload.count)
                return withUnsafeMutablePointer(to: &vector) { vectorPointer in
                    var header = msghdr()
                    header.msg_iov = vectorPointer
                    header.msg_iovlen = 1
                    header.msg_control = base
                    header.msg_controllen = controlBytes.count
                    while sendmsg(socket, &header, Int32(MSG_NOSIGNAL)) < 0 {
                        if errno != EINTR { return errno }
                    }
                    return 0
                }
            }
        }
    }
}

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs the user's command as the wrapper's child: stdout through a pipe the wrapper copies to its own stdout
/// (which Argo reads as `outputs.result`) while keeping its last bytes; stdin and stderr inherited.
enum ChildProcess {
    /// How the command ended and the tail of what it printed.
    struct Ended {
        /// The exit status (128 + signal number when killed by a signal, as a shell reports it).
        var status: Int32
        /// The last `tailLimit` + 1 bytes of stdout (one more than Argo keeps, so the trailing newline can be
        /// trimmed before the limit applies).
        var stdoutTail: [UInt8]
    }

    /// Runs `argv` (looked up on PATH) to its end.
    ///
    /// - Throws: ``KubeError/session(reason:)`` is not used here; a command that cannot start ends with status
    ///   127, as a shell reports it, with the reason on stderr.
    static func run(_ argv: [String], tailLimit: Int) -> Ended {
        var pipeDescriptors: [Int32] = [0, 0]
        guard pipe(&pipeDescriptors) == 0 else {
            FileHandle.standardError.write(Data("sluice wrap: pipe(): \(String(cString: strerror(errno)))\n".utf8))
            return Ended(status: 127, stdoutTail: [])
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipeDescriptors[1], 1)
        posix_spawn_file_actions_addclose(&actions, pipeDescriptors[0])
        posix_spawn_file_actions_addclose(&actions, pipeDescriptors[1])
        let cArguments = argv.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, argv[0], &actions, nil, cArguments, environ)
        close(pipeDescriptors[1])
        guard spawned == 0 else {
            close(pipeDescriptors[0])
            FileHandle.standardError.write(
                Data(
                    "sluice wrap: cannot run '\(argv[0])': \(String(cString: strerror(spawned)))\n".utf8))
            return Ended(status: 127, stdoutTail: [])
        }
        let tail = relay(from: pipeDescriptors[0], keeping: tailLimit + 1)
        close(pipeDescriptors[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exited = status & 0x7f == 0
        return Ended(status: exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), stdoutTail: tail)
    }

    /// Copies everything from `descriptor` to stdout until end of file; returns the last `limit` bytes.
    private static func relay(from descriptor: Int32, keeping limit: Int) -> [UInt8] {
        var tail: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            var offset = 0
            while offset < count {
                let written = chunk.withUnsafeBytes { buffer in
                    guard let base = buffer.baseAddress else { return -1 }
                    return write(1, base + offset, count - offset)
                }
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { break }  // stdout closed: keep measuring what the command printed
                offset += written
            }
            tail += chunk[..<count]
            if tail.count > 2 * limit { tail.removeFirst(tail.count - limit) }
        }
        return Array(tail.suffix(limit))
    }

    /// Kills every process left under this one (SIGKILL) and reaps it, until none is left: the command's children
    /// first, then, as each dies, its orphans (reparented here, since the wrapper is a child subreaper). Gives up
    /// after 100 rounds (a process forking as fast as it is killed).
    static func killDescendants() {
        let me = getpid()
        for _ in 0..<100 {
            let children = childProcesses(of: me)
            var status: Int32 = 0
            guard !children.isEmpty else {
                while waitpid(-1, &status, WNOHANG) > 0 {}
                return
            }
            for child in children { kill(child, SIGKILL) }
            for child in children { while waitpid(child, &status, 0) < 0 && errno == EINTR {} }
        }
    }

    /// The processes whose parent is `parent`, read from `/proc/PID/stat` (its fourth field, after the command
    /// name in parentheses, which may itself hold spaces and parentheses).
    private static func childProcesses(of parent: pid_t) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> pid_t? in
            guard let pid = pid_t(entry), pid != parent,
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 1, pid_t(fields[1]) == parent else { return nil }
            return pid
        }
    }
}

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Whether `bwrap` works on this host, decided once per process by running a trivial command through it.
///
/// `bwrap` is looked up in the engine's own `PATH` (then `/usr/bin`, `/bin`); the probe runs
/// `bwrap --unshare-pid --dev /dev --proc /proc --ro-bind / / --tmpfs /tmp -- true`, which fails where user
/// namespaces are disabled (many containers, some hardened kernels).
enum BubblewrapProbe: Sendable, Equatable {
    case available(bwrapPath: String)
    case unavailable(reason: String)

    /// The result for this process, computed on first use (a blocking spawn of a few milliseconds).
    static let current: BubblewrapProbe = probe()

    var isolation: Isolation {
        if case .available = self { return .bubblewrap }
        return .none
    }

    private static func probe() -> BubblewrapProbe {
        let hostPath = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = hostPath.split(separator: ":").map(String.init) + ["/usr/bin", "/bin"]
        guard let bwrap = directories.map({ $0 + "/bwrap" }).first(where: ExecutableLocator.isExecutableFile) else {
            return .unavailable(reason: "no 'bwrap' executable in PATH '\(hostPath)' or /usr/bin")
        }
        let arguments = [
            bwrap, "--unshare-pid", "--dev", "/dev", "--proc", "/proc", "--ro-bind", "/", "/", "--tmpfs", "/tmp",
            "--", "true",
        ]
        switch spawnAndWait(arguments, environment: ["PATH=/usr/bin:/bin"]) {
        case .success(let (status, errorText)):
            if status == 0 { return .available(bwrapPath: bwrap) }
            let detail = errorText.isEmpty ? "" : ": \(errorText)"
            return .unavailable(reason: "'\(bwrap)' failed its probe with wait status \(status)\(detail)")
        case .failure(let reason):
            return .unavailable(reason: "could not run '\(bwrap)': \(reason.text)")
        }
    }

    struct SpawnFailure: Error { var text: String }

    /// Runs `arguments` with `posix_spawn`, stdout to /dev/null, stderr captured; returns the wait status.
    private static func spawnAndWait(
        _ arguments: [String],
        environment: [String]
    ) -> Result<(Int32, String), SpawnFailure> {
        var pipeEnds: [Int32] = [-1, -1]
        guard pipe(&pipeEnds) == 0 else { return .failure(SpawnFailure(text: HostFiles.errorText(errno))) }
        for end in pipeEnds { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        defer { close(pipeEnds[0]) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 2)
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let spawnResult = posix_spawn(&pid, arguments[0], &actions, nil, argv, envp)
        close(pipeEnds[1])
        guard spawnResult == 0 else { return .failure(SpawnFailure(text: HostFiles.errorText(spawnResult))) }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(pipeEnds[0], &buffer, buffer.count)
            if count > 0 { output += buffer[0..<count]; continue }
            if count < 0 && errno == EINTR { continue }
            break
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return .success((status, text))
    }
}

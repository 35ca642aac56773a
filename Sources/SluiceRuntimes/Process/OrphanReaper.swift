import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Kills the process groups of unisolated nodes when the engine dies, however it dies (even SIGKILL).
///
/// Under ``Isolation/none`` a node is a plain process group of the engine: killing the engine leaves it running
/// (bubblewrap's `--die-with-parent` and PID namespace cover the sandboxed case). The first time a group is
/// watched, the reaper starts one small `/bin/sh` watchdog in its own session, whose standard input is a pipe
/// that only the engine holds open (close-on-exec, so no node inherits it). The engine writes `+ PGID` when a
/// group starts and `- PGID` once it is gone; when the pipe reaches end of file (the engine has exited, or was
/// killed), the watchdog sends SIGKILL to every group still listed and exits. One watchdog per engine process.
final class OrphanReaper: Sendable {
    /// The reaper of this engine process.
    static let shared = OrphanReaper()

    private struct State {
        /// The write end of the pipe to the watchdog; nil until started.
        var pipe: Int32?
        /// Set when the watchdog could not be started; then nothing is tried again.
        var failed = false
    }

    private let state = Mutex(State())

    /// The watchdog's script: keeps the list of groups, kills those left at end of input (dash's `kill` takes no
    /// `--`: `-PGID` after the signal names a group).
    static let script = """
        groups=' '
        while read -r op pgid; do
          case "$pgid" in ''|*[!0-9]*) continue ;; esac
          case "$op" in
            +) groups="$groups$pgid " ;;
            -) case "$groups" in *" $pgid "*) groups="${groups%% $pgid *} ${groups#* $pgid }" ;; esac ;;
          esac
        done
        for pgid in $groups; do kill -9 "-$pgid" 2>/dev/null; done
        """

    /// Adds "close every descriptor from 3 up" to `actions` (glibc 2.34's `posix_spawn_file_actions_addclosefrom_np`,
    /// looked up at run time since Swift does not see it); false when this C library lacks it.
    private static func closeDescriptorsFrom3(_ actions: inout posix_spawn_file_actions_t) -> Bool {
        typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return false }
        let addCloseFrom = unsafeBitCast(symbol, to: AddCloseFrom.self)
        return addCloseFrom(&actions, 3) == 0
    }

    /// glibc's `POSIX_SPAWN_SETSID` (not exported to Swift).
    private static let spawnSetSID: Int16 = 0x80

    /// Adds a group to kill if the engine dies.
    func watch(_ pgid: pid_t) {
        send("+ \(pgid)\n", starting: true)
    }

    /// Removes a group that has ended.
    func unwatch(_ pgid: pid_t) {
        send("- \(pgid)\n", starting: false)
    }

    private func send(_ line: String, starting: Bool) {
        state.withLock { state in
            if state.pipe == nil && starting && !state.failed {
                state.pipe = Self.startWatchdog()
                state.failed = state.pipe == nil
            }
            guard let pipe = state.pipe else { return }
            // Lines are far below PIPE_BUF, so each write is atomic; the watchdog reads them as they come.
            _ = line.utf8CString.withUnsafeBufferPointer { buffer in
                write(pipe, buffer.baseAddress, buffer.count - 1)
            }
        }
    }

    /// Starts the watchdog and returns the pipe's write end, or nil when it cannot be started.
    private static func startWatchdog() -> Int32? {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { return nil }
        let (readEnd, writeEnd) = (ends[0], ends[1])
        // Not atomic (pipe2 is not exported to Swift), but nodes are spawned closing every descriptor above 2.
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writeEnd, F_SETFD, FD_CLOEXEC)
        defer { close(readEnd) }
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        posix_spawn_file_actions_adddup2(&actions, readEnd, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        // The watchdog outlives everything the engine runs: it must hold no other descriptor of the engine (a pipe
        // whose reader waits for end of file would wait as long as the watchdog lives).
        guard Self.closeDescriptorsFrom3(&actions) else {
            close(writeEnd)
            return nil
        }
        // Own session: a Ctrl-C at the terminal reaches the engine, not the watchdog.
        posix_spawnattr_setflags(&attributes, Self.spawnSetSID)
        let argv = ["/bin/sh", "-c", script, "sluice-orphan-reaper"]
        var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for argument in cArguments { free(argument) } }
        var environment: [UnsafeMutablePointer<CChar>?] = [strdup("PATH=/usr/bin:/bin"), nil]
        defer { for variable in environment { free(variable) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, "/bin/sh", &actions, &attributes, &cArguments, &environment) == 0 else {
            close(writeEnd)
            return nil
        }
        return writeEnd
    }
}

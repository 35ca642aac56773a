package import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a program to its end with `posix_spawn` and `waitpid`, for tests that drive the `sluice` binary.
///
/// Foundation's `Process` has crashed here (a bad pointer in `Process.run()`) when many tests spawn and wait at
/// once; `posix_spawn` is thread-safe, and waiting on the child's own pid cannot take another child's status.
package enum HostProcess {
    /// Runs `executable` with `arguments` and exactly `environment`, in `directory`, stdin from /dev/null and stdout
    /// and stderr appended to the given files; returns the exit status (128 + N for a signal N), or throws when the
    /// program cannot be started.
    package static func run(
        _ executable: String, arguments: [String], environment: [String: String], directory: String,
        stdoutPath: String, stderrPath: String
    ) throws -> Int32 {
        let pid = try start(
            executable, arguments: arguments, environment: environment, directory: directory, stdoutPath: stdoutPath,
            stderrPath: stderrPath)
        return wait(pid)
    }

    /// Starts `executable` as ``run(_:arguments:environment:directory:stdoutPath:stderrPath:)`` does, without
    /// waiting; returns its pid, for ``wait(_:)``.
    package static func start(
        _ executable: String, arguments: [String], environment: [String: String], directory: String,
        stdoutPath: String, stderrPath: String
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        // posix_spawn has no portable chdir action: a shell changes directory, then execs the program.
        let command = ["/bin/sh", "-c", #"cd "$0" && exec "$@""#, directory, executable] + arguments
        let argv = command.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, nil, argv, envp)
        guard spawned == 0 else {
            throw CocoaError(
                .executableLoad,
                userInfo: [
                    NSLocalizedDescriptionKey: "cannot start \(executable): \(String(cString: strerror(spawned)))"
                ])
        }
        return pid
    }

    /// Waits for a child as ``wait(_:)`` does, without holding a thread: polls every 20 ms and sleeps in between,
    /// so that tests waiting for long-running children do not starve the cooperative thread pool.
    package static func exit(of pid: pid_t) async -> Int32 {
        var status: Int32 = 0
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { break }
            if reaped < 0 && errno != EINTR { return -1 }
            try? await Task.sleep(for: .milliseconds(20))
        }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// Waits for a child started with ``start(_:arguments:environment:directory:stdoutPath:stderrPath:)`` and
    /// returns its exit status (128 + N for a signal N), or -1 when it cannot be waited for.
    package static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { return -1 }
        }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}

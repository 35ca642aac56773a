import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension HostProcess {
    /// How a bounded run ended.
    package struct BoundedResult: Sendable {
        /// The exit status, 128 + N for a signal N.
        package var status: Int32
        /// Whether the process died of a signal it did not ask for (a crash: SIGSEGV, SIGILL, SIGABRT, ...).
        package var crashed: Bool
        /// Whether it was killed for running past the time bound.
        package var timedOut: Bool
        /// Its peak resident memory, in KiB (`ru_maxrss`).
        package var peakKiB: Int
        /// How long it ran.
        package var seconds: Double

        package init(status: Int32, crashed: Bool, timedOut: Bool, peakKiB: Int, seconds: Double) {
            self.status = status
            self.crashed = crashed
            self.timedOut = timedOut
            self.peakKiB = peakKiB
            self.seconds = seconds
        }
    }

    /// Runs `executable` as ``run(_:arguments:environment:directory:stdoutPath:stderrPath:)`` does, killing it
    /// (SIGKILL) after `timeout`, and reports its peak memory and whether it crashed.
    ///
    /// The program is started by a small Python parent, which bounds its time and reads its peak memory
    /// (`RUSAGE_CHILDREN`): a process spawned straight from this one would count this process's own peak too (the
    /// kernel keeps the high-water mark of the memory a `posix_spawn` child shares until its exec, which is this
    /// process's, hundreds of MB while other tests run). This side polls with `WNOHANG` and sleeps between polls
    /// without blocking its thread, so that many bounded runs at once do not starve the cooperative thread pool.
    package static func runBounded(
        _ executable: String, arguments: [String], environment: [String: String], directory: String,
        stdoutPath: String, stderrPath: String, timeout: Duration
    ) async throws -> BoundedResult {
        let resultPath = NSTemporaryDirectory() + "/sluice-bounded-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: resultPath) }
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        let pid = try start(
            try python(), arguments: ["-c", boundingScript, resultPath, String(seconds), executable] + arguments,
            environment: environment, directory: directory, stdoutPath: stdoutPath, stderrPath: stderrPath)
        let started = ContinuousClock.now
        var status: Int32 = 0
        while true {
            let waited = waitpid(pid, &status, WNOHANG)
            if waited == pid { break }
            if waited < 0 && errno != EINTR {
                return BoundedResult(status: -1, crashed: false, timedOut: false, peakKiB: 0, seconds: 0)
            }
            // The parent bounds the program; this bounds the parent, should it hang.
            if ContinuousClock.now - started > timeout + .seconds(60) { kill(pid, SIGKILL) }
            try? await Task.sleep(for: .milliseconds(5))
        }
        let elapsed = ContinuousClock.now - started
        let fields = ((try? String(contentsOfFile: resultPath, encoding: .utf8)) ?? "").split(separator: " ")
        guard fields.count == 3, let code = Int32(fields[0]), let peak = Int(fields[2]) else {
            return BoundedResult(status: -1, crashed: false, timedOut: false, peakKiB: 0, seconds: 0)
        }
        let timedOut = fields[1] == "1"
        let signal = code < 0 ? -code : 0
        return BoundedResult(
            status: signal == 0 ? code : 128 + signal,
            crashed: signal != 0 && !timedOut && ![SIGTERM, SIGINT, SIGKILL].contains(signal),
            timedOut: timedOut, peakKiB: peak,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    /// Runs `argv[3:]` with the parent's descriptors and environment, killed (SIGKILL) after `argv[2]` seconds;
    /// writes `RETURNCODE TIMED_OUT PEAK_KIB` to `argv[1]` (a negative return code is the signal that ended it).
    private static let boundingScript = """
        import resource, subprocess, sys
        result, seconds, argv = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
        try:
            code, timed_out = subprocess.run(argv, timeout=seconds).returncode, 0
        except subprocess.TimeoutExpired:
            code, timed_out = -9, 1
        except OSError:
            code, timed_out = 127, 0
        with open(result, "w") as out:
            out.write(f"{code} {timed_out} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")
        """

    /// `python3` on this process's PATH.
    private static func python() throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":")
        where FileManager.default.isExecutableFile(
            atPath: directory + "/python3")
        {
            return directory + "/python3"
        }
        throw POSIXError(.ENOENT)
    }
}

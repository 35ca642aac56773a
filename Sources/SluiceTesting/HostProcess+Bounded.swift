package import Foundation

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
    /// It polls the child with `WNOHANG` and sleeps between polls without blocking its thread, so that many bounded
    /// runs at once do not starve the other tests of the cooperative thread pool.
    package static func runBounded(
        _ executable: String, arguments: [String], environment: [String: String], directory: String,
        stdoutPath: String, stderrPath: String, timeout: Duration
    ) async throws -> BoundedResult {
        let pid = try start(
            executable, arguments: arguments, environment: environment, directory: directory, stdoutPath: stdoutPath,
            stderrPath: stderrPath)
        let started = ContinuousClock.now
        var status: Int32 = 0
        var usage = rusage()
        var timedOut = false
        while true {
            let waited = wait4(pid, &status, WNOHANG, &usage)
            if waited == pid { break }
            if waited < 0 && errno != EINTR {
                return BoundedResult(
                    status: -1, crashed: false, timedOut: false,
                    peakKiB: 0, seconds: 0)
            }
            if !timedOut, ContinuousClock.now - started > timeout {
                timedOut = true
                kill(pid, SIGKILL)
            }
            try? await Task.sleep(for: .milliseconds(5))
        }
        let elapsed = ContinuousClock.now - started
        let signal = status & 0x7f
        return BoundedResult(
            status: signal == 0 ? (status >> 8) & 0xff : 128 + signal,
            crashed: signal != 0 && !timedOut && ![SIGTERM, SIGINT, SIGKILL].contains(signal),
            timedOut: timedOut, peakKiB: usage.ru_maxrss,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}

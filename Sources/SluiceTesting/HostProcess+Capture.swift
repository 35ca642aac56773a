package import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension HostProcess {
    /// Runs `argv` (its first word looked up on PATH) to its end in `directory` with the test process's environment
    /// plus `environment`, and returns its exit status (128 + N for a signal N) and its stdout and stderr combined;
    /// nil when it cannot start (status 127).
    ///
    /// Tests use this instead of Foundation's `Process`, whose `run()` has crashed here (a bad pointer in its
    /// `memcpy`) while other threads of the test process spawned programs or opened files.
    package static func capture(
        _ argv: [String], environment: [String: String] = [:], directory: String = NSTemporaryDirectory()
    ) -> (status: Int32, output: String)? {
        let outputPath = NSTemporaryDirectory() + "/sluice-capture-\(UUID().uuidString).out"
        defer { unlink(outputPath) }
        let merged = ProcessInfo.processInfo.environment.merging(environment) { _, own in own }
        guard
            let status = try? run(
                "/usr/bin/env", arguments: argv, environment: merged, directory: directory, stdoutPath: outputPath,
                stderrPath: outputPath),
            status != 127
        else { return nil }
        let data = FileManager.default.contents(atPath: outputPath) ?? Data()
        return (status, String(decoding: data, as: UTF8.self))
    }

    /// Starts `argv` (its first word looked up on PATH) in the background with exactly `environment`, in
    /// `directory`, its output discarded; returns its pid for ``wait(_:)`` or ``exit(of:)``.
    package static func background(
        _ argv: [String], environment: [String: String], directory: String = NSTemporaryDirectory()
    ) throws -> pid_t {
        try start(
            "/usr/bin/env", arguments: argv, environment: environment, directory: directory, stdoutPath: "/dev/null",
            stderrPath: "/dev/null")
    }
}

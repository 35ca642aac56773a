import Foundation
import SluiceRuntimes

/// Runs a host tool of the simulation (podman, tar) to its end through SluiceRuntimes' ``HostCommand``
/// (swift-subprocess), mapping its failures to ``KubeError``.
enum HostTool {
    /// How a tool ended.
    struct Ended: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
        /// Whether the deadline passed and the tool was stopped (`timeout` exits 124, or 137 once it had to kill).
        var timedOut = false

        /// The last non-empty line of stderr, for messages.
        var lastErrorLine: String {
            stderr.split(separator: "\n").last.map(String.init) ?? ""
        }
    }

    /// Exit status of coreutils' `timeout` when the deadline passed.
    static let timeoutStatus: Int32 = 124

    /// Output kept of each stream: a pod's logs hold its whole stdout (`outputs.result` keeps its last 256 KiB).
    static let outputLimit = 64 << 20

    /// Runs `argv` (its first element looked up on PATH) in `directory`, with this process's environment.
    ///
    /// With a `deadline`, the tool runs under coreutils' `timeout`, which stops it after that many seconds (and
    /// kills it 5 s later); ``Ended/timedOut`` then says so.
    ///
    /// - Throws: ``KubeError/simulation(reason:)`` when it cannot start or prints more than ``outputLimit`` bytes.
    static func run(_ argv: [String], in directory: String, deadline seconds: Int? = nil) async throws(KubeError)
        -> Ended
    {
        precondition(!argv.isEmpty, "a host tool needs a name")
        var command = argv
        if let seconds { command = ["timeout", "--kill-after=5", String(seconds)] + argv }
        do {
            // conmon writes files into the working directory of podman: keep them out of the user's.
            let output = try await HostCommand.run(
                command[0], Array(command.dropFirst()), in: directory, limit: outputLimit)
            return Ended(
                status: output.status, stdout: output.standardOutput, stderr: output.standardError,
                timedOut: seconds != nil && (output.status == timeoutStatus || output.status == 128 + SIGKILL))
        } catch {
            throw .simulation(reason: error.description)
        }
    }

    /// Runs `argv` and throws when it exits non-zero, naming what failed.
    @discardableResult
    static func check(_ argv: [String], in directory: String, doing: String) async throws(KubeError) -> Ended {
        let ended = try await run(argv, in: directory)
        guard ended.status == 0 else {
            throw .simulation(
                reason:
                    "\(doing): \(argv.prefix(3).joined(separator: " ")) exited \(ended.status): \(ended.lastErrorLine)")
        }
        return ended
    }
}

extension String {
    /// The path made absolute against the current directory (host tools run elsewhere).
    var absolutePath: String {
        hasPrefix("/") ? self : FileManager.default.currentDirectoryPath + "/" + self
    }
}

import Foundation

/// Runs a host command (podman, tar) to its end, its stdout and stderr captured through files (no pipe to fill).
enum HostCommand {
    /// How a command ended.
    struct Ended {
        var status: Int32
        var stdout: String
        var stderr: String
        /// Whether the deadline passed and the command was terminated.
        var timedOut = false

        /// The last non-empty line of stderr, for messages.
        var lastErrorLine: String {
            stderr.split(separator: "\n").last.map(String.init) ?? ""
        }
    }

    /// Runs `argv` (looked up on PATH) with `environment` added to this process's.
    ///
    /// - Throws: ``KubeError/simulation(reason:)`` when it cannot start.
    static func run(_ argv: [String], scratch: String, deadline seconds: Int? = nil) throws(KubeError) -> Ended {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = argv
        // conmon writes files into the working directory of podman: keep them out of the user's.
        process.currentDirectoryURL = URL(fileURLWithPath: scratch)
        let outPath = scratch + "/.stdout-\(UUID().uuidString)"
        let errPath = scratch + "/.stderr-\(UUID().uuidString)"
        defer {
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
        }
        do {
            _ = FileManager.default.createFile(atPath: outPath, contents: nil)
            _ = FileManager.default.createFile(atPath: errPath, contents: nil)
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
            process.standardInput = FileHandle.nullDevice
            try process.run()
        } catch {
            throw .simulation(reason: "cannot run \(argv.first ?? "?"): \(error.localizedDescription)")
        }
        var timedOut = false
        if let seconds {
            let start = Date()
            while process.isRunning {
                if Date().timeIntervalSince(start) > Double(seconds) {
                    process.terminate()
                    timedOut = true
                    break
                }
                usleep(100_000)
            }
        }
        process.waitUntilExit()
        let read = { (path: String) in
            String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
        }
        return Ended(
            status: process.terminationStatus, stdout: read(outPath), stderr: read(errPath), timedOut: timedOut)
    }

    /// Runs `argv` and throws when it exits non-zero, naming what failed.
    @discardableResult
    static func check(_ argv: [String], scratch: String, doing: String) throws(KubeError) -> Ended {
        let ended = try run(argv, scratch: scratch)
        guard ended.status == 0 else {
            throw .simulation(
                reason:
                    "\(doing): \(argv.prefix(3).joined(separator: " ")) exited \(ended.status): \(ended.lastErrorLine)")
        }
        return ended
    }
}

extension String {
    /// The path made absolute against the current directory (host commands run elsewhere).
    var absolutePath: String {
        hasPrefix("/") ? self : FileManager.default.currentDirectoryPath + "/" + self
    }
}

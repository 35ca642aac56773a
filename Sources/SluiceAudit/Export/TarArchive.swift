import Foundation
import SluiceEngine

/// Packs `.tar.gz` bundles with the system `tar` (GNU tar on Debian); ``BundleUnpacker`` reads them in-process.
///
/// Archives are reproducible: members sorted by name, owner and group 0, modification time 0.
enum TarArchive {
    /// Writes the contents of `directory` (not the directory itself) to the gzip-compressed archive `path`.
    static func create(_ path: String, from directory: String) throws(ExportError) {
        let arguments = [
            "--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@0", "--format=gnu",
            "-czf", path, "-C", directory, ".",
        ]
        if let problem = run(arguments) { throw .bundleWriteFailed(path: path, reason: problem) }
    }

    /// Runs `tar` and returns nil on success, else its last stderr line.
    private static func run(_ arguments: [String]) -> String? {
        let errorPath = NSTemporaryDirectory() + "/sluice-tar-\(UUID().uuidString).err"
        guard FileManager.default.createFile(atPath: errorPath, contents: nil),
            let errorHandle = FileHandle(forWritingAtPath: errorPath)
        else { return "cannot create a temporary file for tar's messages" }
        defer {
            try? errorHandle.close()
            try? FileManager.default.removeItem(atPath: errorPath)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable())
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errorHandle
        do {
            try ProcessLaunchLock.run(process)
        } catch {
            return "cannot start tar: \(error.localizedDescription)"
        }
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let text = (FileManager.default.contents(atPath: errorPath)).map { String(decoding: $0, as: UTF8.self) }
            let last = text?.split(separator: "\n").last.map(String.init) ?? ""
            return "tar exited with status \(process.terminationStatus)" + (last.isEmpty ? "" : ": \(last)")
        }
        return nil
    }

    private static func executable() -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":")
        where FileManager.default.isExecutableFile(atPath: "\(directory)/tar") {
            return "\(directory)/tar"
        }
        return "/bin/tar"
    }
}

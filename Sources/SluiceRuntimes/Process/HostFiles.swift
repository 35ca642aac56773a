import Foundation
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// Small host filesystem operations with errno text for messages.
package enum HostFiles {
    /// Creates or truncates `path` (mode 0666 less the umask, as Foundation) and writes `bytes`, without an fsync;
    /// returns the errno text on failure.
    ///
    /// For copies of what is durable elsewhere (a run directory's public files, rewritten by every engine that drives
    /// the run): Foundation's `Data.write(to:)` fsyncs every file, 1 to 20 ms each on a shared VM. Like the database
    /// (WAL, `synchronous = NORMAL`) they survive the process being killed, not a power loss.
    package static func writeUnsynced(_ bytes: [UInt8], to path: String) -> String? {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else { return errorText(errno) }
        defer { close(descriptor) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                buffer.baseAddress.map { Glibc.write(descriptor, $0 + offset, buffer.count - offset) } ?? -1
            }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return errorText(errno) }
            offset += written
        }
        return nil
    }

    /// The text of `code`, e.g. "Permission denied".
    static func errorText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    /// Creates `path` and its missing parents (mode 0755); returns the errno text on failure.
    static func makeDirectories(_ path: String) -> String? {
        var info = stat()
        if stat(path, &info) == 0 {
            return info.st_mode & S_IFMT == S_IFDIR ? nil : "it exists and is not a directory"
        }
        let parent = SandboxPath.parent(path)
        if parent != path, let failure = makeDirectories(parent) { return failure }
        if mkdir(path, 0o755) == 0 || errno == EEXIST { return nil }
        return errorText(errno)
    }

    /// Creates the directory `path` (mode 0700) and its missing parents (0700 too): one `mkdir` when its parent
    /// exists. Returns the errno text on failure; an existing `path` is left as it is.
    package static func makePrivateDirectory(_ path: String) -> String? {
        if mkdir(path, 0o700) == 0 || errno == EEXIST { return nil }
        guard errno == ENOENT else { return errorText(errno) }
        let parent = SandboxPath.parent(path)
        guard parent != path else { return errorText(ENOENT) }
        if let failure = makePrivateDirectory(parent) { return failure }
        if mkdir(path, 0o700) == 0 || errno == EEXIST { return nil }
        return errorText(errno)
    }

    /// `path` when it exists, else nil: a log file is only made once its node wrote something.
    package static func existingLog(_ path: String) -> String? {
        access(path, F_OK) == 0 ? path : nil
    }

    /// Removes the log file at `path` when it is empty.
    static func removeIfEmpty(_ path: String) {
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_size == 0 { unlink(path) }
    }

    /// Whether `path` exists (following symlinks).
    static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    /// Whether `path` is a directory (following symlinks).
    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    /// Opens `path` for writing, created 0600 and truncated, close-on-exec; returns the errno text on failure.
    static func openLog(_ path: String) -> Result<FileDescriptor, LogOpenFailure> {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return .failure(LogOpenFailure(text: errorText(errno))) }
        return .success(FileDescriptor(rawValue: descriptor))
    }

    /// A failed `open` of a log file.
    struct LogOpenFailure: Error { var text: String }

    /// Replaces `destination` with a copy of `source` (file or directory tree), creating parents.
    static func copyReplacing(_ source: String, to destination: String) -> String? {
        guard exists(source) else { return "its host source '\(source)' does not exist" }
        if let failure = makeDirectories(SandboxPath.parent(destination)) { return failure }
        let manager = FileManager.default
        do {
            if manager.fileExists(atPath: destination) { try manager.removeItem(atPath: destination) }
            try manager.copyItem(atPath: source, toPath: destination)
        } catch {
            return error.localizedDescription
        }
        return nil
    }

    /// The single line bubblewrap printed when it failed before running the command, if `path` holds only that.
    static func bubblewrapFailureLine(in path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0, info.st_size > 0, info.st_size < 4096,
            let data = FileManager.default.contents(atPath: path)
        else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("bwrap: ") || SandboxLauncher.isLauncherFailure(text), !text.contains("\n") else {
            return nil
        }
        return text
    }
}

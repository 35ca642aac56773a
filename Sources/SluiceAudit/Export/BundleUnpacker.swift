import CArchive
import Foundation
import SluiceEngine
import SluiceExpressions

#if canImport(Glibc)
    import Glibc
#endif

/// Unpacks a `.tar.gz` bundle in-process with libarchive, treating it as hostile: only regular files and
/// directories with relative, `..`-free names; the bytes unpacked are counted as they stream, and the archive is
/// refused as soon as it passes `InputLimits.bundleBytes` or, past 64 MiB, `bundleRatio` times its own size.
enum BundleUnpacker {
    /// Unpacked size below which the ratio is not checked (small bundles of text compress well).
    static let ratioFloor: Int64 = 64 * 1024 * 1024

    /// Unpacks `path` into the existing, empty `directory`.
    ///
    /// - Throws: ``ExportError/bundleUnreadable(path:reason:)`` naming the member or limit at fault; what was
    ///   unpacked so far stays in `directory` for the caller to remove.
    static func extract(_ path: String, into directory: String, limits: InputLimits = .current)
        throws(ExportError)
    {
        guard let archive = archive_read_new() else {
            throw .bundleUnreadable(path: path, reason: "libarchive could not start")
        }
        defer { archive_read_free(archive) }
        archive_read_support_filter_gzip(archive)
        archive_read_support_format_tar(archive)
        guard archive_read_open_filename(archive, path, 64 * 1024) == ARCHIVE_OK else {
            throw .bundleUnreadable(path: path, reason: message(archive))
        }
        let archiveSize = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? nil
        var budget = Budget(limits: limits, archiveSize: max(archiveSize ?? 1, 1))
        var entry: OpaquePointer?
        while true {
            let status = archive_read_next_header(archive, &entry)
            if status == ARCHIVE_EOF { return }
            guard status == ARCHIVE_OK || status == ARCHIVE_WARN, let entry else {
                throw .bundleUnreadable(path: path, reason: message(archive))
            }
            let name = archive_entry_pathname(entry).map { String(cString: $0) } ?? ""
            let relative = try relativePath(name, archive: path)
            if let problem = budget.add(512) { throw .bundleUnreadable(path: path, reason: problem) }
            switch archive_entry_filetype(entry) {
            case S_IFDIR:
                if !relative.isEmpty { try makeDirectories(relative, in: directory, archive: path) }
            case S_IFREG:
                guard !relative.isEmpty else {
                    throw .bundleUnreadable(path: path, reason: "member '\(name.excerpt())' has no name")
                }
                try writeFile(relative, in: directory, from: archive, archivePath: path, budget: &budget)
            default:
                throw .bundleUnreadable(
                    path: path,
                    reason: "member '\(name.excerpt())' is not a regular file or directory (links and "
                        + "special files are refused)")
            }
        }
    }

    /// The member name as components under the bundle root: `./` and empty components dropped; absolute names
    /// and `..` refused.
    private static func relativePath(_ name: String, archive: String) throws(ExportError) -> String {
        guard !name.hasPrefix("/") else {
            throw .bundleUnreadable(path: archive, reason: "member '\(name.excerpt())' has an absolute name")
        }
        let components = name.split(separator: "/").filter { $0 != "." }
        guard !components.contains("..") else {
            throw .bundleUnreadable(path: archive, reason: "member '\(name.excerpt())' leaves the bundle with '..'")
        }
        return components.joined(separator: "/")
    }

    /// Creates `relative` and its parents under `root` (0700), refusing to pass through anything not a directory.
    private static func makeDirectories(_ relative: String, in root: String, archive: String) throws(ExportError) {
        var current = root
        for component in relative.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o700) == 0 { continue }
            var info = stat()
            guard errno == EEXIST, lstat(current, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
                throw .bundleUnreadable(path: archive, reason: "cannot create directory '\(relative.excerpt())'")
            }
        }
    }

    private static func writeFile(
        _ relative: String, in root: String, from archive: OpaquePointer, archivePath: String, budget: inout Budget
    ) throws(ExportError) {
        if let slash = relative.lastIndex(of: "/") {
            try makeDirectories(String(relative[..<slash]), in: root, archive: archivePath)
        }
        let target = root + "/" + relative
        let descriptor = open(target, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw .bundleUnreadable(
                path: archivePath,
                reason: "member '\(relative.excerpt())' cannot be created "
                    + "(listed twice?): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { archive_read_data(archive, $0.baseAddress, $0.count) }
            if count == 0 { return }
            guard count > 0 else { throw .bundleUnreadable(path: archivePath, reason: message(archive)) }
            if let problem = budget.add(Int64(count)) { throw .bundleUnreadable(path: archivePath, reason: problem) }
            var offset = 0
            while offset < count {
                let written = buffer.withUnsafeBytes { raw in
                    write(descriptor, raw.baseAddress.map { $0 + offset }, count - offset)
                }
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else {
                    throw .bundleUnreadable(
                        path: archivePath,
                        reason: "cannot write '\(relative.excerpt())': "
                            + String(cString: strerror(errno)))
                }
                offset += written
            }
        }
    }

    private static func message(_ archive: OpaquePointer) -> String {
        archive_error_string(archive).map { String(cString: $0) } ?? "libarchive error \(archive_errno(archive))"
    }

    /// The bytes unpacked so far against the size and ratio limits.
    private struct Budget {
        let limits: InputLimits
        let archiveSize: Int64
        var unpacked: Int64 = 0

        /// Counts `bytes` more; the reason to stop when a limit is passed.
        mutating func add(_ bytes: Int64) -> String? {
            unpacked += bytes
            if unpacked > Int64(limits.bundleBytes) {
                return "it unpacks to more than \(limits.bundleBytes) bytes: raise the limit with --limit "
                    + "bundle-bytes=N"
            }
            if unpacked > BundleUnpacker.ratioFloor, unpacked / archiveSize > Int64(limits.bundleRatio) {
                return "it unpacks to more than \(limits.bundleRatio) times its \(archiveSize) bytes (a compression "
                    + "bomb?): raise the limit with --limit bundle-ratio=N"
            }
            return nil
        }
    }
}

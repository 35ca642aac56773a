import CArchive
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Packs `.tar.gz` bundles in-process with libarchive; ``BundleUnpacker`` reads them.
///
/// Archives are reproducible: members sorted by name under `./`, owner and group 0, modification time 0, no
/// timestamp in the gzip header; GNU tar format, as `tar --sort=name --owner=0 --group=0 --mtime=@0 -czf` writes.
enum TarArchive {
    /// Writes the contents of `directory` (not the directory itself) to the gzip-compressed archive `path`.
    static func create(_ path: String, from directory: String) throws(ExportError) {
        guard let archive = archive_write_new() else {
            throw .bundleWriteFailed(path: path, reason: "libarchive could not start")
        }
        defer { archive_write_free(archive) }
        archive_write_set_format_gnutar(archive)
        archive_write_add_filter_gzip(archive)
        archive_write_set_filter_option(archive, "gzip", "timestamp", nil)
        guard archive_write_open_filename(archive, path) == ARCHIVE_OK else {
            throw .bundleWriteFailed(path: path, reason: message(archive))
        }
        try add(".", root: directory, to: archive, path: path)
        guard archive_write_close(archive) == ARCHIVE_OK else {
            throw .bundleWriteFailed(path: path, reason: message(archive))
        }
    }

    /// Adds `relative` (a path under `root`, `.` for the root itself) and, for a directory, its members sorted by name.
    private static func add(
        _ relative: String, root: String, to archive: OpaquePointer, path: String
    ) throws(ExportError) {
        let hostPath = relative == "." ? root : root + "/" + relative.dropFirst(2)
        var info = stat()
        guard lstat(hostPath, &info) == 0 else {
            throw .bundleWriteFailed(path: path, reason: "\(hostPath): \(String(cString: strerror(errno)))")
        }
        let kind = info.st_mode & S_IFMT
        guard let entry = archive_entry_new() else {
            throw .bundleWriteFailed(path: path, reason: "libarchive could not make an entry")
        }
        defer { archive_entry_free(entry) }
        archive_entry_set_pathname(entry, relative == "." ? "./" : relative + (kind == S_IFDIR ? "/" : ""))
        archive_entry_set_mode(entry, info.st_mode)
        archive_entry_set_uid(entry, 0)
        archive_entry_set_gid(entry, 0)
        archive_entry_set_mtime(entry, 0, 0)
        switch kind {
        case S_IFREG:
            archive_entry_set_size(entry, Int64(info.st_size))
        case S_IFLNK:
            var target = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let count = readlink(hostPath, &target, target.count - 1)
            guard count >= 0 else {
                throw .bundleWriteFailed(path: path, reason: "\(hostPath): \(String(cString: strerror(errno)))")
            }
            archive_entry_set_symlink(
                entry, String(decoding: target.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self))
            archive_entry_set_size(entry, 0)
        case S_IFDIR:
            archive_entry_set_size(entry, 0)
        default:
            throw .bundleWriteFailed(path: path, reason: "\(hostPath) is not a file, directory or link")
        }
        guard archive_write_header(archive, entry) == ARCHIVE_OK else {
            throw .bundleWriteFailed(path: path, reason: message(archive))
        }
        if kind == S_IFREG { try copyContents(of: hostPath, to: archive, path: path) }
        guard kind == S_IFDIR else { return }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: hostPath).sorted {
                $0.utf8.lexicographicallyPrecedes($1.utf8)
            }
        } catch {
            throw .bundleWriteFailed(path: path, reason: "\(hostPath): \(error.localizedDescription)")
        }
        for name in names {
            try add(relative == "." ? "./" + name : relative + "/" + name, root: root, to: archive, path: path)
        }
    }

    /// Streams a regular file's bytes into the archive's current entry.
    private static func copyContents(of hostPath: String, to archive: OpaquePointer, path: String) throws(ExportError) {
        let descriptor = open(hostPath, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else {
            throw .bundleWriteFailed(path: path, reason: "\(hostPath): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 256 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { return }
            guard count > 0 else {
                if errno == EINTR { continue }
                throw .bundleWriteFailed(path: path, reason: "\(hostPath): \(String(cString: strerror(errno)))")
            }
            let written = buffer.withUnsafeBytes { archive_write_data(archive, $0.baseAddress, count) }
            guard written == count else { throw .bundleWriteFailed(path: path, reason: message(archive)) }
        }
    }

    private static func message(_ archive: OpaquePointer) -> String {
        archive_error_string(archive).map { String(cString: $0) } ?? "libarchive error \(archive_errno(archive))"
    }
}

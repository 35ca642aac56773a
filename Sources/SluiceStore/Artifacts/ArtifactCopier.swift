import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Streaming, link-refusing copies for ``ArtifactStore``.
enum ArtifactCopier {
    private static let bufferSize = 1 << 20

    /// Streams a regular file to a new file at `destination` (which must not exist), mode 0444, synced to disk.
    ///
    /// The source is opened with `O_NOFOLLOW` and checked with `fstat`, so a link swapped in is refused too.
    static func copyFile(from source: String, to destination: String) throws(StoreError) {
        let input = open(source, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard input >= 0 else {
            let code = errno
            if code == ELOOP { throw .artifactSymlinkRefused(path: source) }
            throw .artifactSourceUnusable(path: source, reason: StateDirectory.errnoText(code))
        }
        defer { close(input) }
        var info = stat()
        guard fstat(input, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw .artifactSourceUnusable(path: source, reason: "it is not a regular file")
        }
        let output = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard output >= 0 else {
            throw .artifactWriteFailed(path: destination, reason: StateDirectory.errnoText())
        }
        defer { close(output) }
        var buffer = [UInt8](repeating: 0, count: bufferSize)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw .artifactSourceUnusable(path: source, reason: StateDirectory.errnoText())
            }
            var written = 0
            while written < count {
                let result = buffer.withUnsafeBytes {
                    write(output, $0.baseAddress.map { $0 + written }, count - written)
                }
                if result < 0 {
                    if errno == EINTR { continue }
                    throw .artifactWriteFailed(path: destination, reason: StateDirectory.errnoText())
                }
                written += result
            }
        }
        guard fchmod(output, 0o444) == 0, fsync(output) == 0 else {
            throw .artifactWriteFailed(path: destination, reason: StateDirectory.errnoText())
        }
    }

    /// Copies the contents of directory `source` into the existing directory `destination`, recursively.
    ///
    /// Files become 0444 and subdirectories 0555 (set after they are filled). Symbolic links are refused; so are
    /// FIFOs, sockets and devices.
    static func copyTree(from source: String, to destination: String) throws(StoreError) {
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: source).sorted()
        } catch {
            throw .artifactSourceUnusable(path: source, reason: "cannot list it (\(error.localizedDescription))")
        }
        for entry in entries {
            let from = source + "/" + entry
            let to = destination + "/" + entry
            switch ArtifactStore.fileType(at: from) {
            case S_IFLNK:
                throw .artifactSymlinkRefused(path: from)
            case S_IFREG:
                try copyFile(from: from, to: to)
            case S_IFDIR:
                guard mkdir(to, 0o700) == 0 else {
                    throw .artifactWriteFailed(path: to, reason: StateDirectory.errnoText())
                }
                try copyTree(from: from, to: to)
                guard chmod(to, 0o555) == 0 else {
                    throw .artifactWriteFailed(path: to, reason: StateDirectory.errnoText())
                }
            case nil:
                throw .artifactSourceUnusable(path: from, reason: "it disappeared while being copied")
            default:
                throw .artifactSourceUnusable(path: from, reason: "it is not a regular file or directory")
            }
        }
    }

    /// Removes a (possibly read-only) tree, best effort: makes its directories writable first.
    static func removeTree(_ path: String) {
        guard ArtifactStore.fileType(at: path) == S_IFDIR else {
            _ = unlink(path)
            return
        }
        _ = chmod(path, 0o700)
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        for entry in entries {
            removeTree(path + "/" + entry)
        }
        _ = rmdir(path)
    }
}

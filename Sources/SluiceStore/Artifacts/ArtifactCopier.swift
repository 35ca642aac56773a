import Foundation
import SluiceGovernance

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Streaming, link-preserving copies for ``ArtifactStore`` that hash exactly the bytes they write.
///
/// Sources are open descriptors: whoever opened them decided which file they are (see the runtime's confined
/// node view), and everything below a directory is opened relative to it without following links, so nothing
/// a node wrote can make the copy read outside the tree it was given.
enum ArtifactCopier {
    private static let bufferSize = 1 << 20
    /// The deepest directory nesting copied; deeper trees are refused rather than exhausting descriptors.
    static let maximumDepth = 256

    /// Streams the regular file open at `input` to a new file at `destination` (which must not exist), mode 0444,
    /// synced to disk, and returns the SHA-256 of the bytes written.
    static func copyFile(descriptor input: Int32, displayPath: String, to destination: String)
        throws(StoreError) -> Digest
    {
        var info = stat()
        guard fstat(input, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw .artifactSourceUnusable(path: displayPath, reason: "it is not a regular file")
        }
        let output = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard output >= 0 else {
            throw .artifactWriteFailed(path: destination, reason: StateDirectory.errnoText())
        }
        defer { close(output) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 16)
        defer { buffer.deallocate() }
        var hasher = SHA256Hasher()
        while true {
            let count = read(input, buffer.baseAddress, buffer.count)
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw .artifactSourceUnusable(path: displayPath, reason: StateDirectory.errnoText())
            }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
            hasher.update(chunk)
            var written = 0
            while written < count {
                let result = write(output, chunk.baseAddress.map { $0 + written }, count - written)
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
        return Digest(bytes: hasher.finalize())
    }

    /// Copies the contents of the directory open at `input` into the existing directory `destination`,
    /// recursively, and returns the tree's digest (``DirectoryHashBuilder``) computed from the bytes written.
    ///
    /// Files become 0444 and subdirectories 0555 (set after they are filled); symbolic links are recreated as
    /// links with the same target, never followed; FIFOs, sockets and devices are refused.
    static func copyTree(descriptor input: Int32, displayPath: String, to destination: String)
        throws(StoreError) -> Digest
    {
        var builder = DirectoryHashBuilder()
        try copyEntries(of: input, displayPath: displayPath, relative: "", to: destination, builder: &builder, depth: 0)
        return builder.finalize()
    }

    private static func copyEntries(
        of directory: Int32, displayPath: String, relative: String, to destination: String,
        builder: inout DirectoryHashBuilder, depth: Int
    ) throws(StoreError) {
        guard depth < maximumDepth else {
            throw .artifactSourceUnusable(
                path: displayPath, reason: "directories are nested deeper than \(maximumDepth) levels")
        }
        for name in try entryNames(of: directory, displayPath: displayPath) {
            let from = displayPath + "/" + name
            let to = destination + "/" + name
            let childRelative = relative.isEmpty ? name : relative + "/" + name
            var info = stat()
            guard fstatat(directory, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
                throw .artifactSourceUnusable(path: from, reason: StateDirectory.errnoText())
            }
            switch info.st_mode & S_IFMT {
            case S_IFLNK:
                let target = try linkTarget(name, in: directory, displayPath: from)
                guard symlink(target, to) == 0 else {
                    throw .artifactWriteFailed(path: to, reason: StateDirectory.errnoText())
                }
                builder.addSymlink(childRelative, target: target)
            case S_IFREG:
                let child = openat(directory, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
                guard child >= 0 else {
                    throw .artifactSourceUnusable(path: from, reason: StateDirectory.errnoText())
                }
                defer { close(child) }
                builder.addFile(childRelative, digest: try copyFile(descriptor: child, displayPath: from, to: to))
            case S_IFDIR:
                let child = openat(directory, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                guard child >= 0 else {
                    throw .artifactSourceUnusable(path: from, reason: StateDirectory.errnoText())
                }
                defer { close(child) }
                guard mkdir(to, 0o700) == 0 else {
                    throw .artifactWriteFailed(path: to, reason: StateDirectory.errnoText())
                }
                try copyEntries(
                    of: child, displayPath: from, relative: childRelative, to: to, builder: &builder, depth: depth + 1)
                guard chmod(to, 0o555) == 0 else {
                    throw .artifactWriteFailed(path: to, reason: StateDirectory.errnoText())
                }
            default:
                throw .artifactSourceUnusable(path: from, reason: "it is not a regular file, directory or link")
            }
        }
    }

    /// The names in the directory open at `directory`, sorted, without `.` and `..`.
    private static func entryNames(of directory: Int32, displayPath: String) throws(StoreError) -> [String] {
        let copy = dup(directory)
        guard copy >= 0, let handle = fdopendir(copy) else {
            throw .artifactSourceUnusable(path: displayPath, reason: "cannot list it (\(StateDirectory.errnoText()))")
        }
        defer { closedir(handle) }
        rewinddir(handle)
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(handle) else {
                if errno != 0 {
                    throw .artifactSourceUnusable(path: displayPath, reason: StateDirectory.errnoText())
                }
                break
            }
            let name: String? = withUnsafePointer(to: entry.pointee.d_name) { tuple in
                tuple.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: tuple.pointee)) {
                    String(validatingCString: $0)
                }
            }
            guard let name else {
                throw .artifactSourceUnusable(path: displayPath, reason: "an entry's name is not valid UTF-8")
            }
            if name == "." || name == ".." { continue }
            guard DirectoryHashBuilder.isRepresentable(name) else {
                throw .artifactSourceUnusable(path: displayPath + "/" + name, reason: "its name contains a newline")
            }
            names.append(name)
        }
        return names.sorted()
    }

    /// The text of the link `name` in `directory`.
    private static func linkTarget(_ name: String, in directory: Int32, displayPath: String) throws(StoreError)
        -> String
    {
        var bytes = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlinkat(directory, name, &bytes, bytes.count - 1)
        guard count >= 0 else { throw .artifactSourceUnusable(path: displayPath, reason: StateDirectory.errnoText()) }
        return String(decoding: bytes[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
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

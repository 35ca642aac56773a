#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// MARK: - File and directory digests

extension Digest {
    /// Bytes read per `read(2)` call when hashing files.
    static let chunkSize = 1 << 20

    /// The SHA-256 digest of a regular file's contents, read in 1 MiB chunks.
    ///
    /// The file is opened without following a final symbolic link, and FIFOs, sockets and devices are refused
    /// (so hashing never blocks on a pipe).
    /// - Throws: `GovernanceError.fileUnreadable`, `.symlinkRefused`, or `.unsupportedFileType`.
    package static func sha256(fileAt path: String) throws(GovernanceError) -> Digest {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        return try sha256(fileAt: path, displayPath: path, buffer: buffer)
    }

    /// Hash of a directory tree in the layout of ``DirectoryHashBuilder`` (Go's `dirhash` "h1" for files).
    ///
    /// Regular files are hashed; symbolic links below the root are hashed as links (their target text), never
    /// followed; empty directories contribute nothing. The root itself must be a directory, not a link, and no entry
    /// may be a FIFO, socket, or device. Without links the hex form equals in-toto's `dirHash` digest of the tree.
    /// - Throws: `GovernanceError.notADirectory`, `.symlinkRefused` (the root), `.unsupportedFileType`,
    ///   `.unsupportedFileName` (non-UTF-8 or newline in a name), or `.fileUnreadable`.
    package static func directoryHash(at path: String) throws(GovernanceError) -> Digest {
        var info = stat()
        guard lstat(path, &info) == 0 else { throw .fileUnreadable(path: path, reason: errnoText()) }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: break
        case S_IFLNK: throw .symlinkRefused(path: path)
        default: throw .notADirectory(path: path)
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var builder = DirectoryHashBuilder()
        try addEntries(in: path, relative: "", to: &builder, buffer: buffer)
        return builder.finalize()
    }

    private static func addEntries(
        in directory: String,
        relative: String,
        to builder: inout DirectoryHashBuilder,
        buffer: UnsafeMutableRawBufferPointer
    ) throws(GovernanceError) {
        guard let handle = opendir(directory) else {
            throw .fileUnreadable(path: directory, reason: errnoText())
        }
        defer { closedir(handle) }
        while true {
            errno = 0
            guard let entry = readdir(handle) else {
                if errno != 0 { throw .fileUnreadable(path: directory, reason: errnoText()) }
                break
            }
            let name: String? = withUnsafePointer(to: entry.pointee.d_name) { tuple in
                tuple.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: tuple.pointee)) {
                    String(validatingCString: $0)
                }
            }
            guard let name else {
                throw .unsupportedFileName(path: directory + "/?", reason: "the name is not valid UTF-8")
            }
            if name == "." || name == ".." { continue }
            let full = directory + "/" + name
            let childRelative = relative.isEmpty ? name : relative + "/" + name
            guard DirectoryHashBuilder.isRepresentable(name) else {
                throw .unsupportedFileName(path: full, reason: "the name contains a newline")
            }
            var info = stat()
            guard lstat(full, &info) == 0 else { throw .fileUnreadable(path: full, reason: errnoText()) }
            switch info.st_mode & S_IFMT {
            case S_IFREG:
                builder.addFile(childRelative, digest: try sha256(fileAt: full, displayPath: full, buffer: buffer))
            case S_IFDIR: try addEntries(in: full, relative: childRelative, to: &builder, buffer: buffer)
            case S_IFLNK: builder.addSymlink(childRelative, target: try linkTarget(full))
            default: throw .unsupportedFileType(path: full, type: fileTypeName(info.st_mode))
            }
        }
    }

    /// The text of the symbolic link at `path`.
    private static func linkTarget(_ path: String) throws(GovernanceError) -> String {
        var bytes = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &bytes, bytes.count - 1)
        guard count >= 0 else { throw .fileUnreadable(path: path, reason: errnoText()) }
        return String(decoding: bytes[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func sha256(
        fileAt path: String,
        displayPath: String,
        buffer: UnsafeMutableRawBufferPointer
    ) throws(GovernanceError) -> Digest {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            if code == ELOOP { throw .symlinkRefused(path: displayPath) }
            throw .fileUnreadable(path: displayPath, reason: errnoText(code))
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw .fileUnreadable(path: displayPath, reason: errnoText())
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw .unsupportedFileType(path: displayPath, type: fileTypeName(info.st_mode))
        }
        var hasher = SHA256Hasher()
        while true {
            let count = read(descriptor, buffer.baseAddress, buffer.count)
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw .fileUnreadable(path: displayPath, reason: errnoText())
            }
            if count == 0 { break }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
        return Digest(bytes: hasher.finalize())
    }

    private static func fileTypeName(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: "directory"
        case S_IFIFO: "FIFO"
        case S_IFSOCK: "socket"
        case S_IFCHR: "character device"
        case S_IFBLK: "block device"
        case S_IFLNK: "symbolic link"
        default: "special file"
        }
    }
}

/// The operating system's message for `code` (default: the current `errno`).
func errnoText(_ code: Int32 = errno) -> String {
    String(cString: strerror(code))
}

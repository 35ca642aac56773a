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

    /// Hash of a directory tree in the layout of Go's `dirhash` "h1" (without its base64 and prefix).
    ///
    /// The result is SHA-256 over the lines `"<sha256 hex of file>  <relative path>\n"` sorted by the UTF-8 bytes of
    /// the relative path, which uses `/` separators. Only regular files count (empty directories contribute
    /// nothing); the directory itself and every entry below it must not be a symbolic link, FIFO, socket, or device.
    /// The hex form equals in-toto's `dirHash` digest of the tree.
    /// - Throws: `GovernanceError.notADirectory`, `.symlinkRefused`, `.unsupportedFileType`,
    ///   `.unsupportedFileName` (non-UTF-8 or newline in a name), or `.fileUnreadable`.
    package static func directoryHash(at path: String) throws(GovernanceError) -> Digest {
        var info = stat()
        guard lstat(path, &info) == 0 else { throw .fileUnreadable(path: path, reason: errnoText()) }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: break
        case S_IFLNK: throw .symlinkRefused(path: path)
        default: throw .notADirectory(path: path)
        }
        var files: [(relative: String, utf8: [UInt8])] = []
        try collectFiles(in: path, relative: "", into: &files)
        files.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }

        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var summary = SHA256Hasher()
        for file in files {
            let full = path + "/" + file.relative
            let digest = try sha256(fileAt: full, displayPath: full, buffer: buffer)
            summary.update(Array("\(digest.hex)  \(file.relative)\n".utf8))
        }
        return Digest(bytes: summary.finalize())
    }

    private static func collectFiles(
        in directory: String,
        relative: String,
        into files: inout [(relative: String, utf8: [UInt8])]
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
            guard !name.contains("\n") else {
                throw .unsupportedFileName(path: full, reason: "the name contains a newline")
            }
            var info = stat()
            guard lstat(full, &info) == 0 else { throw .fileUnreadable(path: full, reason: errnoText()) }
            switch info.st_mode & S_IFMT {
            case S_IFREG: files.append((childRelative, Array(childRelative.utf8)))
            case S_IFDIR: try collectFiles(in: full, relative: childRelative, into: &files)
            case S_IFLNK: throw .symlinkRefused(path: full)
            default: throw .unsupportedFileType(path: full, type: fileTypeName(info.st_mode))
            }
        }
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

import CSodium

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// MARK: - PKCS#8 PEM key files

extension SigningKey {
    /// The largest key file accepted; a PEM Ed25519 key is about 120 bytes.
    private static let maximumFileSize = 64 * 1024

    /// Loads an unencrypted PKCS#8 `PRIVATE KEY` PEM file (RFC 8410), as written by ``write(to:replacingExisting:)``,
    /// OpenSSL (`openssl genpkey -algorithm ed25519`) or cosign's import format.
    ///
    /// The file must be a regular file with no permission bits for group or others (mode 0600 or stricter); the
    /// check uses the opened descriptor, so it cannot race with a replacement. A symbolic link to such a file is
    /// followed.
    /// - Throws: `GovernanceError.keyFileMissing`, `.keyFileUnreadable`, `.keyFilePermissionsTooOpen`,
    ///   `.keyFileInvalid` (also when an embedded public key does not match the seed).
    package static func load(from path: String) throws(GovernanceError) -> SigningKey {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT { throw .keyFileMissing(path: path) }
            throw .keyFileUnreadable(path: path, reason: errnoText(code))
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw .keyFileUnreadable(path: path, reason: errnoText()) }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw .keyFileUnreadable(path: path, reason: "not a regular file")
        }
        let mode = UInt32(info.st_mode) & 0o7777
        guard mode & 0o077 == 0 else { throw .keyFilePermissionsTooOpen(path: path, mode: mode) }
        guard Int(info.st_size) <= maximumFileSize else {
            throw .keyFileInvalid(path: path, reason: "the file is larger than \(maximumFileSize) bytes")
        }

        var contents = [UInt8](repeating: 0, count: maximumFileSize + 1)
        defer { contents.withUnsafeMutableBytes { sodium_memzero($0.baseAddress, $0.count) } }
        var total = 0
        while total < contents.count {
            let count = contents.withUnsafeMutableBytes { buffer in
                read(descriptor, buffer.baseAddress.map { $0 + total }, buffer.count - total)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw .keyFileUnreadable(path: path, reason: errnoText())
            }
            if count == 0 { break }
            total += count
        }
        guard total <= maximumFileSize else {
            throw .keyFileInvalid(path: path, reason: "the file is larger than \(maximumFileSize) bytes")
        }
        guard let text = String(validating: contents[0..<total], as: UTF8.self) else {
            throw .keyFileInvalid(path: path, reason: "the file is not UTF-8 PEM text")
        }
        var der: [UInt8]
        switch KeyEncoding.der(fromPEM: text, label: "PRIVATE KEY") {
        case .success(let value): der = value
        case .failure(let problem): throw .keyFileInvalid(path: path, reason: problem.reason)
        }
        defer { sodium_memzero(&der, der.count) }
        switch KeyEncoding.seed(fromPKCS8: der) {
        case .failure(let problem):
            throw .keyFileInvalid(path: path, reason: problem.reason)
        case .success(var parsed):
            defer { sodium_memzero(&parsed.seed, parsed.seed.count) }
            let key: SigningKey
            do {
                key = try SigningKey(seed: parsed.seed)
            } catch {
                throw .keyFileInvalid(path: path, reason: error.description)
            }
            if let embedded = parsed.publicKey, embedded != key.publicKey.raw {
                throw .keyFileInvalid(path: path, reason: "the embedded public key does not match the private key")
            }
            return key
        }
    }

    /// Writes the key as an unencrypted PKCS#8 `PRIVATE KEY` PEM file with mode 0600.
    ///
    /// The bytes go to a new temporary file in the same directory (created with `O_EXCL` and mode 0600, then
    /// fsynced), which is then linked into place atomically: with `replacingExisting` false (the default) the link
    /// fails if `path` exists; with true the temporary file is renamed over it.
    /// - Throws: `GovernanceError.keyFileExists` or `.keyFileUnwritable`.
    package func write(to path: String, replacingExisting: Bool = false) throws(GovernanceError) {
        var pem = try withSeed { seed in
            Array(KeyEncoding.pem(label: "PRIVATE KEY", der: KeyEncoding.pkcs8(seed: seed)).utf8)
        }
        defer { sodium_memzero(&pem, pem.count) }

        let temporary = try Self.createTemporaryFile(near: path)
        var published = false
        defer { if !published { unlink(temporary.path) } }
        do {
            defer { close(temporary.descriptor) }
            var written = 0
            while written < pem.count {
                let count = pem.withUnsafeBytes { buffer in
                    systemWrite(temporary.descriptor, buffer.baseAddress.map { $0 + written }, buffer.count - written)
                }
                if count < 0 {
                    if errno == EINTR { continue }
                    throw GovernanceError.keyFileUnwritable(path: path, reason: errnoText())
                }
                written += count
            }
            guard fsync(temporary.descriptor) == 0 else {
                throw GovernanceError.keyFileUnwritable(path: path, reason: errnoText())
            }
        }
        if replacingExisting {
            guard rename(temporary.path, path) == 0 else {
                throw .keyFileUnwritable(path: path, reason: errnoText())
            }
        } else {
            guard link(temporary.path, path) == 0 else {
                let code = errno
                if code == EEXIST { throw .keyFileExists(path: path) }
                throw .keyFileUnwritable(path: path, reason: errnoText(code))
            }
            unlink(temporary.path)
        }
        published = true
    }

    private static func createTemporaryFile(
        near path: String
    ) throws(GovernanceError) -> (path: String, descriptor: Int32) {
        let directory: String
        if let slash = path.lastIndex(of: "/") {
            directory = slash == path.startIndex ? "/" : String(path[..<slash])
        } else {
            directory = "."
        }
        for _ in 0..<16 {
            let suffix = Hex.encode((0..<8).map { _ in UInt8.random(in: 0...255) })
            let candidate = (directory == "/" ? "" : directory) + "/.sluice-key-\(suffix).tmp"
            let descriptor = open(candidate, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
            if descriptor >= 0 {
                guard fchmod(descriptor, 0o600) == 0 else {
                    let reason = errnoText()
                    close(descriptor)
                    unlink(candidate)
                    throw .keyFileUnwritable(path: path, reason: reason)
                }
                return (candidate, descriptor)
            }
            if errno != EEXIST { throw .keyFileUnwritable(path: path, reason: errnoText()) }
        }
        throw .keyFileUnwritable(path: path, reason: "could not create a unique temporary file in '\(directory)'")
    }
}

/// `write(2)`, reachable from inside `SigningKey`, whose `write(to:)` shadows the C function.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer?, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}

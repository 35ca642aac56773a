#if canImport(Glibc)
    import Glibc
#endif

/// The public files of a run directory (`templates.json`, `signer.pub.pem`, `trusted-keys.pem`), written without
/// an fsync.
///
/// Foundation's `Data.write(to:)` fsyncs every file it writes: three fsyncs at every run's start, 1 to 20 ms each on
/// a shared VM while other work writes. These files are copies of what the run's record and keys already hold,
/// rewritten by every engine that drives the run; like the database (WAL, `synchronous = NORMAL`) they survive the
/// engine being killed, not a power loss. Private keys are not written here (``KeyStore``).
enum RunDirectoryFile {
    /// Creates or truncates `path` (mode 0666 less the umask, as Foundation) and writes `bytes` to it.
    ///
    /// - Throws: ``EngineError/stateUnavailable(reason:)`` naming the file and the system's reason.
    static func write(_ bytes: [UInt8], to path: String) throws(EngineError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else { throw failure(path, "cannot open") }
        defer { close(descriptor) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                buffer.baseAddress.map { Glibc.write(descriptor, $0 + offset, buffer.count - offset) } ?? -1
            }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw failure(path, "cannot write") }
            offset += written
        }
    }

    private static func failure(_ path: String, _ action: String) -> EngineError {
        .stateUnavailable(reason: "\(action) '\(path)': \(String(cString: strerror(errno)))")
    }
}

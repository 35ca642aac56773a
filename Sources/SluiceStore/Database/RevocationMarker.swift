import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `<stateDirectory>/revocations.changed`: a file that grows by one byte each time a revocation is added, so that an
/// engine learns with one `stat` whether the revocations it read are still all there are.
///
/// The gate checks the revocations twice per node; reading them from SQLite each time (a read transaction after the
/// engine's own commit, shared-memory locks included) was ~5% of the engine's work in a fan-out. A writer bumps the
/// marker after its transaction commits, so a reader that sees the old stamp read before that commit, as it would
/// have without the marker. The stamp is the file's inode, size and modification time; a missing file is a stamp too.
struct RevocationMarker: Sendable {
    /// The marker's stamp: equal stamps mean no revocation was added in between (by a writer that bumps it).
    struct Stamp: Sendable, Equatable {
        var inode: UInt64
        var size: Int64
        var modifiedSeconds: Int
        var modifiedNanoseconds: Int
    }

    /// The name of the marker in a state directory.
    static let fileName = "revocations.changed"

    let path: String

    init(stateDirectory: String) {
        path = StateLayout.entry(Self.fileName, in: stateDirectory)
    }

    /// The marker's stamp now; nil when it does not exist (no revocation added since this Sluice kept one).
    func stamp() -> Stamp? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return Stamp(
            inode: UInt64(info.st_ino), size: Int64(info.st_size), modifiedSeconds: info.st_mtim.tv_sec,
            modifiedNanoseconds: info.st_mtim.tv_nsec)
    }

    /// Grows the marker by a byte (creating it, 0600, if missing). A failure is ignored: readers also read the
    /// revocations afresh at least once per ``Store/revocationRereadInterval``.
    func bump() {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        var byte: UInt8 = 0x0A
        _ = write(descriptor, &byte, 1)
    }
}

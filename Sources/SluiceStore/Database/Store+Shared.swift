import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

extension Store {
    /// The store of `stateDirectory`, shared with the last caller that asked for the same one in this process.
    ///
    /// A `sluice run` reads its state directory three times before the first node (the orphan sweep, the template
    /// registry, the run itself); each `Store(stateDirectory:)` opened a pool, checked the schema, and, as the
    /// process's first connection, rebuilt SQLite's WAL index by reading the whole WAL (up to 4 MB: connections
    /// keep it at close). The last store opened this way is kept open and returned again while its database file
    /// is the same file (device and inode): a state directory deleted and made again gets a fresh store.
    /// - Throws: what ``init(stateDirectory:)`` throws.
    package static func shared(stateDirectory: String) throws(StoreError) -> Store {
        let databasePath = path(ofDatabaseIn: stateDirectory)
        if let identity = FileIdentity(databasePath),
            let kept = lastShared.withLock({ $0 }), kept.path == databasePath, kept.identity == identity
        {
            return kept.store
        }
        let store = try Store(stateDirectory: stateDirectory)
        if let identity = FileIdentity(databasePath) {
            lastShared.withLock { $0 = SharedStore(path: databasePath, identity: identity, store: store) }
        }
        return store
    }

    /// The database file in `stateDirectory`.
    static func path(ofDatabaseIn stateDirectory: String) -> String {
        StateLayout.entry("sluice.db", in: stateDirectory)
    }
}

/// The store ``Store/shared(stateDirectory:)`` keeps, with what identifies its file.
private struct SharedStore: Sendable {
    var path: String
    var identity: FileIdentity
    var store: Store
}

private let lastShared = Mutex<SharedStore?>(nil)

/// A file's device and inode: the same path holding another file (deleted and made again) is another identity.
private struct FileIdentity: Equatable, Sendable {
    var device: UInt64
    var inode: UInt64

    init?(_ path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}

import Synchronization

/// Where command names were found on a `PATH`, for the sandboxed nodes of one runtime.
///
/// Most nodes of a run start the same few programs, and a lookup tries every `PATH` entry before its hit: on a
/// long `PATH` that is a dozen `stat` calls per node. Only a lookup that went through the read-only host is kept
/// (every candidate it tried lies outside the node's own mounts, at an absolute path), and a kept hit is used only
/// when none of the candidates up to it lies in the asking node's mounts, and after checking again that it is an
/// executable file: a node never gets a program its own view would not find first. A program a host process adds to
/// an earlier `PATH` entry during the run is not seen by later lookups of the same name.
final class ExecutableCache: Sendable {
    private struct Key: Hashable {
        let executable: String
        let searchPath: String
    }

    /// At most this many names are kept; past it nothing more is (a run starts few distinct programs).
    static let capacity = 256

    /// The index of the `PATH` entry each name was found in.
    private let hits = Mutex<[Key: Int]>([:])

    init() {}

    /// How many lookups are kept.
    var count: Int { hits.withLock { $0.count } }

    /// The index of the `PATH` entry `executable` was found in before, if kept.
    func entryIndex(of executable: String, searchPath: String) -> Int? {
        hits.withLock { $0[Key(executable: executable, searchPath: searchPath)] }
    }

    /// Keeps that `executable` was found in `PATH` entry `index`.
    func keep(_ executable: String, searchPath: String, entryIndex index: Int) {
        hits.withLock { hits in
            guard hits.count < Self.capacity else { return }
            hits[Key(executable: executable, searchPath: searchPath)] = index
        }
    }
}

import GRDB
import Synchronization

/// A read-only connection of its own for the one-statement reads the engine makes at every node (the revocations,
/// an upstream envelope), opened at first use.
///
/// Through the pool each such read also checked a reader out and ran GRDB's schema check (`PRAGMA schema_version`,
/// a statement of its own) first, which cost more than the read. One `SELECT` is atomic on its own (an implicit
/// read transaction), and each sees every transaction committed before it, the writer's included. Reads through it
/// are serialized; they take microseconds.
final class PointReader: Sendable {
    private let path: String
    private let configuration: Configuration
    private let connection = Mutex<DatabaseQueue?>(nil)

    /// A reader of the database at `path`, opened with `configuration` made read-only.
    init(path: String, configuration: Configuration) {
        var configuration = configuration
        configuration.readonly = true
        configuration.label = (configuration.label ?? "sluice") + ".point-reads"
        self.path = path
        self.configuration = configuration
    }

    /// Runs `body` (one statement) on the reader's connection.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        let queue = try connection.withLock { queue in
            if let queue { return queue }
            let opened = try DatabaseQueue(path: path, configuration: configuration)
            queue = opened
            return opened
        }
        return try queue.unsafeRead(body)
    }
}

import CStoreShims
import Foundation
import GRDB
import Synchronization

/// The SQLite database of a state directory (`<stateDirectory>/sluice.db`): runs, nodes, attempts, envelopes,
/// governance denials and revocations.
///
/// Thread-safe (`Sendable`); all methods are synchronous and short. The database runs in WAL mode with
/// `synchronous = NORMAL` and a 5 s busy timeout, so several `sluice` processes may share one state directory:
/// readers never block the writer, and writers wait for each other. Every ``record(_:)`` is one transaction.
///
/// ```swift
/// let store = try Store(stateDirectory: ".sluice")
/// try store.record(Transition(run: run, nodes: [rootNode]))
/// let latest = try store.run(named: "@latest")
/// ```
package final class Store: Sendable {
    /// The name ``run(named:)`` resolves to the most recently created run.
    package static let latestRunAlias = "@latest"

    /// The state directory this store lives in.
    package let stateDirectory: String
    /// The path of the SQLite database file.
    package let databasePath: String
    /// The GRDB pool; internal so that `Store` extensions in this module can use it, never exposed.
    let pool: DatabasePool
    /// Node process rows forgotten but not deleted yet: deleted in the next write transaction (see
    /// ``forgetNodeProcesses(ids:)``).
    let forgottenProcesses = Mutex<[Int64]>([])
    /// The connection of the engine's per-node reads (see ``PointReader``).
    let pointReader: PointReader
    /// The revocations read so far, the highest id among them, and the marker's stamp and the time when they were
    /// last read (see ``revocations()``).
    private let revocationCache = Mutex(RevocationCache())
    /// Where revocations added are announced (see ``RevocationMarker``).
    let revocationMarker: RevocationMarker

    /// How long ``revocations()`` trusts an unchanged marker before reading the table anyway: a revocation added by a
    /// Sluice that does not bump the marker counts from then on.
    package static let revocationRereadInterval: Duration = .seconds(1)

    /// Opens (creating if needed) `<stateDirectory>/sluice.db` and brings its schema up to date.
    ///
    /// Creates the directory with mode 0700 and the database with 0600 (the `-wal`/`-shm` files inherit it),
    /// whatever the umask. Opening is serialized across processes with a lock file, `sluice.lock`.
    /// - Throws: `StoreError.stateDirectoryUnusable` when the directory cannot be created or written,
    ///   `.schemaTooNew` when a newer Sluice migrated the database, `.database` when SQLite fails.
    package init(stateDirectory: String) throws(StoreError) {
        try StateDirectory.prepare(stateDirectory)
        let databasePath = Self.path(ofDatabaseIn: stateDirectory)
        self.stateDirectory = stateDirectory
        self.databasePath = databasePath
        self.pointReader = PointReader(path: databasePath, configuration: Self.configuration)
        self.revocationMarker = RevocationMarker(stateDirectory: stateDirectory)
        self.pool = try StateDirectory.withInitializationLock(in: stateDirectory) { () throws(StoreError) in
            try StateDirectory.createPrivateFileIfMissing(databasePath) { reason in
                .stateDirectoryUnusable(path: stateDirectory, reason: reason)
            }
            let pool = try Self.perform("opening \(databasePath)") {
                try DatabasePool(path: databasePath, configuration: Self.configuration)
            }
            let migrator = StoreSchema.migrator
            try Self.perform("migrating \(databasePath)") { try migrator.migrate(pool) }
            let unknown = try Self.perform("reading the schema version of \(databasePath)") {
                try pool.read { db in
                    try migrator.appliedIdentifiers(db).subtracting(StoreSchema.migrationIdentifiers).sorted()
                }
            }
            guard unknown.isEmpty else {
                throw .schemaTooNew(path: databasePath, unknownMigrations: unknown)
            }
            return pool
        }
    }

    /// GRDB's configuration of every connection.
    ///
    /// A connection does not checkpoint when it closes (`SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE`), so the WAL file stays: the
    /// last connection's close otherwise checkpointed and deleted it, and GRDB, finding no WAL at the next open, wrote
    /// a transaction to make one. Every `Store` opened and closed cost a write, a checkpoint and three or four fsyncs
    /// (a run opens several, `sluice get` two; on this project's VM an fsync takes 1 to 20 ms while other work
    /// writes). Committed transactions are in the WAL either way; SQLite checkpoints it as writes go on (every 1000
    /// pages), and the next process reads it back.
    private static var configuration: Configuration {
        var configuration = Configuration()
        configuration.label = "sluice"
        configuration.busyMode = .timeout(5)
        configuration.foreignKeysEnabled = true
        configuration.prepareDatabase { db in
            if let connection = db.sqliteConnection {
                _ = sluice_sqlite_keep_wal_on_close(UnsafeMutableRawPointer(connection))
            }
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        return configuration
    }

    // MARK: - Writing

    /// Writes one state transition in one transaction: the run, then nodes, attempts, envelopes and denials.
    ///
    /// Every record is upserted by its primary key (runs by id, nodes by run and id, attempts by run, node and
    /// number, envelopes by payload digest, denials by id; a denial without id is appended). If anything fails,
    /// nothing of the transition is written.
    /// - Throws: `StoreError.recordReferencesUnknownRun` / `.recordReferencesUnknownNode` when a record points at a
    ///   run or node that does not exist, `.runNameTaken` when another run already has the run's name, `.database`
    ///   when SQLite fails.
    package func record(_ transition: Transition) throws(StoreError) {
        guard !transition.isEmpty else { return }
        let forgotten = forgottenProcesses.withLock { pending in
            defer { pending.removeAll() }
            return pending
        }
        do {
            try Self.perform("recording a transition") {
                try pool.write { db in
                    try Self.apply(transition, in: db)
                    try Self.deleteNodeProcesses(forgotten, in: db)
                }
            }
        } catch {
            forgottenProcesses.withLock { $0 += forgotten }
            throw error
        }
    }

    /// Appends a revocation and returns it with the id the store assigned (any `id` passed in is ignored).
    ///
    /// Revocations are append-only: the schema refuses updates and deletes.
    /// - Throws: `StoreError.database` when SQLite fails (including a `kind` other than `key` or `envelope`).
    @discardableResult
    package func addRevocation(_ revocation: RevocationRecord) throws(StoreError) -> RevocationRecord {
        defer { revocationsAdded() }
        return try Self.perform("adding a revocation of \(revocation.kind) '\(revocation.value)'") {
            try pool.write { db in
                try db.execute(
                    sql: "INSERT INTO revocations (kind, value, reason, created_at) VALUES (?, ?, ?, ?)",
                    arguments: [
                        revocation.kind, revocation.value, revocation.reason,
                        StoreTimestamp.string(from: revocation.createdAt),
                    ]
                )
                var stored = revocation
                stored.id = db.lastInsertedRowID
                return stored
            }
        }
    }

    /// Writes `transition`'s records in `db`'s transaction (see ``record(_:)``).
    static func apply(_ transition: Transition, in db: Database) throws {
        if let run = transition.run {
            if let existing = try String.fetchOne(
                db.cachedStatement(sql: "SELECT id FROM runs WHERE name = ? AND id <> ?"),
                arguments: [run.name, run.id])
            {
                throw StoreError.runNameTaken(name: run.name, existingRunID: existing)
            }
            try run.upsert(db)
        }
        var knownRuns = Set<String>()
        func requireRun(_ runID: String, kind: String, key: String) throws {
            guard !knownRuns.contains(runID) else { return }
            guard
                try Bool.fetchOne(
                    db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM runs WHERE id = ?)"), arguments: [runID])
                    == true
            else { throw StoreError.recordReferencesUnknownRun(kind: kind, key: key, runID: runID) }
            knownRuns.insert(runID)
        }
        for node in transition.nodes {
            try requireRun(node.runID, kind: "node", key: node.id)
            try node.upsert(db)
        }
        for attempt in transition.attempts {
            let key = "\(attempt.nodeID)#\(attempt.number)"
            try requireRun(attempt.runID, kind: "attempt", key: key)
            let nodeExists = try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM nodes WHERE run_id = ? AND id = ?)"),
                arguments: [attempt.runID, attempt.nodeID])
            guard nodeExists == true else {
                throw StoreError.recordReferencesUnknownNode(
                    kind: "attempt", key: key, runID: attempt.runID, nodeID: attempt.nodeID)
            }
            try attempt.upsert(db)
        }
        for envelope in transition.envelopes {
            try requireRun(envelope.runID, kind: "envelope", key: envelope.payloadDigest)
            try envelope.upsert(db)
        }
        for denial in transition.denials {
            try requireRun(denial.runID, kind: "denial", key: denial.nodeID)
            try denial.upsert(db)
        }
    }

    // MARK: - Reading

    /// The run with this id or name; `@latest` is the most recently created run.
    ///
    /// An id match wins over a name match.
    /// - Throws: `StoreError.runNotFound` when no run matches, `.noRuns` for `@latest` in an empty store.
    package func run(named nameOrID: String) throws(StoreError) -> RunRecord {
        if nameOrID == Self.latestRunAlias {
            let latest = try fetchAll(
                RunRecord.self, "finding the latest run",
                "SELECT * FROM runs ORDER BY created_at DESC, rowid DESC LIMIT 1")
            guard let run = latest.first else { throw .noRuns }
            return run
        }
        let matches = try fetchAll(
            RunRecord.self, "finding run '\(nameOrID)'",
            "SELECT * FROM runs WHERE id = ? OR name = ? ORDER BY (id = ?) DESC LIMIT 1",
            [nameOrID, nameOrID, nameOrID])
        guard let run = matches.first else { throw .runNotFound(nameOrID) }
        return run
    }

    /// All runs, newest first (by creation date, then by insertion order).
    package func runs() throws(StoreError) -> [RunRecord] {
        try fetchAll(RunRecord.self, "listing runs", "SELECT * FROM runs ORDER BY created_at DESC, rowid DESC")
    }

    /// The runs still Pending or Running, newest first: what a dead engine may have left (read at every command's
    /// start, so it does not read every run's workflow as ``runs()`` does).
    package func unfinishedRuns() throws(StoreError) -> [RunRecord] {
        try fetchAll(
            RunRecord.self, "listing unfinished runs",
            "SELECT * FROM runs WHERE phase IN (?, ?) ORDER BY created_at DESC, rowid DESC",
            [RunPhase.pending.rawValue, RunPhase.running.rawValue])
    }

    /// Whether a run already uses this name (names are unique per state directory).
    package func isNameTaken(_ name: String) throws(StoreError) -> Bool {
        try Self.perform("checking whether run name '\(name)' is taken") {
            try pool.read { db in
                try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM runs WHERE name = ?)", arguments: [name])
                    ?? false
            }
        }
    }

    /// The nodes of a run in creation order (`sequence`, then id); empty for an unknown run.
    package func nodes(runID: String) throws(StoreError) -> [NodeRecord] {
        try fetchAll(
            NodeRecord.self, "listing the nodes of run \(runID)",
            "SELECT * FROM nodes WHERE run_id = ? ORDER BY sequence, id", [runID])
    }

    /// One node of a run, or nil when the run has no node with that id.
    package func node(runID: String, id: String) throws(StoreError) -> NodeRecord? {
        try fetchAll(
            NodeRecord.self, "reading node '\(id)' of run \(runID)",
            "SELECT * FROM nodes WHERE run_id = ? AND id = ?", [runID, id]
        ).first
    }

    /// The attempts of a run, ordered by their node's `sequence`, then attempt number.
    package func attempts(runID: String) throws(StoreError) -> [AttemptRecord] {
        try fetchAll(
            AttemptRecord.self, "listing the attempts of run \(runID)",
            """
            SELECT attempts.* FROM attempts
            JOIN nodes ON nodes.run_id = attempts.run_id AND nodes.id = attempts.node_id
            WHERE attempts.run_id = ? ORDER BY nodes.sequence, attempts.node_id, attempts.number
            """, [runID])
    }

    /// The envelope whose payload has this sha256 hex digest, or nil.
    ///
    /// The gate reads one per input of every node: through the ``PointReader``.
    package func envelope(payloadDigest: String) throws(StoreError) -> EnvelopeRecord? {
        try Self.perform("reading envelope \(payloadDigest)") {
            try pointReader.read { db in
                try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT * FROM envelopes WHERE payload_digest = ?"),
                    arguments: [payloadDigest]
                ).map(EnvelopeRecord.init(row:))
            }
        }
    }

    /// The envelopes of a run, oldest first.
    package func envelopes(runID: String) throws(StoreError) -> [EnvelopeRecord] {
        try fetchAll(
            EnvelopeRecord.self, "listing the envelopes of run \(runID)",
            "SELECT * FROM envelopes WHERE run_id = ? ORDER BY created_at, rowid", [runID])
    }

    /// The governance denials of a run, in the order they were recorded.
    package func denials(runID: String) throws(StoreError) -> [DenialRecord] {
        try fetchAll(
            DenialRecord.self, "listing the denials of run \(runID)",
            "SELECT * FROM denials WHERE run_id = ? ORDER BY id", [runID])
    }

    /// All revocations, in the order they were added: every one committed before the call.
    ///
    /// The gate asks twice per node. The table is read only when ``RevocationMarker`` changed since the last read
    /// (every writer of this Sluice bumps it after committing), or at least ``revocationRereadInterval`` passed; and
    /// then only the rows added since (the table is append-only, its triggers refuse updates and deletes, and ids
    /// only grow: one indexed query), appended to what this store already read.
    package func revocations() throws(StoreError) -> [RevocationRecord] {
        // Stamped before reading: a revocation committed meanwhile changes the stamp, and the next call reads again.
        let stamp = revocationMarker.stamp()
        let now = ContinuousClock.now
        let known = revocationCache.withLock { $0 }
        if let readAt = known.readAt, known.stamp == stamp, now - readAt < Self.revocationRereadInterval {
            return known.records
        }
        let added = try Self.perform("listing revocations") {
            // One statement: its own read transaction, through the ``PointReader``.
            try pointReader.read { db in
                try Row.fetchAll(
                    db.cachedStatement(sql: "SELECT * FROM revocations WHERE id > ? ORDER BY id"),
                    arguments: [known.lastID]
                ).map(RevocationRecord.init(row:))
            }
        }
        return revocationCache.withLock { cache in
            // Another thread may have appended some of them meanwhile.
            for record in added where (record.id ?? 0) > cache.lastID {
                cache.records.append(record)
                cache.lastID = record.id ?? cache.lastID
            }
            if cache.readAt.map({ $0 < now }) ?? true {
                cache.stamp = stamp
                cache.readAt = now
            }
            return cache.records
        }
    }

    /// Announces revocations this store committed: to readers in other processes through the marker, to this one
    /// by forgetting when it last read.
    func revocationsAdded() {
        revocationMarker.bump()
        revocationCache.withLock { $0.readAt = nil }
    }

    // MARK: - Plumbing

    private func fetchAll<Record: StoredRecord & Sendable>(
        _ type: Record.Type,
        _ operation: String,
        _ sql: String,
        _ arguments: [String] = []
    ) throws(StoreError) -> [Record] {
        try Self.perform(operation) {
            // One SELECT is atomic on its own (SQLite runs it in an implicit read transaction), so it needs no
            // BEGIN and COMMIT around it; cached, since the gate reads an envelope per input.
            try pool.unsafeRead { db in
                try Row.fetchAll(db.cachedStatement(sql: sql), arguments: StatementArguments(arguments))
                    .map(Record.init(row:))
            }
        }
    }

    /// Runs `body`, passing `StoreError`s through and wrapping anything else (GRDB, SQLite) exactly once.
    static func perform<T>(_ operation: String, _ body: () throws -> T) throws(StoreError) -> T {
        do {
            return try body()
        } catch let error as StoreError {
            throw error
        } catch {
            throw .database(operation: operation, underlying: String(describing: error))
        }
    }
}

/// What ``Store/revocations()`` read last.
private struct RevocationCache {
    var records: [RevocationRecord] = []
    var lastID: Int64 = 0
    /// The marker's stamp taken before the last read, and when that read began (nil: read at the next call).
    var stamp: RevocationMarker.Stamp?
    var readAt: ContinuousClock.Instant?
}

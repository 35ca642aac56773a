import Foundation
import GRDB
import SluiceSpec

/// A record with a fixed row shape in one table; the mapping between our `package` values and GRDB rows.
protocol StoredRecord {
    /// The table name.
    static var table: String { get }
    /// All columns, in the order of ``values``.
    static var columns: [String] { get }
    /// The primary-key columns used for upserts.
    static var primaryKey: [String] { get }
    /// The column values, in the order of ``columns``.
    var values: [(any DatabaseValueConvertible)?] { get }
    /// The record's upsert statement (``makeUpsertSQL()``), built once per type: its text is the key of the cached
    /// statement at every write, and building it each time showed in profiles of the engine's writes.
    static var upsertSQL: String { get }
    /// Decodes a row selected with `SELECT *`.
    init(row: Row) throws
}

extension StoredRecord {
    /// `INSERT … ON CONFLICT (<primary key>) DO UPDATE SET <other columns>`: an upsert that keeps the rowid
    /// (unlike `INSERT OR REPLACE`, which deletes the old row and would cascade to dependent rows).
    static func makeUpsertSQL() -> String {
        let updates = columns.filter { !primaryKey.contains($0) }
            .map { "\(quoted($0)) = excluded.\(quoted($0))" }
        return "INSERT INTO \(table) (\(columns.map(quoted).joined(separator: ", "))) "
            + "VALUES (\(Array(repeating: "?", count: columns.count).joined(separator: ", "))) "
            + "ON CONFLICT (\(primaryKey.map(quoted).joined(separator: ", "))) DO UPDATE SET "
            + updates.joined(separator: ", ")
    }

    func upsert(_ db: Database) throws {
        // A cached statement: transitions repeat the same few upserts, so SQL is prepared once per connection.
        try db.cachedStatement(sql: Self.upsertSQL).execute(arguments: StatementArguments(values))
    }

    private static func quoted(_ column: String) -> String { "\"\(column)\"" }
}

/// A row that does not hold what the schema promises (e.g. a hand-edited timestamp).
struct MalformedRow: Error, CustomStringConvertible {
    let description: String
}

extension Row {
    func timestamp(_ column: String) throws -> Date {
        let text = try decode(String.self, forColumn: column)
        guard let date = StoreTimestamp.date(from: text) else {
            throw MalformedRow(description: "column '\(column)' holds '\(text)', which is not a timestamp")
        }
        return date
    }

    /// A column of text holding one of an enumeration's raw values (`what` names it in the error).
    func enumeration<Value: RawRepresentable<String>>(_: Value.Type, _ column: String, what: String) throws -> Value {
        let text = try decode(String.self, forColumn: column)
        guard let value = Value(rawValue: text) else {
            throw MalformedRow(description: "column '\(column)' holds '\(text)', which is not a \(what)")
        }
        return value
    }

    func optionalTimestamp(_ column: String) throws -> Date? {
        guard let text = try decode(String?.self, forColumn: column) else { return nil }
        guard let date = StoreTimestamp.date(from: text) else {
            throw MalformedRow(description: "column '\(column)' holds '\(text)', which is not a timestamp")
        }
        return date
    }
}

// MARK: - Records

extension RunRecord: StoredRecord {
    static let upsertSQL = makeUpsertSQL()
    static let table = "runs"
    static let columns = [
        "id", "name", "source_path", "workflow_yaml", "parameters_json", "workflow_digest", "governance_digest",
        "runtime", "signer_key_id", "phase", "message", "created_at", "started_at", "finished_at",
        "engine_process_id", "outputs_json", "isolation", "runtime_profile",
    ]
    static let primaryKey = ["id"]

    var values: [(any DatabaseValueConvertible)?] {
        [
            id, name, sourcePath, workflowYAML, parametersJSON, workflowDigest, governanceDigest, runtime,
            signerKeyID, phase.rawValue, message, StoreTimestamp.string(from: createdAt),
            startedAt.map(StoreTimestamp.string), finishedAt.map(StoreTimestamp.string), engineProcessID,
            outputsJSON, isolation, runtimeProfile,
        ]
    }

    init(row: Row) throws {
        let phase = try row.enumeration(RunPhase.self, "phase", what: "run phase")
        self.init(
            id: try row.decode(forColumn: "id"),
            name: try row.decode(forColumn: "name"),
            sourcePath: try row.decode(forColumn: "source_path"),
            workflowYAML: try row.decode(forColumn: "workflow_yaml"),
            parametersJSON: try row.decode(forColumn: "parameters_json"),
            workflowDigest: try row.decode(forColumn: "workflow_digest"),
            governanceDigest: try row.decode(forColumn: "governance_digest"),
            runtime: try row.decode(forColumn: "runtime"),
            signerKeyID: try row.decode(forColumn: "signer_key_id"),
            phase: phase,
            message: try row.decode(forColumn: "message"),
            createdAt: try row.timestamp("created_at"),
            startedAt: try row.optionalTimestamp("started_at"),
            finishedAt: try row.optionalTimestamp("finished_at"),
            engineProcessID: try row.decode(forColumn: "engine_process_id"),
            outputsJSON: try row.decode(forColumn: "outputs_json"),
            isolation: try row.decode(forColumn: "isolation"),
            runtimeProfile: try row.decode(forColumn: "runtime_profile")
        )
    }
}

extension NodeRecord: StoredRecord {
    static let upsertSQL = makeUpsertSQL()
    static let table = "nodes"
    static let columns = [
        "run_id", "id", "name", "display_name", "type", "template_name", "phase", "message", "boundary_id",
        "children_json", "inputs_json", "outputs_json", "started_at", "finished_at", "envelope_digest", "sequence",
        "progress", "memoization_hit", "memoization_key", "memoization_cache",
    ]
    static let primaryKey = ["run_id", "id"]

    var values: [(any DatabaseValueConvertible)?] {
        [
            runID, id, name, displayName, type.rawValue, templateName, phase.rawValue, message, boundaryID,
            childrenJSON, inputsJSON,
            outputsJSON, startedAt.map(StoreTimestamp.string), finishedAt.map(StoreTimestamp.string),
            envelopeDigest, sequence, progress, memoization?.hit, memoization?.key, memoization?.cacheName,
        ]
    }

    init(row: Row) throws {
        self.init(
            runID: try row.decode(forColumn: "run_id"),
            id: try row.decode(forColumn: "id"),
            name: try row.decode(forColumn: "name"),
            displayName: try row.decode(forColumn: "display_name"),
            type: try row.enumeration(NodeType.self, "type", what: "node type"),
            templateName: try row.decode(forColumn: "template_name"),
            phase: try row.enumeration(NodePhase.self, "phase", what: "node phase"),
            message: try row.decode(forColumn: "message"),
            boundaryID: try row.decode(forColumn: "boundary_id"),
            childrenJSON: try row.decode(forColumn: "children_json"),
            inputsJSON: try row.decode(forColumn: "inputs_json"),
            outputsJSON: try row.decode(forColumn: "outputs_json"),
            startedAt: try row.optionalTimestamp("started_at"),
            finishedAt: try row.optionalTimestamp("finished_at"),
            envelopeDigest: try row.decode(forColumn: "envelope_digest"),
            sequence: try row.decode(forColumn: "sequence"),
            progress: try row.decode(forColumn: "progress"),
            memoization: try Self.memoization(in: row)
        )
    }

    /// The memoization columns, all set or none.
    private static func memoization(in row: Row) throws -> MemoizationStatus? {
        guard let hit: Bool = try row.decode(forColumn: "memoization_hit"),
            let key: String = try row.decode(forColumn: "memoization_key"),
            let cacheName: String = try row.decode(forColumn: "memoization_cache")
        else { return nil }
        return MemoizationStatus(hit: hit, key: key, cacheName: cacheName)
    }
}

extension AttemptRecord: StoredRecord {
    static let upsertSQL = makeUpsertSQL()
    static let table = "attempts"
    static let columns = [
        "run_id", "node_id", "number", "process_id", "started_at", "finished_at", "exit_code", "signal",
        "stdout_path", "stderr_path", "outcome",
    ]
    static let primaryKey = ["run_id", "node_id", "number"]

    var values: [(any DatabaseValueConvertible)?] {
        [
            runID, nodeID, number, processID, StoreTimestamp.string(from: startedAt),
            finishedAt.map(StoreTimestamp.string), exitCode, signal, stdoutPath, stderrPath, outcome,
        ]
    }

    init(row: Row) throws {
        self.init(
            runID: try row.decode(forColumn: "run_id"),
            nodeID: try row.decode(forColumn: "node_id"),
            number: try row.decode(forColumn: "number"),
            processID: try row.decode(forColumn: "process_id"),
            startedAt: try row.timestamp("started_at"),
            finishedAt: try row.optionalTimestamp("finished_at"),
            exitCode: try row.decode(forColumn: "exit_code"),
            signal: try row.decode(forColumn: "signal"),
            stdoutPath: try row.decode(forColumn: "stdout_path"),
            stderrPath: try row.decode(forColumn: "stderr_path"),
            outcome: try row.decode(forColumn: "outcome")
        )
    }
}

extension EnvelopeRecord: StoredRecord {
    static let upsertSQL = makeUpsertSQL()
    static let table = "envelopes"
    static let columns = ["payload_digest", "run_id", "node_id", "key_id", "envelope_json", "created_at"]
    static let primaryKey = ["payload_digest"]

    var values: [(any DatabaseValueConvertible)?] {
        [payloadDigest, runID, nodeID, keyID, envelopeJSON, StoreTimestamp.string(from: createdAt)]
    }

    init(row: Row) throws {
        self.init(
            payloadDigest: try row.decode(forColumn: "payload_digest"),
            runID: try row.decode(forColumn: "run_id"),
            nodeID: try row.decode(forColumn: "node_id"),
            keyID: try row.decode(forColumn: "key_id"),
            envelopeJSON: try row.decode(forColumn: "envelope_json"),
            createdAt: try row.timestamp("created_at")
        )
    }
}

extension DenialRecord: StoredRecord {
    static let upsertSQL = makeUpsertSQL()
    static let table = "denials"
    static let columns = ["id", "run_id", "node_id", "input", "check", "message", "created_at"]
    static let primaryKey = ["id"]

    var values: [(any DatabaseValueConvertible)?] {
        [id, runID, nodeID, input, check, message, StoreTimestamp.string(from: createdAt)]
    }

    init(row: Row) throws {
        self.init(
            id: try row.decode(forColumn: "id"),
            runID: try row.decode(forColumn: "run_id"),
            nodeID: try row.decode(forColumn: "node_id"),
            input: try row.decode(forColumn: "input"),
            check: try row.decode(forColumn: "check"),
            message: try row.decode(forColumn: "message"),
            createdAt: try row.timestamp("created_at")
        )
    }
}

extension RevocationRecord {
    init(row: Row) throws {
        self.init(
            id: try row.decode(forColumn: "id"),
            kind: .key,
            value: try row.decode(forColumn: "value"),
            reason: try row.decode(forColumn: "reason"),
            createdAt: try row.timestamp("created_at")
        )
        kind = try row.decode(forColumn: "kind")
    }
}

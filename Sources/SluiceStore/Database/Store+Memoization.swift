import Foundation
import GRDB

extension Store {
    /// Saves a memoization entry, replacing the one with the same cache name and key.
    ///
    /// - Throws: `StoreError.database` when SQLite fails.
    package func saveMemoization(_ record: MemoizationRecord) throws(StoreError) {
        try Self.perform("saving memoization entry '\(record.key)' of cache '\(record.cacheName)'") {
            try pool.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO memoization_entries (cache_name, key, run_id, node_id, node_name, outputs_json,
                            envelope_digest, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (cache_name, key) DO UPDATE SET run_id = excluded.run_id,
                            node_id = excluded.node_id, node_name = excluded.node_name,
                            outputs_json = excluded.outputs_json, envelope_digest = excluded.envelope_digest,
                            created_at = excluded.created_at
                        """,
                    arguments: [
                        record.cacheName, record.key, record.runID, record.nodeID, record.nodeName,
                        record.outputsJSON, record.envelopeDigest, StoreTimestamp.string(from: record.createdAt),
                    ])
            }
        }
    }

    /// Every entry of a cache, oldest key first.
    ///
    /// - Throws: `StoreError.database` when SQLite fails or a row is malformed.
    package func memoizations(cacheName: String) throws(StoreError) -> [MemoizationRecord] {
        try Self.perform("reading memoization entries of cache '\(cacheName)'") {
            try pool.read { db in
                try Row.fetchAll(
                    db, sql: "SELECT * FROM memoization_entries WHERE cache_name = ? ORDER BY key",
                    arguments: [cacheName]
                ).map { row in
                    MemoizationRecord(
                        cacheName: row["cache_name"], key: row["key"], runID: row["run_id"], nodeID: row["node_id"],
                        nodeName: row["node_name"], outputsJSON: row["outputs_json"],
                        envelopeDigest: row["envelope_digest"], createdAt: try row.timestamp("created_at"))
                }
            }
        }
    }

    /// The entry for a cache name and key, or nil when there is none (its age is the caller's to judge).
    ///
    /// - Throws: `StoreError.database` when SQLite fails or the row is malformed.
    package func memoization(cacheName: String, key: String) throws(StoreError) -> MemoizationRecord? {
        try Self.perform("reading memoization entry '\(key)' of cache '\(cacheName)'") {
            try pool.read { db in
                try Row.fetchOne(
                    db, sql: "SELECT * FROM memoization_entries WHERE cache_name = ? AND key = ?",
                    arguments: [cacheName, key]
                ).map { row in
                    MemoizationRecord(
                        cacheName: row["cache_name"], key: row["key"], runID: row["run_id"], nodeID: row["node_id"],
                        nodeName: row["node_name"], outputsJSON: row["outputs_json"],
                        envelopeDigest: row["envelope_digest"], createdAt: try row.timestamp("created_at"))
                }
            }
        }
    }
}

import Foundation
import GRDB

extension Store {
    /// Deletes a run and every row that belongs to it (nodes, attempts, envelopes, denials, its submission
    /// attestation, the memoization entries it saved), in one transaction. Revocations stay: they are global.
    ///
    /// The caller checks first that no remaining run's envelope names this run's envelopes.
    /// - Throws: `StoreError.database` when SQLite fails.
    package func deleteRun(id: String) throws(StoreError) {
        try Self.perform("deleting run \(id)") {
            try pool.write { db in
                try db.execute(sql: "DELETE FROM attestations WHERE run_id = ?", arguments: [id])
                try db.execute(sql: "DELETE FROM memoization_entries WHERE run_id = ?", arguments: [id])
                try db.execute(sql: "DELETE FROM synchronization_leases WHERE run_id = ?", arguments: [id])
                try db.execute(sql: "DELETE FROM runs WHERE id = ?", arguments: [id])
            }
        }
    }

    /// Every memoization entry, whatever its cache.
    ///
    /// - Throws: `StoreError.database` when SQLite fails or a row is malformed.
    package func memoizations() throws(StoreError) -> [MemoizationRecord] {
        try Self.perform("listing memoization entries") {
            try pool.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM memoization_entries ORDER BY cache_name, key").map { row in
                    MemoizationRecord(
                        cacheName: row["cache_name"], key: row["key"], runID: row["run_id"], nodeID: row["node_id"],
                        nodeName: row["node_name"], outputsJSON: row["outputs_json"],
                        envelopeDigest: row["envelope_digest"], createdAt: try row.timestamp("created_at"))
                }
            }
        }
    }
}

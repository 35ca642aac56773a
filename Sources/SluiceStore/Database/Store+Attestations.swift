import Foundation
import GRDB

extension Store {
    /// Records an attestation; recording the same payload again is a no-op.
    ///
    /// - Throws: `StoreError.database` when SQLite fails (e.g. the run is not recorded).
    package func saveAttestation(_ record: AttestationRecord) throws(StoreError) {
        try Self.perform("recording the \(record.kind.rawValue) attestation of run \(record.runID)") {
            try pool.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO attestations (payload_digest, run_id, kind, key_id, envelope_json, created_at)
                        VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (payload_digest) DO NOTHING
                        """,
                    arguments: [
                        record.payloadDigest, record.runID, record.kind.rawValue, record.keyID, record.envelopeJSON,
                        StoreTimestamp.string(from: record.createdAt),
                    ])
            }
        }
    }

    /// The attestations of a run, oldest first.
    ///
    /// - Throws: `StoreError.database` when SQLite fails or a row is malformed.
    package func attestations(runID: String) throws(StoreError) -> [AttestationRecord] {
        try Self.perform("reading the attestations of run \(runID)") {
            try pool.read { db in
                try Row.fetchAll(
                    db, sql: "SELECT * FROM attestations WHERE run_id = ? ORDER BY created_at, rowid",
                    arguments: [runID]
                ).map { row in
                    guard let kind = AttestationRecord.Kind(rawValue: row["kind"]) else {
                        throw StoreError.database(
                            operation: "reading attestations",
                            underlying: "unknown kind '\(row["kind"] as String)'")
                    }
                    return AttestationRecord(
                        payloadDigest: row["payload_digest"], runID: row["run_id"], kind: kind, keyID: row["key_id"],
                        envelopeJSON: row["envelope_json"], createdAt: try row.timestamp("created_at"))
                }
            }
        }
    }
}

import GRDB
import SluiceSpec

extension Store {
    /// Each node of a run as its signed outcome records it (``NodeEnding``), in creation order: four columns instead
    /// of whole node records.
    ///
    /// - Throws: `StoreError.database` when SQLite fails or a row holds an unknown phase.
    package func nodeEndings(runID: String) throws(StoreError) -> [NodeEnding] {
        try Self.perform("listing the node phases of run \(runID)") {
            try pool.unsafeRead { db in
                try Row.fetchAll(
                    db.cachedStatement(
                        sql: """
                            SELECT id, phase, message, envelope_digest FROM nodes WHERE run_id = ?
                            ORDER BY sequence, id
                            """),
                    arguments: [runID]
                ).map { row in
                    NodeEnding(
                        id: try row.decode(forColumn: "id"),
                        phase: try row.enumeration(NodePhase.self, "phase", what: "node phase"),
                        message: try row.decode(forColumn: "message"),
                        envelopeDigest: try row.decode(forColumn: "envelope_digest"))
                }
            }
        }
    }

    /// The payload digests (hex) of a run's envelopes, without their JSON.
    ///
    /// - Throws: `StoreError.database` when SQLite fails.
    package func envelopeDigests(runID: String) throws(StoreError) -> [String] {
        try Self.perform("listing the envelope digests of run \(runID)") {
            try pool.unsafeRead { db in
                try String.fetchAll(
                    db.cachedStatement(sql: "SELECT payload_digest FROM envelopes WHERE run_id = ?"),
                    arguments: [runID])
            }
        }
    }
}

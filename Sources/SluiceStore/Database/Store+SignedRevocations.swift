package import Foundation
import GRDB

extension Store {
    /// Appends a revocation and the envelope that signs it, in one transaction; returns the stored pair.
    ///
    /// Both rows are append-only: the schema refuses updates and deletes. Any `id` in `revocation` is ignored.
    /// - Parameters:
    ///   - revocation: what is revoked and why.
    ///   - keyID: the in-toto keyid of the signing key.
    ///   - envelopeJSON: the DSSE envelope bytes, stored as given (the store does not verify them).
    /// - Throws: `StoreError.database` when SQLite fails (nothing is written then).
    @discardableResult
    package func addRevocation(
        _ revocation: RevocationRecord, signedBy keyID: String, envelopeJSON: Data
    ) throws(StoreError) -> SignedRevocationRecord {
        defer { revocationsAdded() }
        return try Self.perform("adding a signed revocation of \(revocation.kind) '\(revocation.value)'") {
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
                try db.execute(
                    sql: "INSERT INTO revocation_signatures (revocation_id, key_id, envelope_json) VALUES (?, ?, ?)",
                    arguments: [db.lastInsertedRowID, keyID, envelopeJSON]
                )
                return SignedRevocationRecord(revocation: stored, keyID: keyID, envelopeJSON: envelopeJSON)
            }
        }
    }

    /// Every revocation in the order added, each with its signing envelope when it has one.
    /// - Throws: `StoreError.database` when SQLite fails.
    package func signedRevocations() throws(StoreError) -> [SignedRevocationRecord] {
        try Self.perform("listing signed revocations") {
            try pool.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT revocations.*, revocation_signatures.key_id AS signature_key_id,
                               revocation_signatures.envelope_json AS signature_envelope_json
                        FROM revocations
                        LEFT JOIN revocation_signatures ON revocation_signatures.revocation_id = revocations.id
                        ORDER BY revocations.id
                        """
                ).map { row in
                    SignedRevocationRecord(
                        revocation: try RevocationRecord(row: row),
                        keyID: try row.decode(forColumn: "signature_key_id"),
                        envelopeJSON: try row.decode(forColumn: "signature_envelope_json"))
                }
            }
        }
    }
}

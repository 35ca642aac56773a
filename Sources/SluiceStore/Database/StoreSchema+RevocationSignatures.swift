extension StoreSchema {
    /// Identifier of the migration that adds `revocation_signatures`.
    static let revocationSignaturesMigration = "v4-revocation-signatures"

    /// One signed DSSE envelope per revocation (a revocation added before v2 has none); append-only like
    /// `revocations` itself, and written in the same transaction as the revocation it signs.
    static let revocationSignatures = """
        CREATE TABLE revocation_signatures (
            revocation_id INTEGER NOT NULL PRIMARY KEY REFERENCES revocations (id),
            key_id TEXT NOT NULL,
            envelope_json BLOB NOT NULL
        );

        CREATE TRIGGER revocation_signatures_are_append_only_update BEFORE UPDATE ON revocation_signatures
        BEGIN SELECT RAISE(ABORT, 'revocation signatures are append-only'); END;
        CREATE TRIGGER revocation_signatures_are_append_only_delete BEFORE DELETE ON revocation_signatures
        BEGIN SELECT RAISE(ABORT, 'revocation signatures are append-only'); END;
        """
}

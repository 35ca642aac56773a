extension StoreSchema {
    /// Identifier of the migration that adds `attestations`: submission attestations, one per run.
    static let attestationsMigration = "v6-attestations"

    /// Signed attestations that are not node lineage: the submission attestation that roots a run's trust slope.
    /// Keyed by payload digest; append-only (a run's submission is never replaced).
    static let attestations = """
        CREATE TABLE attestations (
            payload_digest TEXT NOT NULL PRIMARY KEY,
            run_id TEXT NOT NULL REFERENCES runs(id),
            kind TEXT NOT NULL CHECK (kind IN ('submission')),
            key_id TEXT NOT NULL,
            envelope_json BLOB NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX attestations_by_run ON attestations(run_id, kind);
        """

    /// Identifier of the migration that admits run attestations (kind `run`) besides submissions.
    static let runAttestationsMigration = "v8-run-attestations"

    /// `attestations` again, its kind now `submission` or `run` (the lineage key's signature over how a run ended;
    /// a resumed run adds another). SQLite cannot change a CHECK constraint in place: the table is rebuilt.
    static let runAttestations = """
        CREATE TABLE attestations_v8 (
            payload_digest TEXT NOT NULL PRIMARY KEY,
            run_id TEXT NOT NULL REFERENCES runs(id),
            kind TEXT NOT NULL CHECK (kind IN ('submission', 'run')),
            key_id TEXT NOT NULL,
            envelope_json BLOB NOT NULL,
            created_at TEXT NOT NULL
        );
        INSERT INTO attestations_v8 (payload_digest, run_id, kind, key_id, envelope_json, created_at)
            SELECT payload_digest, run_id, kind, key_id, envelope_json, created_at FROM attestations ORDER BY rowid;
        DROP INDEX attestations_by_run;
        DROP TABLE attestations;
        ALTER TABLE attestations_v8 RENAME TO attestations;
        CREATE INDEX attestations_by_run ON attestations(run_id, kind);
        """
}

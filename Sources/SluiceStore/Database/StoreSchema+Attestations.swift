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
}

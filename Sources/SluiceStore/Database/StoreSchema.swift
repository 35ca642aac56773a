import GRDB

/// The versioned schema of `sluice.db`. Never edit a registered migration: append a new one.
enum StoreSchema {
    /// Migration identifiers in the order they are applied.
    static let migrationIdentifiers = [
        "v1-runs-nodes-attempts-envelopes", workflowTemplatesMigration, revocationSignaturesMigration,
        controlMigration, attestationsMigration, nodeProgressMigration, runAttestationsMigration,
        runLeasesMigration, nodeMemoizationMigration,
    ]

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-runs-nodes-attempts-envelopes") { db in
            try db.execute(sql: version1)
        }
        migrator.registerMigration(workflowTemplatesMigration) { db in
            try db.execute(sql: workflowTemplates)
        }
        migrator.registerMigration(revocationSignaturesMigration) { db in
            try db.execute(sql: revocationSignatures)
        }
        migrator.registerMigration(controlMigration) { db in
            try db.execute(sql: control)
        }
        migrator.registerMigration(attestationsMigration) { db in
            try db.execute(sql: attestations)
        }
        migrator.registerMigration(nodeProgressMigration) { db in
            try db.execute(sql: nodeProgress)
        }
        migrator.registerMigration(runAttestationsMigration) { db in
            try db.execute(sql: runAttestations)
        }
        migrator.registerMigration(runLeasesMigration) { db in
            try db.execute(sql: runLeases)
        }
        migrator.registerMigration(nodeMemoizationMigration, migrate: addNodeMemoization)
        return migrator
    }

    private static let version1 = """
        CREATE TABLE runs (
            id TEXT NOT NULL PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            source_path TEXT NOT NULL,
            workflow_yaml TEXT NOT NULL,
            parameters_json TEXT NOT NULL,
            workflow_digest TEXT NOT NULL,
            governance_digest TEXT NOT NULL,
            runtime TEXT NOT NULL,
            signer_key_id TEXT NOT NULL,
            phase TEXT NOT NULL CHECK (phase IN ('Pending', 'Running', 'Succeeded', 'Failed', 'Error')),
            message TEXT,
            created_at TEXT NOT NULL,
            started_at TEXT,
            finished_at TEXT,
            engine_process_id INTEGER,
            outputs_json TEXT
        );
        CREATE INDEX runs_by_creation ON runs (created_at);

        CREATE TABLE nodes (
            run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            id TEXT NOT NULL,
            name TEXT NOT NULL,
            display_name TEXT NOT NULL,
            type TEXT NOT NULL,
            template_name TEXT,
            phase TEXT NOT NULL,
            message TEXT,
            boundary_id TEXT,
            children_json TEXT NOT NULL,
            inputs_json TEXT,
            outputs_json TEXT,
            started_at TEXT,
            finished_at TEXT,
            envelope_digest TEXT,
            sequence INTEGER NOT NULL,
            PRIMARY KEY (run_id, id)
        );
        CREATE INDEX nodes_by_sequence ON nodes (run_id, sequence);

        CREATE TABLE attempts (
            run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            node_id TEXT NOT NULL,
            number INTEGER NOT NULL,
            process_id INTEGER,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            exit_code INTEGER,
            signal INTEGER,
            stdout_path TEXT,
            stderr_path TEXT,
            outcome TEXT,
            PRIMARY KEY (run_id, node_id, number),
            FOREIGN KEY (run_id, node_id) REFERENCES nodes (run_id, id) ON DELETE CASCADE
        );

        CREATE TABLE envelopes (
            payload_digest TEXT NOT NULL PRIMARY KEY,
            run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            node_id TEXT NOT NULL,
            key_id TEXT NOT NULL,
            envelope_json BLOB NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX envelopes_by_run ON envelopes (run_id, created_at);

        CREATE TABLE denials (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            node_id TEXT NOT NULL,
            input TEXT,
            "check" TEXT NOT NULL,
            message TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX denials_by_run ON denials (run_id, id);

        CREATE TABLE revocations (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL CHECK (kind IN ('key', 'envelope')),
            value TEXT NOT NULL,
            reason TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX revocations_by_value ON revocations (kind, value);

        CREATE TRIGGER revocations_are_append_only_update BEFORE UPDATE ON revocations
        BEGIN SELECT RAISE(ABORT, 'revocations are append-only'); END;
        CREATE TRIGGER revocations_are_append_only_delete BEFORE DELETE ON revocations
        BEGIN SELECT RAISE(ABORT, 'revocations are append-only'); END;
        """
}

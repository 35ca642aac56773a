extension StoreSchema {
    /// Identifier of the migration that adds run leases, node processes and the run's isolation settings.
    static let runLeasesMigration = "v9-run-leases-node-processes"

    /// `run_leases`: at most one row per run, the engine process (`sluice run` or `sluice resume`) driving it, so
    /// that two engines never drive one run. A lease whose process has died is taken over.
    ///
    /// `node_processes`: what each node's runtime started (the process group of a process node, the container
    /// name of a container node), written at spawn time so that a resumed run can kill what a dead engine left.
    ///
    /// `runs.isolation` and `runs.runtime_profile`: the isolation the run's process nodes ran under and the text of
    /// its runtime profile, so that `sluice resume` continues the run as it was submitted.
    ///
    /// `synchronization_leases` gain the holder's start time and host, to tell a live holder from a reused pid.
    static let runLeases = """
        CREATE TABLE run_leases (
            run_id TEXT NOT NULL PRIMARY KEY,
            process_id INTEGER NOT NULL,
            process_start_time INTEGER,
            host TEXT NOT NULL,
            acquired_at TEXT NOT NULL
        );

        CREATE TABLE node_processes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            run_id TEXT NOT NULL,
            node_id TEXT NOT NULL,
            runtime TEXT NOT NULL,
            process_group INTEGER,
            process_start_time INTEGER,
            container_name TEXT,
            host TEXT NOT NULL,
            started_at TEXT NOT NULL
        );
        CREATE INDEX node_processes_by_run ON node_processes (run_id, node_id);

        ALTER TABLE runs ADD COLUMN isolation TEXT;
        ALTER TABLE runs ADD COLUMN runtime_profile TEXT;
        ALTER TABLE synchronization_leases ADD COLUMN process_start_time INTEGER;
        ALTER TABLE synchronization_leases ADD COLUMN host TEXT;
        """
}

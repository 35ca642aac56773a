extension StoreSchema {
    /// Identifier of the migration that adds `memoization_entries` and `synchronization_leases`.
    static let controlMigration = "v5-memoization-synchronization"

    /// `memoization_entries`: one row per (cache name, rendered key), the outputs of the last Succeeded node that
    /// saved it and the payload digest of that node's envelope (nil for steps and DAG nodes, which sign nothing).
    /// No foreign key to `runs`: an entry keeps naming the run it came from.
    ///
    /// `synchronization_leases`: one row per lock held (`lock_name` such as `default/Mutex/test`) by a holder (a run,
    /// or a node of a run), with the holding process, so that leases of dead processes can be reclaimed.
    static let control = """
        CREATE TABLE memoization_entries (
            cache_name TEXT NOT NULL,
            key TEXT NOT NULL,
            run_id TEXT NOT NULL,
            node_id TEXT NOT NULL,
            node_name TEXT NOT NULL,
            outputs_json TEXT NOT NULL,
            envelope_digest TEXT,
            created_at TEXT NOT NULL,
            PRIMARY KEY (cache_name, key)
        );

        CREATE TABLE synchronization_leases (
            lock_name TEXT NOT NULL,
            holder TEXT NOT NULL,
            run_id TEXT NOT NULL,
            run_name TEXT NOT NULL,
            node_name TEXT,
            process_id INTEGER NOT NULL,
            acquired_at TEXT NOT NULL,
            PRIMARY KEY (lock_name, holder)
        );
        CREATE INDEX synchronization_leases_by_holder ON synchronization_leases (holder);
        """
}

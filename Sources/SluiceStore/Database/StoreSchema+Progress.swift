extension StoreSchema {
    /// Identifier of the migration that adds `nodes.progress`: a pod's own `N/M` from `ARGO_PROGRESS_FILE`.
    static let nodeProgressMigration = "v7-node-progress"

    /// A pod's reported progress (Argo's `NodeStatus.progress`); NULL when the pod reported none.
    static let nodeProgress = """
        ALTER TABLE nodes ADD COLUMN progress TEXT;
        """
}

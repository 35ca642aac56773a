extension StoreSchema {
    /// Identifier of the migration that adds `workflow_templates`, the local template registry.
    static let workflowTemplatesMigration = "v3-workflow-templates"

    /// One row per registered WorkflowTemplate or ClusterWorkflowTemplate, keyed by kind and name
    /// (`sluice template create` replaces a document of the same kind and name).
    static let workflowTemplates = """
        CREATE TABLE workflow_templates (
            kind TEXT NOT NULL CHECK (kind IN ('WorkflowTemplate', 'ClusterWorkflowTemplate')),
            name TEXT NOT NULL,
            document_yaml TEXT NOT NULL,
            source_path TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (kind, name)
        );
        """
}

import Foundation
import GRDB

extension Store {
    /// Registers a template document, replacing one of the same kind and name.
    ///
    /// - Returns: true when a document of that kind and name was replaced, false when it is new.
    /// - Throws: `StoreError.database` when SQLite fails (also for a kind other than WorkflowTemplate or
    ///   ClusterWorkflowTemplate, which the table refuses).
    @discardableResult
    package func saveTemplate(_ record: TemplateRecord) throws(StoreError) -> Bool {
        try Self.perform("registering \(record.kind) '\(record.name)'") {
            try pool.write { db in
                let existed =
                    try Bool.fetchOne(
                        db, sql: "SELECT EXISTS (SELECT 1 FROM workflow_templates WHERE kind = ? AND name = ?)",
                        arguments: [record.kind, record.name]) ?? false
                try db.execute(
                    sql: """
                        INSERT INTO workflow_templates (kind, name, document_yaml, source_path, created_at)
                        VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT (kind, name) DO UPDATE SET document_yaml = excluded.document_yaml,
                            source_path = excluded.source_path, created_at = excluded.created_at
                        """,
                    arguments: [
                        record.kind, record.name, record.documentYAML, record.sourcePath,
                        StoreTimestamp.string(from: record.createdAt),
                    ])
                return existed
            }
        }
    }

    /// Every registered template document, ordered by name, then kind.
    ///
    /// - Throws: `StoreError.database` when SQLite fails or a row is malformed.
    package func templates() throws(StoreError) -> [TemplateRecord] {
        try Self.perform("reading the registered templates") {
            try pool.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM workflow_templates ORDER BY name, kind").map { row in
                    TemplateRecord(
                        kind: row["kind"], name: row["name"], documentYAML: row["document_yaml"],
                        sourcePath: row["source_path"], createdAt: try row.timestamp("created_at"))
                }
            }
        }
    }

    /// Removes the registered documents named `name` (of `kind` only, when given).
    ///
    /// - Returns: how many documents were removed (0 when none had that name).
    /// - Throws: `StoreError.database` when SQLite fails.
    @discardableResult
    package func deleteTemplate(named name: String, kind: String? = nil) throws(StoreError) -> Int {
        try Self.perform("deleting template '\(name)'") {
            try pool.write { db in
                if let kind {
                    try db.execute(
                        sql: "DELETE FROM workflow_templates WHERE name = ? AND kind = ?",
                        arguments: [name, kind])
                } else {
                    try db.execute(sql: "DELETE FROM workflow_templates WHERE name = ?", arguments: [name])
                }
                return db.changesCount
            }
        }
    }
}

import GRDB
import SluiceSpec

extension StoreSchema {
    static let nodeMemoizationMigration = "v10-node-memoization"

    /// A node's memoization outcome (Argo's `NodeStatus.memoizationStatus`) as columns of its own; NULL for nodes
    /// without memoization. Rows recorded before keep it only in their message, which is read back once here.
    static func addNodeMemoization(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE nodes ADD COLUMN memoization_hit INTEGER;
                ALTER TABLE nodes ADD COLUMN memoization_key TEXT;
                ALTER TABLE nodes ADD COLUMN memoization_cache TEXT;
                """)
        let rows = try Row.fetchAll(
            db, sql: "SELECT run_id, id, message FROM nodes WHERE message LIKE 'Memoization %'")
        for row in rows {
            guard let status = MemoizationStatus(message: row["message"]) else { continue }
            try db.execute(
                sql: """
                    UPDATE nodes SET memoization_hit = ?, memoization_key = ?, memoization_cache = ?
                    WHERE run_id = ? AND id = ?
                    """,
                arguments: [status.hit, status.key, status.cacheName, row["run_id"], row["id"]])
        }
    }
}

import GRDB

/// What the database of a store looks like: applied migrations, tables, indexes and connection settings.
///
/// For diagnostics (`sluice doctor`-style output) and tests; reading it has no side effects.
package struct StoreSchemaReport: Sendable, Equatable {
    /// Migration identifiers applied to the database, in application order.
    package var appliedMigrations: [String]
    /// Each table of ours (GRDB's and SQLite's bookkeeping tables excluded) with its columns in order.
    package var tables: [String: [String]]
    /// Names of the explicitly created indexes, sorted.
    package var indexes: [String]
    /// `PRAGMA journal_mode` of the writer connection, e.g. `wal`.
    package var journalMode: String
    /// `PRAGMA synchronous` of the writer connection (1 is NORMAL).
    package var synchronous: Int
    /// `PRAGMA busy_timeout` of the writer connection, in milliseconds.
    package var busyTimeoutMilliseconds: Int
    /// Whether foreign keys are enforced on the writer connection.
    package var foreignKeysEnabled: Bool
}

extension Store {
    /// Describes the database schema and the writer connection's settings.
    /// - Throws: `StoreError.database` when SQLite fails.
    package func schemaReport() throws(StoreError) -> StoreSchemaReport {
        try Self.perform("reading the schema of \(databasePath)") {
            try pool.writeWithoutTransaction { db in
                let migrations = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid")
                let tableNames = try String.fetchAll(
                    db,
                    sql: """
                        SELECT name FROM sqlite_master WHERE type = 'table'
                        AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'grdb_%' ORDER BY name
                        """)
                var tables: [String: [String]] = [:]
                for table in tableNames {
                    tables[table] = try db.columns(in: table).map(\.name)
                }
                return StoreSchemaReport(
                    appliedMigrations: migrations,
                    tables: tables,
                    indexes: try String.fetchAll(
                        db,
                        sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name"),
                    journalMode: try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "",
                    synchronous: try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1,
                    busyTimeoutMilliseconds: try Int.fetchOne(db, sql: "PRAGMA busy_timeout") ?? -1,
                    foreignKeysEnabled: try Bool.fetchOne(db, sql: "PRAGMA foreign_keys") ?? false
                )
            }
        }
    }

    /// Executes raw SQL on the writer connection. Internal: for tests that need to tamper with the database.
    func executeRawSQL(_ sql: String) throws(StoreError) {
        try Self.perform("executing raw SQL") {
            try pool.writeWithoutTransaction { db in try db.execute(sql: sql) }
        }
    }
}

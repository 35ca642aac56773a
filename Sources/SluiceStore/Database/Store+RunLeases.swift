import Foundation
import GRDB
import Synchronization

extension Store {
    // MARK: - Run leases

    /// Takes the run's lease for `lease.holder`, in one immediate transaction, unless a live process holds it.
    ///
    /// Several `sluice run`/`sluice resume` processes may call this at once for one run; SQLite serializes them, so
    /// exactly one gets `.acquired`. A holder asking again keeps its lease. A lease whose holder `isAlive` denies is
    /// replaced, and returned as `previous`.
    /// - Returns: `.acquired(previous:)`, or `.held(by:)` naming the live holder.
    /// - Throws: `StoreError.database` when SQLite fails.
    package func acquireRunLease(_ lease: RunLease, isAlive: HolderLiveness) throws(StoreError) -> RunLeaseOutcome {
        try Self.perform("taking the lease of run \(lease.runID)") {
            try pool.writeWithoutTransaction { db in
                var outcome = RunLeaseOutcome.acquired(previous: nil)
                try db.inTransaction(.immediate) {
                    let row = try Row.fetchOne(
                        db, sql: "SELECT * FROM run_leases WHERE run_id = ?", arguments: [lease.runID])
                    if let row {
                        let current = try Self.runLease(row)
                        if current.holder == lease.holder { return .commit }
                        if isAlive(current.holder) {
                            outcome = .held(by: current)
                            return .rollback
                        }
                        outcome = .acquired(previous: current)
                    }
                    try db.execute(
                        sql: """
                            INSERT OR REPLACE INTO run_leases
                                (run_id, process_id, process_start_time, host, acquired_at) VALUES (?, ?, ?, ?, ?)
                            """,
                        arguments: [
                            lease.runID, lease.holder.processID, lease.holder.startTime.map { Int64($0) },
                            lease.holder.host, StoreTimestamp.string(from: lease.acquiredAt),
                        ])
                    return .commit
                }
                return outcome
            }
        }
    }

    /// Gives back the run's lease if `holder` holds it; nothing happens otherwise.
    ///
    /// - Throws: `StoreError.database` when SQLite fails.
    package func releaseRunLease(runID: String, holder: LeaseHolder) throws(StoreError) {
        try Self.perform("releasing the lease of run \(runID)") {
            try pool.write { db in
                try db.execute(
                    sql: "DELETE FROM run_leases WHERE run_id = ? AND process_id = ? AND process_start_time IS ?",
                    arguments: [runID, holder.processID, holder.startTime.map { Int64($0) }])
            }
        }
    }

    /// The run's lease as recorded (its holder may have died), or nil.
    ///
    /// - Throws: `StoreError.database` when SQLite fails or the row is malformed.
    package func runLease(runID: String) throws(StoreError) -> RunLease? {
        try Self.perform("reading the lease of run \(runID)") {
            try pool.read { db in
                try Row.fetchOne(db, sql: "SELECT * FROM run_leases WHERE run_id = ?", arguments: [runID])
                    .map(Self.runLease)
            }
        }
    }

    private static func runLease(_ row: Row) throws -> RunLease {
        let start: Int64? = row["process_start_time"]
        return RunLease(
            runID: row["run_id"],
            holder: LeaseHolder(processID: row["process_id"], startTime: start.map { UInt64($0) }, host: row["host"]),
            acquiredAt: try row.timestamp("acquired_at"))
    }

    // MARK: - Node processes

    /// Records what a node's runtime just started (one short transaction; called at spawn time), with `nodes`:
    /// rows the engine has not written yet (the node's own, created but not recorded until it starts).
    ///
    /// - Returns: the row's id, for ``forgetNodeProcesses(ids:)``.
    /// - Throws: `StoreError.recordReferencesUnknownRun` for a node of an unknown run, `.database` when SQLite
    ///   fails.
    @discardableResult
    package func recordNodeProcess(_ record: NodeProcessRecord, with nodes: [NodeRecord] = []) throws(StoreError)
        -> Int64
    {
        let forgotten = forgottenProcesses.withLock { pending in
            defer { pending.removeAll() }
            return pending
        }
        do {
            return try insertNodeProcess(record, nodes: nodes, deleting: forgotten)
        } catch {
            forgottenProcesses.withLock { $0 += forgotten }
            throw error
        }
    }

    /// Upserts `nodes`, inserts `record` and deletes the forgotten rows `forgotten`, in one transaction.
    private func insertNodeProcess(_ record: NodeProcessRecord, nodes: [NodeRecord], deleting forgotten: [Int64])
        throws(StoreError) -> Int64
    {
        try Self.perform("recording a process of node \(record.nodeID)") {
            try pool.write { db in
                if !nodes.isEmpty { try Self.apply(Transition(nodes: nodes), in: db) }
                try Self.deleteNodeProcesses(forgotten, in: db)
                // Cached: one insert per node.
                try db.cachedStatement(
                    sql: """
                        INSERT INTO node_processes (run_id, node_id, runtime, process_group, process_start_time,
                            container_name, host, started_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """
                ).execute(
                    arguments: [
                        record.runID, record.nodeID, record.runtime, record.processGroup,
                        record.processStartTime.map { Int64($0) }, record.containerName, record.host,
                        StoreTimestamp.string(from: record.startedAt),
                    ])
                return db.lastInsertedRowID
            }
        }
    }

    /// Forgets recorded node processes by row id (those of one runtime call, once it returned).
    ///
    /// The rows are deleted with the next write transaction (the node's own end, as a rule) rather than in one of
    /// their own: a transaction fewer per node. Until then this process's reads of them (``nodeProcesses(runID:)``)
    /// do not see them; another process may, and one that resumes after this engine died kills nothing through
    /// them: their groups are gone (a reused pid has another start time).
    package func forgetNodeProcesses(ids: [Int64]) throws(StoreError) {
        guard !ids.isEmpty else { return }
        forgottenProcesses.withLock { $0 += ids }
    }

    /// Deletes the forgotten rows `ids` in `db`'s transaction.
    static func deleteNodeProcesses(_ ids: [Int64], in db: Database) throws {
        guard !ids.isEmpty else { return }
        let delete = try db.cachedStatement(sql: "DELETE FROM node_processes WHERE id = ?")
        for id in ids { try delete.execute(arguments: [id]) }
    }

    /// Deletes the rows ``forgetNodeProcesses(ids:)`` left for the next write, now.
    private func deleteForgottenProcesses() throws(StoreError) {
        let forgotten = forgottenProcesses.withLock { pending in
            defer { pending.removeAll() }
            return pending
        }
        guard !forgotten.isEmpty else { return }
        do {
            try Self.perform("forgetting \(forgotten.count) node processes") {
                try pool.write { db in try Self.deleteNodeProcesses(forgotten, in: db) }
            }
        } catch {
            forgottenProcesses.withLock { $0 += forgotten }
            throw error
        }
    }

    /// What the run's nodes started and nobody has forgotten yet, oldest first.
    ///
    /// - Throws: `StoreError.database` when SQLite fails or a row is malformed.
    package func nodeProcesses(runID: String) throws(StoreError) -> [NodeProcessRecord] {
        try deleteForgottenProcesses()
        return try Self.perform("listing the node processes of run \(runID)") {
            try pool.read { db in
                try Row.fetchAll(
                    db, sql: "SELECT * FROM node_processes WHERE run_id = ? ORDER BY id", arguments: [runID]
                )
                .map { row in
                    let start: Int64? = row["process_start_time"]
                    return NodeProcessRecord(
                        runID: row["run_id"], nodeID: row["node_id"], runtime: row["runtime"],
                        processGroup: row["process_group"],
                        processStartTime: start.map { UInt64($0) }, containerName: row["container_name"],
                        host: row["host"], startedAt: try row.timestamp("started_at"))
                }
            }
        }
    }

    /// Forgets the recorded processes of a node (once it ended), or of the whole run when `nodeID` is nil.
    ///
    /// - Throws: `StoreError.database` when SQLite fails.
    package func forgetNodeProcesses(runID: String, nodeID: String? = nil) throws(StoreError) {
        try deleteForgottenProcesses()
        try Self.perform("forgetting the node processes of run \(runID)") {
            try pool.write { db in
                if let nodeID {
                    try db.execute(
                        sql: "DELETE FROM node_processes WHERE run_id = ? AND node_id = ?", arguments: [runID, nodeID])
                } else {
                    try db.execute(sql: "DELETE FROM node_processes WHERE run_id = ?", arguments: [runID])
                }
            }
        }
    }
}

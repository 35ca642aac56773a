import Foundation
import GRDB

extension Store {
    /// Takes every lock in `requests` for `lease`'s holder, or none of them, in one immediate transaction.
    ///
    /// Before counting holders, leases that can no longer be held are reclaimed: those of a process that has died
    /// and those of a run that has finished. A holder that already holds a lock keeps it (asking again is harmless).
    /// Several `sluice run` processes may call this at once on one state directory; SQLite serializes them.
    /// - Parameters:
    ///   - requests: the locks and their limits (1 for a mutex).
    ///   - lease: the holder's lease; its `lockName` is ignored and replaced by each request's.
    ///   - isAlive: whether a recorded holding process still runs (the caller's rule, e.g. `ProcessIdentity`).
    /// - Returns: `.acquired`, or `.busy` naming the first full lock, its limit and its current holders.
    /// - Throws: `StoreError.database` when SQLite fails.
    package func acquireLeases(_ requests: [LeaseRequest], as lease: LockLease, isAlive: HolderLiveness)
        throws(StoreError) -> LeaseOutcome
    {
        try Self.perform("acquiring \(requests.map(\.lockName).joined(separator: ", ")) for \(lease.holder)") {
            try pool.writeWithoutTransaction { db in
                var outcome = LeaseOutcome.acquired
                try db.inTransaction(.immediate) {
                    for request in requests {
                        let holders = try Self.liveLeases(db, lockName: request.lockName, isAlive: isAlive)
                        if holders.contains(where: { $0.holder == lease.holder }) { continue }
                        if holders.count >= request.limit {
                            outcome = .busy(lockName: request.lockName, limit: request.limit, holders: holders)
                            return .rollback
                        }
                    }
                    for request in requests {
                        try db.execute(
                            sql: """
                                INSERT OR IGNORE INTO synchronization_leases
                                    (lock_name, holder, run_id, run_name, node_name, process_id, acquired_at,
                                     process_start_time, host)
                                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                                """,
                            arguments: [
                                request.lockName, lease.holder, lease.runID, lease.runName, lease.nodeName,
                                lease.processID, StoreTimestamp.string(from: lease.acquiredAt),
                                lease.processStartTime.map { Int64($0) }, lease.host,
                            ])
                    }
                    return .commit
                }
                return outcome
            }
        }
    }

    /// Gives back every lock `holder` holds.
    ///
    /// - Throws: `StoreError.database` when SQLite fails.
    package func releaseLeases(holder: String) throws(StoreError) {
        try Self.perform("releasing the locks of \(holder)") {
            try pool.write { db in
                try db.execute(sql: "DELETE FROM synchronization_leases WHERE holder = ?", arguments: [holder])
            }
        }
    }

    /// The leases currently recorded, oldest first; of one lock when `lockName` is given. Nothing is reclaimed here.
    ///
    /// - Throws: `StoreError.database` when SQLite fails or a row is malformed.
    package func leases(lockName: String? = nil) throws(StoreError) -> [LockLease] {
        try Self.perform("reading the synchronization leases") {
            try pool.read { db in
                let rows =
                    if let lockName {
                        try Row.fetchAll(
                            db, sql: "SELECT * FROM synchronization_leases WHERE lock_name = ? ORDER BY acquired_at",
                            arguments: [lockName])
                    } else {
                        try Row.fetchAll(db, sql: "SELECT * FROM synchronization_leases ORDER BY acquired_at")
                    }
                return try rows.map(Self.lease)
            }
        }
    }

    /// The holders of a lock after deleting the leases that can no longer be held.
    private static func liveLeases(_ db: Database, lockName: String, isAlive: HolderLiveness) throws -> [LockLease] {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT l.*, r.phase AS run_phase FROM synchronization_leases l LEFT JOIN runs r ON r.id = l.run_id
                WHERE l.lock_name = ? ORDER BY l.acquired_at
                """,
            arguments: [lockName])
        var live: [LockLease] = []
        for row in rows {
            let lease = try lease(row)
            let runPhase: String? = row["run_phase"]
            let runEnded = ["Succeeded", "Failed", "Error"].contains(runPhase ?? "")
            if runEnded || !isAlive(lease.holderProcess) {
                try db.execute(
                    sql: "DELETE FROM synchronization_leases WHERE lock_name = ? AND holder = ?",
                    arguments: [lease.lockName, lease.holder])
            } else {
                live.append(lease)
            }
        }
        return live
    }

    private static func lease(_ row: Row) throws -> LockLease {
        let start: Int64? = row["process_start_time"]
        return LockLease(
            lockName: row["lock_name"], holder: row["holder"], runID: row["run_id"], runName: row["run_name"],
            nodeName: row["node_name"], processID: row["process_id"], acquiredAt: try row.timestamp("acquired_at"),
            processStartTime: start.map { UInt64($0) }, host: row["host"])
    }
}

package import Foundation

/// A lock (mutex or semaphore slot) held by a run or one of its nodes, recorded in `synchronization_leases`.
package struct LockLease: Sendable, Equatable {
    /// The lock, as Argo names it: `default/Mutex/NAME` or `default/ConfigMap/CONFIGMAP/KEY`.
    package var lockName: String
    /// Who holds it: the run id for a workflow-level lock, `RUNID/NODEID` for a template-level one.
    package var holder: String
    package var runID: String
    /// The run's name, for "Waiting for ..." messages.
    package var runName: String
    /// The holding node's display name; nil for a workflow-level lock.
    package var nodeName: String?
    /// The `sluice run` process holding it; a lease whose process has died is reclaimed.
    package var processID: Int32
    /// When it was acquired (truncated to whole milliseconds).
    package var acquiredAt: Date
    /// The holding process's start time, to tell it from a later process given the same pid; nil when unknown.
    package var processStartTime: UInt64?
    /// The holding process's host; nil when unknown (this host).
    package var host: String?

    /// The holding process as ``Store/acquireLeases(_:as:isAlive:)`` asks about it.
    package var holderProcess: LeaseHolder {
        LeaseHolder(processID: processID, startTime: processStartTime, host: host)
    }

    /// Creates a lease; `acquiredAt` is truncated to whole milliseconds.
    package init(
        lockName: String, holder: String, runID: String, runName: String, nodeName: String?, processID: Int32,
        acquiredAt: Date, processStartTime: UInt64? = nil, host: String? = nil
    ) {
        self.processStartTime = processStartTime
        self.host = host
        self.lockName = lockName
        self.holder = holder
        self.runID = runID
        self.runName = runName
        self.nodeName = nodeName
        self.processID = processID
        self.acquiredAt = StoreTimestamp.truncated(acquiredAt)
    }
}

/// One lock a holder asks for, with how many holders it admits (1 for a mutex).
package struct LeaseRequest: Sendable, Equatable {
    package var lockName: String
    package var limit: Int

    package init(lockName: String, limit: Int) {
        self.lockName = lockName
        self.limit = limit
    }
}

/// The answer to ``Store/acquireLeases(_:as:isAlive:)``: all locks taken, or the first one that is full and who holds it.
package enum LeaseOutcome: Sendable, Equatable {
    case acquired
    case busy(lockName: String, limit: Int, holders: [LockLease])
}

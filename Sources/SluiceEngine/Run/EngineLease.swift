import Foundation
package import SluiceRuntimes
package import SluiceStore

extension ProcessIdentity {
    /// The process a recorded lease names (a record without a host is from this host).
    package init(_ holder: LeaseHolder) {
        self.init(processID: holder.processID, startTime: holder.startTime, host: holder.host ?? Self.hostName)
    }

    /// This identity as the store records a lease holder.
    package var leaseHolder: LeaseHolder {
        LeaseHolder(processID: processID, startTime: startTime, host: host)
    }

    /// The liveness rule for every lease the store keeps (runs and synchronization locks).
    package static func isAlive(_ holder: LeaseHolder) -> Bool {
        ProcessIdentity(holder).isAlive
    }
}

/// This engine process's exclusive hold on one run: only the holder of a run's lease drives it.
///
/// `sluice run` takes it when it submits the run, `sluice resume` before it reads what the run has done; a lease
/// whose holder died (pid gone, or reused by a process with another start time) is taken over. Released when the
/// engine is done with the run; a crash leaves it to be taken over.
package struct EngineLease: Sendable {
    package let runID: String
    package let holder: ProcessIdentity
    private let store: Store

    /// Takes the lease of run `runID` for this process.
    ///
    /// - Returns: the lease, and the dead holder's lease it replaced, if any.
    /// - Throws: ``EngineError/runLeased(run:holder:since:)`` when a live process holds it,
    ///   ``EngineError/stateUnavailable(reason:)`` when the database fails.
    package static func take(runID: String, runName: String, store: Store) throws(EngineError)
        -> (lease: EngineLease, previous: RunLease?)
    {
        let holder = ProcessIdentity.current
        let outcome: RunLeaseOutcome
        do {
            outcome = try store.acquireRunLease(
                RunLease(runID: runID, holder: holder.leaseHolder, acquiredAt: Date()),
                isAlive: ProcessIdentity.isAlive)
        } catch {
            throw .stateUnavailable(reason: error.description)
        }
        switch outcome {
        case .acquired(let previous):
            return (EngineLease(runID: runID, holder: holder, store: store), previous)
        case .held(let current):
            throw .runLeased(
                run: runName, holder: ProcessIdentity(current.holder).description,
                since: StoreTimestamp.string(from: current.acquiredAt))
        }
    }

    /// The lease of `run` when a live process other than this one holds it.
    ///
    /// A run recorded before leases existed is held by its `engineProcessID` while that process lives.
    package static func liveHolder(of run: RunRecord, store: Store) -> RunLease? {
        if let lease = try? store.runLease(runID: run.id) {
            let holder = ProcessIdentity(lease.holder)
            return holder.isAlive && holder != ProcessIdentity.current ? lease : nil
        }
        guard run.phase == .running || run.phase == .pending, let pid = run.engineProcessID, pid != getpid(),
            ProcessIdentity.running(pid) != nil
        else { return nil }
        return RunLease(
            runID: run.id, holder: LeaseHolder(processID: pid, startTime: nil, host: nil),
            acquiredAt: run.startedAt ?? run.createdAt)
    }

    /// Gives the lease back; a failure is ignored (a later engine takes over a dead holder's lease anyway).
    package func release() {
        try? store.releaseRunLease(runID: runID, holder: holder.leaseHolder)
    }
}

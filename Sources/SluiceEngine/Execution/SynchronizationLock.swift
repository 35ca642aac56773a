import Foundation
import SluiceRuntimes
package import SluiceSpec
package import SluiceStore

/// The mutexes and semaphores a run or a node must hold (Argo's `synchronization`), taken as leases in the state
/// directory's database so that every `sluice run` process sharing that directory honours them.
///
/// Lock names follow Argo: `NAMESPACE/Mutex/NAME` and `NAMESPACE/ConfigMap/CONFIGMAP/KEY`. A semaphore's limit is read
/// from `<state>/synchronization.yaml`, one line per semaphore:
///
/// ```yaml
/// # CONFIGMAP/KEY: LIMIT   (Argo reads the limit from that ConfigMap key)
/// my-config/workflow: 2
/// ```
///
/// Leases of a process that died, or of a run that has ended, are reclaimed by the next process that asks.
package struct SynchronizationLock: Sendable {
    /// The file, inside the state directory, that gives semaphore limits.
    package static let limitsFileName = "synchronization.yaml"
    /// How often a waiting holder asks again.
    static let pollInterval: Duration = .milliseconds(200)

    /// The locks, in the order they are asked for.
    package let requests: [LeaseRequest]
    /// The holder's lease (its `lockName` is set per request when acquiring).
    package let lease: LockLease
    let store: Store

    /// How a wait for the locks ended.
    package enum Acquisition: Sendable, Equatable {
        /// Every lock is held; `waited` tells whether another holder had to finish first.
        case acquired(waited: Bool)
        /// The task was cancelled (the run is stopping) before the locks were free.
        case cancelled
    }

    /// The locks `synchronization` asks for, for one holder.
    ///
    /// - Parameters:
    ///   - holder: the run id (workflow level) or `RUNID/NODEID` (template level).
    ///   - namespace: the namespace of locks that name none (the workflow's, `default` without one).
    /// - Throws: `EngineError.stateUnavailable` when a semaphore has no limit in `synchronization.yaml` or that
    ///   file cannot be read or parsed.
    package init(
        _ synchronization: Synchronization, holder: String, runID: String, runName: String, nodeName: String?,
        namespace: String, store: Store
    ) throws(EngineError) {
        var requests: [LeaseRequest] = []
        for mutex in synchronization.allMutexes {
            requests.append(LeaseRequest(lockName: "\(mutex.namespace ?? namespace)/Mutex/\(mutex.name)", limit: 1))
        }
        let semaphores = synchronization.allSemaphores
        if !semaphores.isEmpty {
            let path = store.stateDirectory + "/" + Self.limitsFileName
            let limits = try Self.limits(at: path)
            for semaphore in semaphores {
                guard let reference = semaphore.configMapKeyRef, let key = reference.key else {
                    throw .stateUnavailable(
                        reason: "a semaphore of '\(nodeName ?? runName)' gives no configMapKeyRef with name and key")
                }
                let entry = "\(reference.name)/\(key)"
                guard let limit = limits[entry] else {
                    throw .stateUnavailable(
                        reason: "no limit for semaphore '\(entry)' in '\(path)': add the line '\(entry): N'")
                }
                requests.append(
                    LeaseRequest(
                        lockName: "\(semaphore.namespace ?? namespace)/ConfigMap/\(entry)", limit: limit))
            }
        }
        self.requests = requests
        let process = ProcessIdentity.current
        self.lease = LockLease(
            lockName: "", holder: holder, runID: runID, runName: runName, nodeName: nodeName,
            processID: process.processID, acquiredAt: Date(), processStartTime: process.startTime, host: process.host)
        self.store = store
    }

    /// Asks once for every lock: all are taken, or none.
    ///
    /// - Throws: `EngineError.stateUnavailable` when the database fails.
    package func tryAcquire() throws(EngineError) -> LeaseOutcome {
        do {
            var lease = self.lease
            lease.acquiredAt = StoreTimestamp.truncated(Date())
            return try store.acquireLeases(requests, as: lease, isAlive: ProcessIdentity.isAlive)
        } catch {
            throw .stateUnavailable(reason: error.description)
        }
    }

    /// Waits until every lock is held, asking every 200 ms; calls `onWait` with Argo's "Waiting for ..." message
    /// whenever the reason to wait changes. Returns `.cancelled` as soon as the task is cancelled.
    ///
    /// - Throws: `EngineError.stateUnavailable` when the database fails.
    package func acquire(onWait: @Sendable (String) async -> Void) async throws(EngineError) -> Acquisition {
        var lastMessage: String?
        while !Task.isCancelled {
            switch try tryAcquire() {
            case .acquired:
                return .acquired(waited: lastMessage != nil)
            case .busy(let lockName, let limit, let holders):
                let message = Self.waitingMessage(lockName: lockName, limit: limit, holders: holders)
                if message != lastMessage {
                    lastMessage = message
                    await onWait(message)
                }
            }
            try? await Task.sleep(for: Self.pollInterval)
        }
        return .cancelled
    }

    /// Gives the locks back; a failure is ignored (the lease is reclaimed once the run has ended).
    package func release() {
        try? store.releaseLeases(holder: lease.holder)
    }

    /// Argo's message for a node or workflow waiting for a lock, with who holds it.
    ///
    /// `Waiting for default/Mutex/test lock. Lock status: 0/1 (held by run 'a' node 'b')`.
    package static func waitingMessage(lockName: String, limit: Int, holders: [LockLease]) -> String {
        let names = holders.map { holder in
            "run '\(holder.runName)'" + (holder.nodeName.map { " node '\($0)'" } ?? "")
        }
        let held = names.isEmpty ? "" : " (held by \(names.joined(separator: ", ")))"
        return "Waiting for \(lockName) lock. Lock status: \(max(0, limit - holders.count))/\(limit)\(held)"
    }

    /// Parses `synchronization.yaml`: `CONFIGMAP/KEY: LIMIT` lines, `#` comments, keys optionally quoted.
    ///
    /// A missing file gives no limits.
    /// - Throws: `EngineError.stateUnavailable` naming the file and line when it cannot be read or parsed.
    package static func limits(at path: String) throws(EngineError) -> [String: Int] {
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .stateUnavailable(reason: "cannot read '\(path)': \(error.localizedDescription)")
        }
        var limits: [String: Int] = [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line =
                rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first
                .map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            if line.isEmpty { continue }
            guard let colon = line.lastIndex(of: ":") else {
                throw .stateUnavailable(
                    reason: "'\(path)' line \(index + 1): expected 'CONFIGMAP/KEY: LIMIT', got '\(line)'")
            }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
                .trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                .trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
            guard key.contains("/"), let limit = Int(value), limit > 0 else {
                throw .stateUnavailable(
                    reason: "'\(path)' line \(index + 1): expected 'CONFIGMAP/KEY: LIMIT' with a positive limit, "
                        + "got '\(line)'")
            }
            limits[key] = limit
        }
        return limits
    }
}

extension WorkflowEngine {
    /// Takes the workflow-level locks (`spec.synchronization`) before the run starts; while waiting, the run is
    /// recorded as Pending with Argo's "Waiting for ..." message.
    ///
    /// - Returns: the lock to release when the run ends (nil without `spec.synchronization`), and whether the wait
    ///   was cancelled.
    static func acquireWorkflowLocks(
        _ synchronization: Synchronization?, run: RunRecord, namespace: String, store: Store
    ) async throws(EngineError) -> (lock: SynchronizationLock?, cancelled: Bool) {
        guard let synchronization else { return (nil, false) }
        let lock = try SynchronizationLock(
            synchronization, holder: run.id, runID: run.id, runName: run.name, nodeName: nil, namespace: namespace,
            store: store)
        let outcome = try await lock.acquire { message in
            var pending = run
            pending.phase = .pending
            pending.message = message
            try? store.record(Transition(run: pending))
        }
        return (lock, outcome == .cancelled)
    }
}

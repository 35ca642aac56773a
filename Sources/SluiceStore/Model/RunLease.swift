package import Foundation

/// A process that holds a lease, as recorded: its pid, its start time and its host.
///
/// The store does not decide whether a holder is alive: callers pass that judgement in (the engine uses
/// `ProcessIdentity`), so the rule lives in one place.
package struct LeaseHolder: Sendable, Equatable {
    package var processID: Int32
    /// Clock ticks since boot at the process's start (`/proc/<pid>/stat` field 22); nil in older records.
    package var startTime: UInt64?
    /// The host the process runs on; nil in older records (this host).
    package var host: String?

    package init(processID: Int32, startTime: UInt64?, host: String?) {
        self.processID = processID
        self.startTime = startTime
        self.host = host
    }
}

/// Whether a recorded holder still runs.
package typealias HolderLiveness = (LeaseHolder) -> Bool

/// The exclusive lease of one engine on one run (`run_leases`): only its holder may drive the run.
package struct RunLease: Sendable, Equatable {
    package var runID: String
    package var holder: LeaseHolder
    /// When the holder took the lease (truncated to whole milliseconds).
    package var acquiredAt: Date

    /// Creates a lease; `acquiredAt` is truncated to whole milliseconds.
    package init(runID: String, holder: LeaseHolder, acquiredAt: Date) {
        self.runID = runID
        self.holder = holder
        self.acquiredAt = StoreTimestamp.truncated(acquiredAt)
    }
}

/// The answer to ``Store/acquireRunLease(_:isAlive:)``.
package enum RunLeaseOutcome: Sendable, Equatable {
    /// The lease is the caller's; `previous` is the dead holder's lease it replaced, if any.
    case acquired(previous: RunLease?)
    /// A live process holds it.
    case held(by: RunLease)
}

/// Something a node's runtime started, recorded at spawn time (`node_processes`): a process group on this host, or
/// a container by name. A resumed run kills those its dead engine left behind.
package struct NodeProcessRecord: Sendable, Equatable {
    package var runID: String
    package var nodeID: String
    /// The kind of runtime that started it (`process`, `podman`, `docker`).
    package var runtime: String
    /// The process group (the leader's pid) of a process node; nil for a container.
    package var processGroup: Int32?
    /// The group leader's start time (`/proc/<pid>/stat` field 22).
    package var processStartTime: UInt64?
    /// The container's name, for a container node.
    package var containerName: String?
    /// The host it runs on.
    package var host: String
    package var startedAt: Date

    package init(
        runID: String, nodeID: String, runtime: String, processGroup: Int32?, processStartTime: UInt64?,
        containerName: String?,
        host: String, startedAt: Date
    ) {
        self.runID = runID
        self.nodeID = nodeID
        self.runtime = runtime
        self.processGroup = processGroup
        self.processStartTime = processStartTime
        self.containerName = containerName
        self.host = host
        self.startedAt = StoreTimestamp.truncated(startedAt)
    }
}

import Foundation
package import SluiceRuntimes
package import SluiceStore
import Synchronization

/// A runtime that records in the store what it starts for a node (``NodeInvocation/onSpawn``), so that a run
/// resumed after its engine died can kill what that engine left running (``LeftoverNodes``).
///
/// The first record of a node also writes the node's own row when its creation was deferred (``PendingNodeRows``):
/// one transaction where there were two. Everything else is the wrapped runtime's; the records of a node are
/// forgotten once its `run` returns.
package struct SpawnRecordingRuntime: NodeRuntime {
    package let base: any NodeRuntime
    package let store: Store
    package let runID: String
    package let nodeID: String
    /// Where the node's unwritten row waits, if its creation was deferred.
    package let pendingRows: PendingNodeRows?

    package init(
        base: any NodeRuntime, store: Store, runID: String, nodeID: String, pendingRows: PendingNodeRows? = nil
    ) {
        self.base = base
        self.store = store
        self.runID = runID
        self.nodeID = nodeID
        self.pendingRows = pendingRows
    }

    package var kind: String { base.kind }
    package var isolation: Isolation { base.isolation }

    package func fileView(of layout: SandboxLayout) -> NodeFileView {
        base.fileView(of: layout)
    }

    package func run(_ invocation: NodeInvocation) async throws(RuntimeError) -> NodeOutcome {
        var invocation = invocation
        let (store, runID, nodeID, kind, pendingRows) = (store, runID, nodeID, base.kind, pendingRows)
        let recorded = Mutex<[Int64]>([])
        let earlier = invocation.onSpawn
        invocation.onSpawn = { spawned in
            earlier?(spawned)
            let record = NodeProcessRecord(spawned, runID: runID, nodeID: nodeID, runtime: kind)
            // A row not written with it is written by the node's next transition.
            let rows = pendingRows?.take(nodeID).map { [$0] } ?? []
            if let id = try? store.recordNodeProcess(record, with: rows) { recorded.withLock { $0.append(id) } }
        }
        defer { try? store.forgetNodeProcesses(ids: recorded.withLock { $0 }) }
        return try await base.run(invocation)
    }

    package func probeArgv(_ command: [String], for invocation: NodeInvocation) -> [String] {
        base.probeArgv(command, for: invocation)
    }

    package func release(_ invocation: NodeInvocation) async {
        await base.release(invocation)
    }

    package func killLeftover(_ spawned: SpawnedNode) async -> Bool {
        await base.killLeftover(spawned)
    }

    package func address(of invocation: NodeInvocation) async -> NodeAddress {
        await base.address(of: invocation)
    }
}

extension NodeProcessRecord {
    /// The record of what a runtime of `runtime` kind started for a node.
    init(_ spawned: SpawnedNode, runID: String, nodeID: String, runtime: String) {
        switch spawned {
        case .processGroup(let leader):
            self.init(
                runID: runID, nodeID: nodeID, runtime: runtime, processGroup: leader.processID,
                processStartTime: leader.startTime, containerName: nil, host: leader.host, startedAt: Date())
        case .container(let name):
            self.init(
                runID: runID, nodeID: nodeID, runtime: runtime, processGroup: nil, processStartTime: nil,
                containerName: name, host: ProcessIdentity.hostName, startedAt: Date())
        }
    }

    /// What was started, as the runtime that started it names it; nil for a malformed row.
    var spawned: SpawnedNode? {
        if let name = containerName { return .container(name: name) }
        guard let group = processGroup else { return nil }
        return .processGroup(ProcessIdentity(processID: group, startTime: processStartTime, host: host))
    }
}

/// Kills what the nodes of a dead engine left running, before a resumed run goes on.
enum LeftoverNodes {
    /// Kills every recorded process group or container of the run that still runs, then forgets them all.
    ///
    /// - Returns: how many were still running.
    static func kill(runID: String, store: Store, runtimes: RuntimeChoice) async -> Int {
        guard let records = try? store.nodeProcesses(runID: runID) else { return 0 }
        var killed = 0
        for record in records {
            guard let spawned = record.spawned, let runtime = runtimes.runtime(kind: record.runtime) else { continue }
            if await runtime.killLeftover(spawned) { killed += 1 }
        }
        try? store.forgetNodeProcesses(runID: runID)
        return killed
    }
}

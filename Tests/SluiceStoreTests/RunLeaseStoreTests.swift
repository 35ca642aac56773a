import Foundation
import SluiceStore
import SluiceTesting
import Testing

/// `run_leases` and `node_processes`: the store's half of "one engine per run".
@Suite("Run leases in the store")
struct RunLeaseStoreTests {
    static func lease(_ pid: Int32, start: UInt64? = 100, at seconds: Double = 0) -> RunLease {
        RunLease(
            runID: "run-1", holder: LeaseHolder(processID: pid, startTime: start, host: "host-a"),
            acquiredAt: StoreSupport.instant(seconds))
    }

    @Test("a live holder keeps the lease; asking again is harmless; a dead holder's lease is taken over")
    func liveAndDeadHolders() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let store = try Store(stateDirectory: directory + "/state")
            var alive: Set<Int32> = [1]
            let isAlive: HolderLiveness = { alive.contains($0.processID) }
            #expect(try store.acquireRunLease(Self.lease(1), isAlive: isAlive) == .acquired(previous: nil))
            #expect(try store.acquireRunLease(Self.lease(1), isAlive: isAlive) == .acquired(previous: nil))
            #expect(try store.acquireRunLease(Self.lease(2, at: 5), isAlive: isAlive) == .held(by: Self.lease(1)))
            alive = [2]
            #expect(
                try store.acquireRunLease(Self.lease(2, at: 5), isAlive: isAlive) == .acquired(previous: Self.lease(1)))
            #expect(try store.runLease(runID: "run-1") == Self.lease(2, at: 5))
        }
    }

    @Test("a reused pid with another start time is not the holder, so it cannot release the lease")
    func releaseNeedsTheSameProcess() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let store = try Store(stateDirectory: directory + "/state")
            _ = try store.acquireRunLease(Self.lease(7, start: 100), isAlive: { _ in true })
            try store.releaseRunLease(runID: "run-1", holder: LeaseHolder(processID: 7, startTime: 999, host: "host-a"))
            #expect(try store.runLease(runID: "run-1") != nil)
            try store.releaseRunLease(runID: "run-1", holder: LeaseHolder(processID: 7, startTime: 100, host: "host-a"))
            #expect(try store.runLease(runID: "run-1") == nil)
        }
    }

    @Test("node processes are recorded, listed in order and forgotten by id or by run")
    func nodeProcesses() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let store = try Store(stateDirectory: directory + "/state")
            let group = NodeProcessRecord(
                runID: "run-1", nodeID: "n1", runtime: "process", processGroup: 4242, processStartTime: 77,
                containerName: nil, host: "host-a", startedAt: StoreSupport.instant())
            let container = NodeProcessRecord(
                runID: "run-1", nodeID: "n2", runtime: "podman", processGroup: nil, processStartTime: nil,
                containerName: "sluice-x-n2-0000abcd", host: "host-a", startedAt: StoreSupport.instant(1))
            let first = try store.recordNodeProcess(group)
            try store.recordNodeProcess(container)
            #expect(try store.nodeProcesses(runID: "run-1") == [group, container])
            try store.forgetNodeProcesses(ids: [first])
            #expect(try store.nodeProcesses(runID: "run-1") == [container])
            try store.forgetNodeProcesses(runID: "run-1")
            #expect(try store.nodeProcesses(runID: "run-1").isEmpty)
        }
    }
}

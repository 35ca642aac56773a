import Foundation
import SluiceEngine
import SluiceRuntimes
import SluiceSpec
import SluiceStore
import SluiceTesting
import Testing

/// `synchronization`: mutexes and semaphores as leases in SQLite, at template and workflow level.
@Suite("Synchronization", .timeLimit(.minutes(2)))
struct SynchronizationTests {
    static func lease(_ holder: String, processID: Int32 = getpid(), runID: String = "no-such-run") -> LockLease {
        LockLease(
            lockName: "", holder: holder, runID: runID, runName: "run-\(holder)", nodeName: nil,
            processID: processID, acquiredAt: Date())
    }

    /// The most process runs (attempts) of a run that overlap at one instant.
    static func maxOverlap(_ run: RecordedRun) throws -> Int {
        let attempts = try run.store.attempts(runID: run.run.id)
        let intervals = try attempts.map { ($0.startedAt, try #require($0.finishedAt)) }
        // The most attempts running at one instant: the maximum is reached at some attempt's start. (Counting the
        // attempts that intersect one attempt overcounts: two that run one after the other beside a long third.)
        return intervals.map { interval in
            intervals.filter { $0.0 <= interval.0 && interval.0 < $0.1 }.count
        }.max() ?? 0
    }

    // MARK: - Store

    @Test("a mutex admits one holder; a second is told who holds it until the first releases")
    func mutexLeases() throws {
        let directory = try StoreSupport.makeTemporaryDirectory(prefix: "sluice-sync-test")
        defer { StoreSupport.removeStateDirectory(directory) }
        let store = try Store(stateDirectory: directory)
        let mutex = [LeaseRequest(lockName: "default/Mutex/m", limit: 1)]
        #expect(try store.acquireLeases(mutex, as: Self.lease("a"), isAlive: ProcessIdentity.isAlive) == .acquired)
        #expect(try store.acquireLeases(mutex, as: Self.lease("a"), isAlive: ProcessIdentity.isAlive) == .acquired)
        guard
            case .busy(let name, let limit, let holders) = try store.acquireLeases(
                mutex, as: Self.lease("b"), isAlive: ProcessIdentity.isAlive)
        else {
            Issue.record("b acquired a held mutex")
            return
        }
        #expect(name == "default/Mutex/m")
        #expect(limit == 1)
        #expect(holders.map(\.holder) == ["a"])
        try store.releaseLeases(holder: "a")
        #expect(try store.acquireLeases(mutex, as: Self.lease("b"), isAlive: ProcessIdentity.isAlive) == .acquired)
        #expect(try store.leases().map(\.holder) == ["b"])
    }

    @Test("a semaphore admits up to its limit, and several locks are taken all together or not at all")
    func semaphoreLeases() throws {
        let directory = try StoreSupport.makeTemporaryDirectory(prefix: "sluice-sync-test")
        defer { StoreSupport.removeStateDirectory(directory) }
        let store = try Store(stateDirectory: directory)
        let semaphore = LeaseRequest(lockName: "default/ConfigMap/cfg/k", limit: 2)
        let mutex = LeaseRequest(lockName: "default/Mutex/m", limit: 1)
        #expect(
            try store.acquireLeases([semaphore], as: Self.lease("a"), isAlive: ProcessIdentity.isAlive) == .acquired)
        #expect(try store.acquireLeases([mutex], as: Self.lease("z"), isAlive: ProcessIdentity.isAlive) == .acquired)
        // b gets the semaphore slot only with the mutex, which z holds: it gets neither.
        #expect(
            try store.acquireLeases([semaphore, mutex], as: Self.lease("b"), isAlive: ProcessIdentity.isAlive)
                != .acquired)
        #expect(try store.leases(lockName: semaphore.lockName).map(\.holder) == ["a"])
        #expect(
            try store.acquireLeases([semaphore], as: Self.lease("b"), isAlive: ProcessIdentity.isAlive) == .acquired)
        let third = try store.acquireLeases([semaphore], as: Self.lease("c"), isAlive: ProcessIdentity.isAlive)
        #expect(
            third
                == .busy(
                    lockName: semaphore.lockName, limit: 2,
                    holders: try store.leases(lockName: semaphore.lockName)))
    }

    @Test("leases of a dead process or of an ended run are reclaimed by the next holder")
    func staleLeases() async throws {
        let directory = try StoreSupport.makeTemporaryDirectory(prefix: "sluice-sync-test")
        defer { StoreSupport.removeStateDirectory(directory) }
        let store = try Store(stateDirectory: directory)
        let finished = try HostProcess.background(["true"], environment: [:])
        _ = HostProcess.wait(finished)
        let mutex = [LeaseRequest(lockName: "default/Mutex/m", limit: 1)]
        #expect(
            try store.acquireLeases(
                mutex, as: Self.lease("dead", processID: finished), isAlive: ProcessIdentity.isAlive)
                == .acquired)
        #expect(try store.acquireLeases(mutex, as: Self.lease("alive"), isAlive: ProcessIdentity.isAlive) == .acquired)
        #expect(try store.leases().map(\.holder) == ["alive"])

        // A lease whose run has ended is reclaimed although its process lives.
        var run = StoreSupport.run(id: "ended-run", name: "ended")
        run.phase = .succeeded
        try store.record(Transition(run: run))
        try store.releaseLeases(holder: "alive")
        #expect(
            try store.acquireLeases(
                mutex, as: Self.lease("ended", runID: "ended-run"), isAlive: ProcessIdentity.isAlive) == .acquired)
        #expect(try store.acquireLeases(mutex, as: Self.lease("next"), isAlive: ProcessIdentity.isAlive) == .acquired)
        #expect(try store.leases().map(\.holder) == ["next"])
    }

    @Test("synchronization.yaml gives semaphore limits; bad lines are reported with the file and line")
    func limitsFile() throws {
        let directory = try StoreSupport.makeTemporaryDirectory(prefix: "sluice-sync-test")
        defer { StoreSupport.removeStateDirectory(directory) }
        let path = directory + "/synchronization.yaml"
        try Data("# limits\nmy-config/workflow: 2\n\"other/key\": '3'  # quoted\n\n".utf8)
            .write(to: URL(fileURLWithPath: path))
        #expect(try SynchronizationLock.limits(at: path) == ["my-config/workflow": 2, "other/key": 3])
        #expect(try SynchronizationLock.limits(at: directory + "/missing.yaml") == [:])
        try Data("ok/key: 1\nnot a limit\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(
            throws: EngineError.stateUnavailable(
                reason: "'\(path)' line 2: expected 'CONFIGMAP/KEY: LIMIT', got 'not a limit'")
        ) {
            try SynchronizationLock.limits(at: path)
        }
        #expect(
            SynchronizationLock.waitingMessage(
                lockName: "default/Mutex/m", limit: 1,
                holders: [
                    LockLease(
                        lockName: "default/Mutex/m", holder: "r/n", runID: "r", runName: "wf-1", nodeName: "step",
                        processID: 1, acquiredAt: Date())
                ]) == "Waiting for default/Mutex/m lock. Lock status: 0/1 (held by run 'wf-1' node 'step')")
    }

    // MARK: - Engine

    static func loop(synchronization: String, items: Int = 3) -> String {
        """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: sync-loop
        spec:
          entrypoint: main
          templates:
            - name: main
              steps:
                - - name: work
                    template: work
                    withSequence: {count: "\(items)"}
            - name: work
              synchronization:
        \(synchronization)
              container:
                image: alpine
                command: [sh, -c, "sleep 0.3"]
        """
    }

    @Test("a template mutex runs loop iterations one at a time; waiting nodes are Pending with Argo's message")
    func templateMutex() async throws {
        try await EngineHarness.withDirectory { directory in
            let log = NodeEventLog()
            let yaml = Self.loop(synchronization: "        mutexes:\n          - name: one-at-a-time")
            let run = try await EngineHarness.run(yaml, in: directory, observer: log)
            #expect(run.summary.phase == .succeeded)
            let pods = run.nodes.filter { $0.type == .pod }
            #expect(pods.count == 3)
            #expect(pods.allSatisfy { $0.phase == .succeeded && $0.message == nil })
            #expect(try Self.maxOverlap(run) == 1)
            let waiting = log.nodes.filter { $0.phase == .pending }
            #expect(!waiting.isEmpty)
            #expect(
                waiting.allSatisfy {
                    $0.message?.hasPrefix(
                        "Waiting for default/Mutex/one-at-a-time lock. Lock status: 0/1 (held by run "
                            + "'sync-loop' node 'work(") == true
                })
            #expect(try run.store.leases().isEmpty)
        }
    }

    @Test("a template semaphore admits as many nodes as its limit in synchronization.yaml")
    func templateSemaphore() async throws {
        try await EngineHarness.withDirectory { directory in
            let state = directory + "/state"
            try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
            try Data("workers/slots: 2\n".utf8).write(to: URL(fileURLWithPath: state + "/synchronization.yaml"))
            let yaml = Self.loop(
                synchronization: "        semaphores:\n          - configMapKeyRef: {name: workers, key: slots}",
                items: 4)
            let log = NodeEventLog()
            let run = try await EngineHarness.run(yaml, in: directory, observer: log)
            #expect(run.summary.phase == .succeeded)
            let pods = run.nodes.filter { $0.type == .pod }
            #expect(pods.count == 4)
            #expect(try Self.maxOverlap(run) <= 2)
            #expect(
                log.nodes.contains {
                    $0.phase == .pending
                        && $0.message?.hasPrefix("Waiting for default/ConfigMap/workers/slots lock. Lock status: 0/2")
                            == true
                })
        }
    }

    @Test("a semaphore without a configured limit errors the node, naming the file and the line to add")
    func missingLimit() async throws {
        try await EngineHarness.withDirectory { directory in
            let yaml = Self.loop(
                synchronization: "        semaphore:\n          configMapKeyRef: {name: workers, key: slots}", items: 1)
            let run = try await EngineHarness.run(yaml, in: directory)
            #expect(run.summary.phase == .error)
            let node = try run.node("work(0:0)")
            #expect(node.phase == .error)
            #expect(
                node.message
                    == "state directory unusable: no limit for semaphore 'workers/slots' in "
                    + "'\(directory)/state/synchronization.yaml': add the line 'workers/slots: N'")
        }
    }

    @Test("a workflow-level mutex keeps a run Pending with Argo's message until the holder releases it")
    func workflowMutex() async throws {
        let yaml = """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata:
              name: sync-wf
            spec:
              entrypoint: hello
              synchronization:
                mutex: {name: whole-run}
              templates:
                - name: hello
                  container:
                    image: alpine
                    command: [echo, hello]
            """
        try await EngineHarness.withDirectory { directory in
            let state = directory + "/state"
            let store = try Store(stateDirectory: state)
            let blocker = LockLease(
                lockName: "", holder: "blocker", runID: "blocker-run", runName: "blocker",
                nodeName: nil, processID: getpid(), acquiredAt: Date())
            #expect(
                try store.acquireLeases(
                    [LeaseRequest(lockName: "default/Mutex/whole-run", limit: 1)], as: blocker,
                    isAlive: ProcessIdentity.isAlive)
                    == .acquired)
            async let finished = EngineHarness.run(yaml, in: directory)
            var pending: RunRecord?
            for _ in 0..<500 {
                if let run = try? store.run(named: "sync-wf"), run.phase == .pending {
                    pending = run
                    break
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(
                pending?.message == "Waiting for default/Mutex/whole-run lock. Lock status: 0/1 (held by run 'blocker')"
            )
            #expect(try store.nodes(runID: try #require(pending).id).isEmpty)
            try store.releaseLeases(holder: "blocker")
            let run = try await finished
            #expect(run.summary.phase == .succeeded)
            #expect(run.run.message == nil)
            #expect(try store.leases().isEmpty)
        }
    }
}

import Foundation
import SluiceSpec
import SluiceTesting
import Testing

@testable import SluiceStore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite("Store")
struct StoreTests {
    // MARK: - Opening and schema

    @Test("opening a new state directory runs the migrations and configures WAL, NORMAL sync and a 5 s busy timeout")
    func migrationsCreateTheSchema() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let store = try Store(stateDirectory: directory + "/state")
            let report = try store.schemaReport()
            #expect(report.appliedMigrations == StoreSchema.migrationIdentifiers)
            #expect(report.appliedMigrations.first == "v1-runs-nodes-attempts-envelopes")
            #expect(
                report.tables.keys.sorted() == [
                    "attempts", "attestations", "denials", "envelopes", "memoization_entries", "node_processes",
                    "nodes",
                    "revocation_signatures", "revocations", "run_leases", "runs", "synchronization_leases",
                    "workflow_templates",
                ])
            #expect(
                report.tables["runs"] == [
                    "id", "name", "source_path", "workflow_yaml", "parameters_json", "workflow_digest",
                    "governance_digest", "runtime", "signer_key_id", "phase", "message", "created_at", "started_at",
                    "finished_at", "engine_process_id", "outputs_json", "isolation", "runtime_profile",
                ])
            #expect(
                report.tables["attempts"] == [
                    "run_id", "node_id", "number", "process_id", "started_at", "finished_at", "exit_code", "signal",
                    "stdout_path", "stderr_path", "outcome",
                ])
            #expect(
                report.indexes == [
                    "attestations_by_run", "denials_by_run", "envelopes_by_run", "node_processes_by_run",
                    "nodes_by_sequence", "revocations_by_value", "runs_by_creation", "synchronization_leases_by_holder",
                ])
            #expect(report.journalMode == "wal")
            #expect(report.synchronous == 1)
            #expect(report.busyTimeoutMilliseconds == 5000)
            #expect(report.foreignKeysEnabled)
        }
    }

    @Test("reopening a state directory keeps its data and does not migrate again")
    func reopeningKeepsData() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let run = StoreSupport.run(id: "r1", name: "hello")
            try Store(stateDirectory: directory).record(Transition(run: run))
            let reopened = try Store(stateDirectory: directory)
            #expect(try reopened.runs() == [run])
            #expect(try reopened.schemaReport().appliedMigrations == StoreSchema.migrationIdentifiers)
        }
    }

    @Test("a database migrated by a newer Sluice is refused with the unknown migration named")
    func newerSchemaIsRefused() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let store = try Store(stateDirectory: directory)
            try store.executeRawSQL("INSERT INTO grdb_migrations (identifier) VALUES ('v9-from-the-future')")
            let error = #expect(throws: StoreError.self) { try Store(stateDirectory: directory) }
            #expect(error == .schemaTooNew(path: directory + "/sluice.db", unknownMigrations: ["v9-from-the-future"]))
            #expect(
                error?.description
                    == "database '\(directory)/sluice.db' was written by a newer Sluice (unknown schema migrations: "
                    + "v9-from-the-future); upgrade sluice to use this state directory")
        }
    }

    @Test("a state directory path that is a regular file is refused")
    func stateDirectoryThatIsAFile() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let path = directory + "/not-a-dir"
            try Data("x".utf8).write(to: URL(fileURLWithPath: path))
            let error = #expect(throws: StoreError.self) { try Store(stateDirectory: path) }
            #expect(error == .stateDirectoryUnusable(path: path, reason: "it is not a directory"))
            #expect(error?.description == "state directory '\(path)' is unusable: it is not a directory")
        }
    }

    @Test("a file that is not a SQLite database is reported as a database error while opening it")
    func corruptDatabase() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: directory + "/sluice.db"))
            let error = #expect(throws: StoreError.self) { try Store(stateDirectory: directory) }
            guard case .database(let operation, let underlying) = error else {
                Issue.record("expected a database error, got \(String(describing: error))")
                return
            }
            #expect(operation.hasSuffix("\(directory)/sluice.db"))
            #expect(underlying.contains("file is not a database"))
        }
    }

    // MARK: - Permissions

    @Test("the state directory is created 0700 and the database, its WAL and SHM files 0600")
    func filePermissions() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let state = directory + "/nested/state"
            let store = try Store(stateDirectory: state)
            try store.record(Transition(run: StoreSupport.run(id: "r1")))
            #expect(try mode(of: state) == 0o700)
            #expect(try mode(of: directory + "/nested") == 0o700)
            #expect(try mode(of: state + "/sluice.db") == 0o600)
            #expect(try mode(of: state + "/sluice.db-wal") == 0o600)
            #expect(try mode(of: state + "/sluice.db-shm") == 0o600)
            #expect(try mode(of: state + "/sluice.lock") == 0o600)
        }
    }

    // MARK: - Transitions

    @Test("a transition's records read back equal to what was written")
    func roundTrip() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let store = try Store(stateDirectory: directory)
            var run = StoreSupport.run(id: "r1", name: "hello-x7k2p")
            run.phase = .running
            run.startedAt = StoreSupport.instant(1)
            run.engineProcessID = 4242
            run.outputsJSON = #"{"parameters":[]}"#
            var node = StoreSupport.node(runID: "r1", id: "hello-x7k2p-1234", sequence: 1)
            node.inputsJSON = #"{"parameters":[{"name":"m","value":"hi"}]}"#
            node.childrenJSON = #"["a","b"]"#
            node.boundaryID = "hello-x7k2p"
            node.startedAt = StoreSupport.instant(2)
            let attempt = AttemptRecord(
                runID: "r1", nodeID: node.id, number: 1, processID: 777, startedAt: StoreSupport.instant(2),
                finishedAt: StoreSupport.instant(3), exitCode: 0, signal: nil, stdoutPath: "/s/out",
                stderrPath: "/s/err", outcome: "succeeded")
            let envelope = EnvelopeRecord(
                payloadDigest: String(repeating: "c", count: 64), runID: "r1", nodeID: node.id, keyID: "key-1",
                envelopeJSON: Data([0x7B, 0x00, 0xFF, 0x7D]), createdAt: StoreSupport.instant(3))
            let denial = DenialRecord(
                runID: "r1", nodeID: node.id, input: "binary", check: "envelope-digest",
                message: "input 'binary' does not match its envelope", createdAt: StoreSupport.instant(4))
            try store.record(
                Transition(run: run, nodes: [node], attempts: [attempt], envelopes: [envelope], denials: [denial]))

            #expect(try store.run(named: "r1") == run)
            #expect(try store.nodes(runID: "r1") == [node])
            #expect(try store.node(runID: "r1", id: node.id) == node)
            #expect(try store.node(runID: "r1", id: "nope") == nil)
            #expect(try store.attempts(runID: "r1") == [attempt])
            #expect(try store.envelope(payloadDigest: envelope.payloadDigest) == envelope)
            #expect(try store.envelope(payloadDigest: String(repeating: "d", count: 64)) == nil)
            #expect(try store.envelopes(runID: "r1") == [envelope])
            var storedDenial = denial
            storedDenial.id = 1
            #expect(try store.denials(runID: "r1") == [storedDenial])
        }
    }

    @Test("a transition with a node of an unknown run throws and leaves nothing behind")
    func transitionIsAtomic() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let store = try Store(stateDirectory: directory)
            let run = StoreSupport.run(id: "r1")
            let transition = Transition(
                run: run,
                nodes: [
                    StoreSupport.node(runID: "r1", id: "n1", sequence: 1),
                    StoreSupport.node(runID: "ghost", id: "n2", sequence: 2),
                ])
            let error = #expect(throws: StoreError.self) { try store.record(transition) }
            #expect(error == .recordReferencesUnknownRun(kind: "node", key: "n2", runID: "ghost"))
            #expect(error?.description == "cannot record node 'n2': run 'ghost' does not exist")
            #expect(try store.runs() == [])
            #expect(try store.nodes(runID: "r1") == [])
            #expect(try store.isNameTaken(run.name) == false)
        }
    }

    @Test("an attempt of a node that does not exist is refused, and the rest of its transition is rolled back")
    func attemptNeedsItsNode() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let store = try Store(stateDirectory: directory)
            try store.record(Transition(run: StoreSupport.run(id: "r1")))
            let attempt = AttemptRecord(runID: "r1", nodeID: "missing", number: 2, startedAt: StoreSupport.instant())
            let error = #expect(throws: StoreError.self) {
                try store.record(
                    Transition(nodes: [StoreSupport.node(runID: "r1", id: "n1", sequence: 1)], attempts: [attempt]))
            }
            #expect(
                error?.description == "cannot record attempt 'missing#2': node 'missing' does not exist in run 'r1'")
            #expect(try store.nodes(runID: "r1") == [])
        }
    }

    @Test("records are upserted by primary key: a second write of the same keys updates in place")
    func upsertSemantics() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let store = try Store(stateDirectory: directory)
            var run = StoreSupport.run(id: "r1", name: "wf")
            var node = StoreSupport.node(runID: "r1", id: "n1", sequence: 1)
            var attempt = AttemptRecord(runID: "r1", nodeID: "n1", number: 1, startedAt: StoreSupport.instant())
            try store.record(Transition(run: run, nodes: [node], attempts: [attempt]))

            run.phase = .failed
            run.message = "child 'n1' failed"
            run.finishedAt = StoreSupport.instant(9)
            node.phase = .failed
            node.message = "exit code 2"
            attempt.exitCode = 2
            attempt.outcome = "failed"
            try store.record(Transition(run: run, nodes: [node], attempts: [attempt]))

            #expect(try store.runs() == [run])
            #expect(try store.nodes(runID: "r1") == [node])
            #expect(try store.attempts(runID: "r1") == [attempt])
        }
    }

    @Test("updating a run keeps its nodes (the upsert does not delete and re-insert the row)")
    func upsertDoesNotCascade() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let store = try Store(stateDirectory: directory)
            var run = StoreSupport.run(id: "r1")
            let node = StoreSupport.node(runID: "r1", id: "n1", sequence: 1)
            try store.record(Transition(run: run, nodes: [node]))
            run.phase = .succeeded
            try store.record(Transition(run: run))
            #expect(try store.nodes(runID: "r1") == [node])
        }
    }

    @Test("a second run with a taken name is refused with the existing run named")
    func runNamesAreUnique() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let store = try Store(stateDirectory: directory)
            try store.record(Transition(run: StoreSupport.run(id: "r1", name: "nightly")))
            #expect(try store.isNameTaken("nightly"))
            #expect(try store.isNameTaken("weekly") == false)
            let error = #expect(throws: StoreError.self) {
                try store.record(Transition(run: StoreSupport.run(id: "r2", name: "nightly")))
            }
            #expect(error?.description == "run name 'nightly' is already used by run r1")
            #expect(try store.runs().map(\.id) == ["r1"])
        }
    }

    @Test("nodes list by sequence and attempts by their node's sequence, then number")
    func listingOrder() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let store = try Store(stateDirectory: directory)
            let nodes = [
                StoreSupport.node(runID: "r1", id: "z", sequence: 1),
                StoreSupport.node(runID: "r1", id: "a", sequence: 3),
                StoreSupport.node(runID: "r1", id: "m", sequence: 2),
            ]
            let attempts = [
                AttemptRecord(runID: "r1", nodeID: "a", number: 2, startedAt: StoreSupport.instant(5)),
                AttemptRecord(runID: "r1", nodeID: "z", number: 1, startedAt: StoreSupport.instant(6)),
                AttemptRecord(runID: "r1", nodeID: "a", number: 1, startedAt: StoreSupport.instant(4)),
            ]
            try store.record(Transition(run: StoreSupport.run(id: "r1"), nodes: nodes, attempts: attempts))
            #expect(try store.nodes(runID: "r1").map(\.id) == ["z", "m", "a"])
            #expect(try store.attempts(runID: "r1").map { "\($0.nodeID)#\($0.number)" } == ["z#1", "a#1", "a#2"])
        }
    }

    // MARK: - Finding runs

    @Test("'@latest' is the most recently created run; runs() lists newest first")
    func latestRun() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let store = try Store(stateDirectory: directory)
            let old = StoreSupport.run(id: "old", createdAt: StoreSupport.instant(0))
            let new = StoreSupport.run(id: "new", createdAt: StoreSupport.instant(60))
            let middle = StoreSupport.run(id: "middle", createdAt: StoreSupport.instant(30))
            try store.record(Transition(run: new))
            try store.record(Transition(run: old))
            try store.record(Transition(run: middle))
            #expect(try store.run(named: "@latest").id == "new")
            #expect(try store.runs().map(\.id) == ["new", "middle", "old"])
        }
    }

    @Test("runs created in the same millisecond list in reverse insertion order")
    func latestRunTieBreak() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let store = try Store(stateDirectory: directory)
            for id in ["first", "second", "third"] {
                try store.record(Transition(run: StoreSupport.run(id: id)))
            }
            #expect(try store.run(named: "@latest").id == "third")
            #expect(try store.runs().map(\.id) == ["third", "second", "first"])
        }
    }

    @Test("a run is found by id or by name, and an id match wins over a name match")
    func findByIDOrName() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let store = try Store(stateDirectory: directory)
            try store.record(Transition(run: StoreSupport.run(id: "r1", name: "alpha")))
            try store.record(Transition(run: StoreSupport.run(id: "r2", name: "r1")))
            #expect(try store.run(named: "alpha").id == "r1")
            #expect(try store.run(named: "r1").id == "r1")
            #expect(try store.run(named: "r2").name == "r1")
        }
    }

    @Test("an unknown run and '@latest' in an empty store throw their exact messages")
    func unknownRun() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let store = try Store(stateDirectory: directory)
            let empty = #expect(throws: StoreError.self) { try store.run(named: "@latest") }
            #expect(empty == .noRuns)
            #expect(
                empty?.description
                    == "no runs have been recorded in this state directory yet, so '@latest' refers to nothing")
            try store.record(Transition(run: StoreSupport.run(id: "r1")))
            let unknown = #expect(throws: StoreError.self) { try store.run(named: "wf-nope") }
            #expect(unknown == .runNotFound("wf-nope"))
            #expect(unknown?.description == "no run has the name or id 'wf-nope'")
        }
    }

    // MARK: - Revocations

    @Test("revocations are appended with store-assigned ids and cannot be altered")
    func revocationsAreAppendOnly() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let store = try Store(stateDirectory: directory)
            let first = try store.addRevocation(
                RevocationRecord(kind: .key, value: "key-1", reason: "leaked", createdAt: StoreSupport.instant()))
            let second = try store.addRevocation(
                RevocationRecord(
                    id: 99, kind: .envelope, value: String(repeating: "e", count: 64), reason: "bad build",
                    createdAt: StoreSupport.instant(1)))
            #expect(first.id == 1)
            #expect(second.id == 2)
            #expect(try store.revocations() == [first, second])
            #expect(try store.revocations().map(\.kind) == ["key", "envelope"])

            let error = #expect(throws: StoreError.self) {
                try store.executeRawSQL("DELETE FROM revocations")
            }
            #expect(error?.description.contains("revocations are append-only") == true)
            #expect(try store.revocations().count == 2)
        }
    }

    @Test("a revocation of an unknown kind is refused by the schema")
    func revocationKindIsChecked() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let store = try Store(stateDirectory: directory)
            var revocation = RevocationRecord(kind: .key, value: "k", reason: "r", createdAt: StoreSupport.instant())
            revocation.kind = "signer"
            let error = #expect(throws: StoreError.self) { try store.addRevocation(revocation) }
            guard case .database(let operation, let underlying) = error else {
                Issue.record("expected a database error, got \(String(describing: error))")
                return
            }
            #expect(operation == "adding a revocation of signer 'k'")
            #expect(underlying.contains("CHECK constraint failed"))
            #expect(try store.revocations() == [])
        }
    }

    // MARK: - Sharing a state directory

    @Test("two Store instances on one directory, as two processes would have, see each other's writes")
    func twoInstancesShareState() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let engine = try Store(stateDirectory: directory)
            let lister = try Store(stateDirectory: directory)
            var run = StoreSupport.run(id: "r1", name: "shared")
            try engine.record(Transition(run: run))
            #expect(try lister.run(named: "@latest") == run)

            run.phase = .succeeded
            try engine.record(Transition(run: run, nodes: [StoreSupport.node(runID: "r1", id: "n1", sequence: 1)]))
            #expect(try lister.run(named: "shared").phase == .succeeded)
            #expect(try lister.nodes(runID: "r1").map(\.id) == ["n1"])

            try lister.addRevocation(
                RevocationRecord(kind: .key, value: "key-1", reason: "rotated", createdAt: StoreSupport.instant()))
            #expect(try engine.revocations().map(\.value) == ["key-1"])
        }
    }

    @Test("concurrent writers on two instances all succeed and every record is kept")
    func concurrentWrites() async throws {
        try await StoreSupport.withTemporaryDirectory { directory in
            let stores = [try Store(stateDirectory: directory), try Store(stateDirectory: directory)]
            let writers = 6
            let nodesPerWriter = 25
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<writers {
                    let store = stores[writer % stores.count]
                    group.addTask {
                        let runID = "run-\(writer)"
                        try store.record(Transition(run: StoreSupport.run(id: runID)))
                        for index in 0..<nodesPerWriter {
                            let node = StoreSupport.node(runID: runID, id: "n\(index)", sequence: index)
                            let attempt = AttemptRecord(
                                runID: runID, nodeID: node.id, number: 1, startedAt: StoreSupport.instant())
                            try store.record(Transition(nodes: [node], attempts: [attempt]))
                            _ = try store.runs()
                        }
                    }
                }
                try await group.waitForAll()
            }
            let reader = try Store(stateDirectory: directory)
            #expect(try reader.runs().count == writers)
            for writer in 0..<writers {
                #expect(try reader.nodes(runID: "run-\(writer)").count == nodesPerWriter)
                #expect(try reader.attempts(runID: "run-\(writer)").count == nodesPerWriter)
            }
        }
    }

    @Test("several instances opening a brand-new state directory at once all succeed")
    func concurrentFirstOpen() async throws {
        try await StoreSupport.withTemporaryDirectory { directory in
            let state = directory + "/fresh"
            let names = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<4 {
                    group.addTask {
                        let store = try Store(stateDirectory: state)
                        try store.record(Transition(run: StoreSupport.run(id: "r\(index)", name: "run-\(index)")))
                        return try store.schemaReport().appliedMigrations.joined()
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(names == Array(repeating: StoreSchema.migrationIdentifiers.joined(), count: 4))
            #expect(try Store(stateDirectory: state).runs().count == 4)
        }
    }
}

/// The permission bits of the file at `path`.
func mode(of path: String) throws -> mode_t {
    var info = stat()
    guard lstat(path, &info) == 0 else {
        throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: path])
    }
    return info.st_mode & 0o7777
}

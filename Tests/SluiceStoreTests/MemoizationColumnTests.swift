import Foundation
import SluiceSpec
import SluiceTesting
import Testing

@testable import SluiceStore

/// A node's memoization outcome is a column of its own, not something read back out of its message.
@Suite("Node memoization columns")
struct MemoizationColumnTests {
    static let hit = MemoizationStatus(hit: true, key: "k/1", cacheName: "c")

    @Test("a node's memoization status is stored and read back; a node without one reads nil")
    func roundTrip() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let store = try Store(stateDirectory: directory)
            let run = StoreSupport.run()
            var memoized = StoreSupport.node(runID: run.id, id: "a", sequence: 0)
            memoized.memoization = Self.hit
            memoized.message = "reused"
            let plain = StoreSupport.node(runID: run.id, id: "b", sequence: 1)
            try store.record(Transition(run: run, nodes: [memoized, plain]))
            let nodes = try store.nodes(runID: run.id)
            #expect(nodes.map(\.memoization) == [Self.hit, nil])
        }
    }

    @Test("rows recorded before the columns existed get them from their message when the database is upgraded")
    func upgradeReadsMessages() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let run = StoreSupport.run()
            var hit = StoreSupport.node(runID: run.id, id: "hit", sequence: 0)
            hit.message = "Memoization hit (cache 'c', key 'k/1'): reused the outputs of 'x' from this run"
            var miss = StoreSupport.node(runID: run.id, id: "miss", sequence: 1)
            miss.message = "Memoization miss (cache 'd', key 'k2'): outputs saved"
            var other = StoreSupport.node(runID: run.id, id: "other", sequence: 2)
            other.message = "Memoization is what this message talks about, without a status"
            let store = try Store(stateDirectory: directory)
            try store.record(Transition(run: run, nodes: [hit, miss, other]))
            // The database as the version before this migration left it.
            try store.executeRawSQL(
                """
                ALTER TABLE nodes DROP COLUMN memoization_hit;
                ALTER TABLE nodes DROP COLUMN memoization_key;
                ALTER TABLE nodes DROP COLUMN memoization_cache;
                DELETE FROM grdb_migrations WHERE identifier = '\(StoreSchema.nodeMemoizationMigration)';
                """)
            let upgraded = try Store(stateDirectory: directory)
            #expect(
                try upgraded.nodes(runID: run.id).map(\.memoization) == [
                    Self.hit, MemoizationStatus(hit: false, key: "k2", cacheName: "d"), nil,
                ])
        }
    }
}

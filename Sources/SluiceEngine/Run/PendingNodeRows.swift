package import SluiceStore
import Synchronization

/// Rows of nodes created but not written yet: a pod's node, created Running before its gate, is written with the
/// first transaction that needs it instead of one of its own.
///
/// That is, whichever comes first: the transaction that records a process the node starts that could outlive the
/// engine (``SpawnRecordingRuntime``; a sandbox server's node cannot), the node's next transition (its end, a
/// refusal, an error), or the next write of its parent's children list (within ``RunCoordinator/childrenFlushInterval``:
/// no list written names a node without a row, and a running node shows within that time). Only a pod with a parent
/// is deferred. A node that ends first is written once, at its end; an engine killed before its row was written
/// leaves none, and a resume runs the node afresh.
package final class PendingNodeRows: Sendable {
    private let rows = Mutex<[String: NodeRecord]>([:])

    package init() {}

    /// Keeps `row` until ``take(_:)`` or ``takeAll()``, replacing an older row of the same node.
    func hold(_ row: NodeRecord) {
        rows.withLock { $0[row.id] = row }
    }

    /// The row of node `id` if it is still unwritten; the caller writes it.
    package func take(_ id: String) -> NodeRecord? {
        rows.withLock { $0.removeValue(forKey: id) }
    }

    /// Every unwritten row, oldest node first; the caller writes them.
    func takeAll() -> [NodeRecord] {
        rows.withLock { rows in
            defer { rows.removeAll() }
            return rows.values.sorted { $0.sequence < $1.sequence }
        }
    }
}

package import SluiceStore
import Synchronization

/// Rows of nodes created but not written yet: a pod's node, created Running before its gate, is written with the
/// first transaction that needs it instead of one of its own.
///
/// That is, in order: the transaction that records the process the node starts (``SpawnRecordingRuntime``), the
/// node's next transition (its end, a refusal, an error), or the next write of children lists (so that no list
/// written names a node without a row). A node that ends before starting anything is written once, at its end; an
/// engine killed in between leaves no row for a node that had started nothing, and a resume creates it afresh.
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

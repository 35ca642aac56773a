import Foundation

/// Deletes finished nodes' private roots (`nodeDirectory/root`: their `/tmp` and other private paths) off the
/// critical path, so a node's dependents start while its files are being deleted.
///
/// Deleting files is slow on some file systems: an ext4 mounted with `discard` trims the freed blocks, 3–4 ms per
/// node on this project's VM, a third of a bubblewrap node's cost. ``run()`` deletes the queued roots in order until
/// ``finish()``; the engine awaits it before it records the run's end, so every root is gone when a run returns, as
/// when they were deleted inline. A root queued after ``finish()`` is deleted at once.
package final class NodeRootSweeper: Sendable {
    private let roots: AsyncStream<String>
    private let queue: AsyncStream<String>.Continuation

    package init() {
        (roots, queue) = AsyncStream.makeStream(of: String.self)
    }

    /// Queues the directory `path` (and everything in it) for deletion; a path that does not exist (a node without
    /// a private root: no isolation, or a sandbox whose private paths were all tmpfs) is not queued.
    ///
    /// The check is one `access` call: queueing wakes the sweeper's task, and deleting a missing path made Foundation
    /// build an error to throw away, per node.
    package func remove(_ path: String) {
        guard access(path, F_OK) == 0 else { return }
        if case .terminated = queue.yield(path) { Self.delete(path) }
    }

    /// Deletes queued roots until ``finish()`` was called and the queue is empty.
    ///
    /// Run it in a child task of the run; cancelling that task leaves the roots still queued behind.
    package func run() async {
        for await path in roots { Self.delete(path) }
    }

    /// Lets ``run()`` return once the roots queued so far are deleted.
    package func finish() {
        queue.finish()
    }

    private static func delete(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Bounds how many children run at once (`parallelism` of a workflow or template); unlimited when created with nil
/// or 0 (Argo's "no limit", which KFP v1 writes on every `ParallelFor`).
///
/// Waiting is cancellation-aware: a cancelled waiter (deadline, stop) leaves the queue at once instead of hanging.
package actor ParallelismLimiter {
    /// At most this many children run at once; nil: unlimited.
    nonisolated package let limit: Int?
    private var running = 0
    private var waiters: [(id: Int, continuation: CheckedContinuation<Bool, Never>)] = []
    private var nextID = 0

    package init(limit: Int?) { self.limit = limit.flatMap { $0 > 0 ? $0 : nil } }

    /// Whether this limiter bounds anything.
    package var isBounded: Bool { limit != nil }

    /// Waits for a free slot. Always pair with `release()`, also when the task was cancelled while waiting.
    package func acquire() async {
        guard let limit else { return }
        if running < limit {
            running += 1
            return
        }
        let id = nextID
        nextID += 1
        let granted = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled {
                    continuation.resume(returning: false)
                } else {
                    waiters.append((id, continuation))
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
        // A cancelled waiter takes a slot anyway so that its `release()` stays balanced.
        if !granted { running += 1 }
    }

    /// Frees a slot taken by `acquire()`.
    package func release() {
        guard limit != nil else { return }
        if waiters.isEmpty {
            running -= 1
        } else {
            waiters.removeFirst().continuation.resume(returning: true)
        }
    }

    private func cancelWaiter(_ id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(returning: false)
    }
}

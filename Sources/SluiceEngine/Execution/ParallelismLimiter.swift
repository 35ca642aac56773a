/// Bounds how many pods run at once (`spec.parallelism`); unlimited when created with nil.
package actor ParallelismLimiter {
    private let limit: Int?
    private var running = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []

    package init(limit: Int?) { self.limit = limit }

    /// Waits for a free slot.
    package func acquire() async {
        guard let limit else { return }
        if running < limit {
            running += 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    /// Frees a slot taken by `acquire()`.
    package func release() {
        guard limit != nil else { return }
        if waiters.isEmpty {
            running -= 1
        } else {
            waiters.removeFirst().resume()
        }
    }
}

/// Starting node tasks at a steady rate: at most a bound of them started at once, the next started when one ends.
///
/// Running thousands of iterations or tasks at once would start thousands of waiting Swift tasks (each holding its
/// call's scope); the node concurrency limit decides how many run, this bound how many are started.

/// Jobs decided to start, waiting for one of `bound` started tasks to end (a DAG's ready tasks).
package struct StartQueue<Output: Sendable> {
    package let bound: Int
    /// Started and not yet ended.
    package private(set) var inFlight = 0
    /// Queued jobs; a slot is emptied once its job started, so that a started job's captures (a node's call site,
    /// ~2 KB) are released when its task ends, not when the last queued job starts.
    private var waiting: [(@Sendable () async -> Output)?] = []
    private var nextWaiting = 0

    package init(bound: Int) {
        self.bound = bound
    }

    /// Queues a job; it starts in ``startWaiting(in:)`` once fewer than `bound` are in flight.
    package mutating func enqueue(_ job: @escaping @Sendable () async -> Output) {
        waiting.append(job)
    }

    /// Starts queued jobs in `group`, in their order, until `bound` are in flight.
    package mutating func startWaiting(in group: inout TaskGroup<Output>) {
        while inFlight < bound && nextWaiting < waiting.count {
            if let job = waiting[nextWaiting] {
                group.addTask(operation: job)
                inFlight += 1
            }
            waiting[nextWaiting] = nil
            nextWaiting += 1
        }
        if nextWaiting == waiting.count {
            waiting.removeAll(keepingCapacity: true)
            nextWaiting = 0
        }
    }

    /// Takes note that one started job ended.
    package mutating func ended() {
        inFlight -= 1
    }

    /// The one queued job when nothing else is queued or in flight: the caller awaits it in its own task.
    ///
    /// Nothing can become ready while it runs alone (in a DAG, tasks become ready only when others end), so awaiting
    /// it directly changes nothing but the cost: no child task to start on another thread of the pool, and none to
    /// wake the caller when it ends (a chain's nodes each paid both).
    package mutating func takeSoleJob() -> (@Sendable () async -> Output)? {
        guard inFlight == 0, waiting.count - nextWaiting == 1, let job = waiting[nextWaiting] else { return nil }
        waiting.removeAll(keepingCapacity: true)
        nextWaiting = 0
        return job
    }
}

/// Runs `count` jobs concurrently, at most `bound` started at once, and returns the results that are not nil with
/// their job's index, in the jobs' order.
///
/// - Parameter job: makes job `index`'s work; called in index order as slots free up.
package func boundedResults<Result: Sendable>(
    count: Int, bound: Int, job: (Int) -> @Sendable () async -> Result?
) async -> [(index: Int, result: Result)] {
    // One job runs in the caller's task: a child task would only add two hand-overs between threads.
    if count == 1 {
        guard let result = await job(0)() else { return [] }
        return [(0, result)]
    }
    return await withTaskGroup(of: (Int, Result?).self) { tasks in
        var collected: [(index: Int, result: Result)] = []
        for index in 0..<count {
            if index >= bound, let (done, result) = await tasks.next(), let result {
                collected.append((done, result))
            }
            let work = job(index)
            tasks.addTask { (index, await work()) }
        }
        for await (index, result) in tasks { if let result { collected.append((index, result)) } }
        return collected.sorted { $0.index < $1.index }
    }
}

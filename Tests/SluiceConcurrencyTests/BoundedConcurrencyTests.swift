import SluiceConcurrency
import Synchronization
import Testing

/// The node-starting primitives on their own: how many run at once, in which order results come back.
@Suite("Bounded concurrency")
struct BoundedConcurrencyTests {
    /// Counts jobs running at once and the most there ever were.
    final class Gauge: Sendable {
        private let state = Mutex((running: 0, most: 0))
        func enter() {
            state.withLock {
                $0.running += 1; $0.most = max($0.most, $0.running)
            }
        }
        func leave() { state.withLock { $0.running -= 1 } }
        var most: Int { state.withLock { $0.most } }
    }

    /// What a queued job captures (in the engine, a node's call site).
    final class Capture: Sendable {}

    @Test("a job's captures are released once its task ended, while later jobs still wait in the queue")
    func startedJobsAreReleased() async {
        weak var first: Capture?
        await withTaskGroup(of: Int.self) { group in
            var queue = StartQueue<Int>(bound: 1)
            for index in 0..<3 {
                let capture = Capture()
                if index == 0 { first = capture }
                queue.enqueue { withExtendedLifetime(capture) { index } }
            }
            queue.startWaiting(in: &group)
            #expect(await group.next() == 0)
            queue.ended()
            #expect(queue.inFlight == 0)
            // Two jobs still wait: the first one's slot no longer holds its closure.
            #expect(first == nil)
            queue.startWaiting(in: &group)
            #expect(await group.next() == 1)
        }
    }

    @Test("a limiter of 2 lets at most 2 of 12 tasks hold a slot at once; 0 means no limit")
    func limiterBounds() async {
        let limiter = ParallelismLimiter(limit: 2)
        let gauge = Gauge()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<12 {
                group.addTask {
                    await limiter.acquire()
                    gauge.enter()
                    try? await Task.sleep(for: .milliseconds(5))
                    gauge.leave()
                    await limiter.release()
                }
            }
        }
        #expect(gauge.most == 2)
        #expect(await ParallelismLimiter(limit: 0).isBounded == false)
        #expect(ParallelismLimiter(limit: nil).limit == nil)
    }

    @Test("boundedResults keeps at most `bound` jobs started, drops nil results and returns the rest in job order")
    func boundedResultsInOrder() async {
        let gauge = Gauge()
        let results = await boundedResults(count: 20, bound: 3) { index in
            {
                gauge.enter()
                try? await Task.sleep(for: .milliseconds(Int64((20 - index) % 4)))
                gauge.leave()
                return index % 5 == 0 ? nil : index * 10
            }
        }
        #expect(gauge.most <= 3)
        #expect(results.map(\.index) == (0..<20).filter { $0 % 5 != 0 })
        #expect(results.map(\.result) == (0..<20).filter { $0 % 5 != 0 }.map { $0 * 10 })
    }
}

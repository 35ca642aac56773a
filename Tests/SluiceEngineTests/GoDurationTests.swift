import Testing

@testable import SluiceEngine

/// Go's duration syntax as Argo's `timeout` and `retryStrategy.backoff` fields use it.
@Suite("Go durations")
struct GoDurationTests {
    @Test("durations parse to milliseconds", arguments: [
        ("30", 30_000), ("30s", 30_000), ("1m30s", 90_000), ("2m", 120_000), ("1h", 3_600_000),
        ("500ms", 500), ("1.5s", 1_500), ("1h2m3s", 3_723_000),
    ] as [(String, Int64)])
    func parses(text: String, milliseconds: Int64) {
        #expect(GoDuration.parse(text) == .milliseconds(milliseconds))
    }

    @Test("text that is not a duration is refused", arguments: ["", "s", "10x", "abc", "1m30"])
    func refuses(text: String) {
        #expect(GoDuration.parse(text) == nil)
    }

    @Test("backoff waits grow by the factor and stop growing at the cap", arguments: [
        (0, 1_000), (1, 2_000), (2, 4_000), (3, 5_000), (6, 5_000),
    ] as [(Int, Int64)])
    func backoff(attempt: Int, milliseconds: Int64) {
        let delay = WorkflowExecutor.backoffDelay(attempt: attempt, base: .seconds(1), factor: 2, cap: .seconds(5))
        #expect(delay == .milliseconds(milliseconds))
    }

    @Test("without a cap the wait keeps growing")
    func uncapped() {
        #expect(WorkflowExecutor.backoffDelay(attempt: 4, base: .seconds(1), factor: 2, cap: nil) == .seconds(16))
    }
}

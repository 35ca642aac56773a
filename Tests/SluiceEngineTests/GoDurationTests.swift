import SluiceSpec
import Testing

@testable import SluiceEngine

/// Go's duration syntax as Argo's `timeout` and `retryStrategy.backoff` fields use it.
@Suite("Go durations")
struct GoDurationTests {
    @Test(
        "durations parse to milliseconds",
        arguments: [
            ("30", 30_000), ("30s", 30_000), ("1m30s", 90_000), ("2m", 120_000), ("1h", 3_600_000),
            ("500ms", 500), ("1.5s", 1_500), ("1h2m3s", 3_723_000),
        ] as [(String, Int64)])
    func parses(text: String, milliseconds: Int64) throws {
        #expect(try ArgoDuration.parse(text) == .milliseconds(milliseconds))
    }

    @Test("text that is not a duration is refused", arguments: ["", "s", "10x", "abc", "1m30"])
    func refuses(text: String) {
        #expect(throws: ArgoDuration.Problem.malformed) { try ArgoDuration.parse(text) }
    }

    @Test(
        "durations past the limit are refused, not trapped on",
        arguments: [
            "99999999999999999999h", "87601h", "99999999999999999999999999999999999999999s", "315360001",
        ])
    func tooLong(text: String) {
        #expect(throws: ArgoDuration.Problem.tooLong(limitSeconds: 315_360_000)) { try ArgoDuration.parse(text) }
    }

    @Test("a backoff that grows past every bound stops at the duration limit")
    func backoffOverflow() {
        let delay = WorkflowExecutor.backoffDelay(attempt: 5_000, base: .seconds(1), factor: 10, cap: nil)
        #expect(delay == .seconds(315_360_000))
    }

    @Test(
        "backoff waits grow by the factor and stop growing at the cap",
        arguments: [
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

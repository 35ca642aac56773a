import Foundation
import SluiceStore
import Testing

@Suite("StoreTimestamp")
struct StoreTimestampTests {
    @Test("dates are written as ISO-8601 UTC with milliseconds and read back exactly")
    func formatAndParse() throws {
        let date = Date(timeIntervalSince1970: 1_740_821_400.125)
        #expect(StoreTimestamp.string(from: date) == "2025-03-01T09:30:00.125Z")
        #expect(StoreTimestamp.date(from: "2025-03-01T09:30:00.125Z") == date)
    }

    @Test("sub-millisecond precision is truncated toward the past, also before 1970")
    func truncation() {
        #expect(StoreTimestamp.string(from: Date(timeIntervalSince1970: 0.0129)) == "1970-01-01T00:00:00.012Z")
        #expect(StoreTimestamp.string(from: Date(timeIntervalSince1970: -0.0005)) == "1969-12-31T23:59:59.999Z")
        #expect(StoreTimestamp.string(from: Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00.000Z")
    }

    @Test("truncating is idempotent and matches what a write-then-read returns, for many arbitrary dates")
    func roundTripMatchesTruncation() throws {
        var generator = SplitMix64(seed: 0x5EED)
        for _ in 0..<10_000 {
            let date = Date(timeIntervalSince1970: Double.random(in: -2e9...4e9, using: &generator))
            let truncated = StoreTimestamp.truncated(date)
            // Toward the past, except that noise under 1 µs rounds up (plus slack for the subtraction in seconds).
            #expect(date.timeIntervalSince(truncated) > -0.000_002)
            #expect(date.timeIntervalSince(truncated) < 0.001)
            #expect(StoreTimestamp.truncated(truncated) == truncated)
            let text = StoreTimestamp.string(from: date)
            #expect(StoreTimestamp.date(from: text) == truncated, "\(date.timeIntervalSince1970) -> \(text)")
            #expect(StoreTimestamp.string(from: truncated) == text)
        }
    }

    @Test(
        "text that is not in the stored form is rejected",
        arguments: ["", "2025-03-01 09:30:00.125", "2025-13-01T00:00:00.000Z", "2025-03-01T09:30:00.12xZ"])
    func rejectsMalformed(_ text: String) {
        #expect(StoreTimestamp.date(from: text) == nil)
    }
}

/// A small deterministic generator, so that a failure reproduces with the same dates.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

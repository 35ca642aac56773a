/// Runs `body` once and returns its result with the wall-clock time it took, in nanoseconds.
func measure<T>(_ body: () throws -> T) rethrows -> (result: T, nanoseconds: Int64) {
    let clock = ContinuousClock()
    let start = clock.now
    let result = try body()
    let (seconds, attoseconds) = (clock.now - start).components
    return (result, seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
}

/// Wall-clock samples of one measured operation, reported as their median.
struct Samples {
    private(set) var nanoseconds: [Int64] = []

    /// Keeps one sample.
    mutating func record(_ sample: Int64) {
        nanoseconds.append(sample)
    }

    /// Times `body` once and keeps the sample.
    mutating func time<T>(_ body: () throws -> T) rethrows -> T {
        let (result, elapsed) = try measure(body)
        record(elapsed)
        return result
    }

    /// The median sample in nanoseconds (the mean of the middle two for an even count).
    var median: Double {
        precondition(!nanoseconds.isEmpty, "no samples")
        let sorted = nanoseconds.sorted()
        let middle = sorted.count / 2
        if sorted.count % 2 == 1 { return Double(sorted[middle]) }
        return (Double(sorted[middle - 1]) + Double(sorted[middle])) / 2
    }
}

/// Formatting for the report tables.
enum Report {
    /// `1 KiB`, `1 MiB`, `100 MiB`, `1 GiB`, or bytes.
    static func size(_ bytes: Int) -> String {
        for (unit, scale) in [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] where bytes >= scale {
            if bytes % scale == 0 { return "\(bytes / scale) \(unit)" }
        }
        return "\(bytes) B"
    }

    /// Microseconds with 1 decimal, from nanoseconds.
    static func micros(_ nanoseconds: Double) -> String {
        fixed(nanoseconds / 1000, decimals: 1)
    }

    /// Decimal gigabytes per second (10^9 bytes/s) for `bytes` processed in `nanoseconds`.
    static func gigabytesPerSecond(_ bytes: Int, _ nanoseconds: Double) -> String {
        fixed(Double(bytes) / nanoseconds, decimals: 2)
    }

    /// `value` rounded to `decimals` places, without Foundation's formatters.
    static func fixed(_ value: Double, decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = Int64((value * scale).rounded())
        let whole = scaled / Int64(scale)
        let fraction = String(scaled % Int64(scale))
        if decimals == 0 { return String(whole) }
        return "\(whole)." + String(repeating: "0", count: decimals - fraction.count) + fraction
    }

    /// `text` padded on the left to `width` columns.
    static func right(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }

    /// `text` padded on the right to `width` columns.
    static func left(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
    }
}

/// Kubernetes resource quantities converted to the container CLIs' `--cpus` and `--memory` values.
enum KubernetesQuantity {
    /// `500m` -> `0.5`, `2` -> `2`, `1.5` -> `1.5`, `250m` -> `0.25`; `nil` for anything else or zero.
    static func cpus(_ text: String) -> String? {
        let millis: Int
        if text.hasSuffix("m") {
            guard let value = Int(text.dropLast()), value > 0 else { return nil }
            millis = value
        } else {
            guard let value = Double(text), value > 0, value.isFinite, value < 1_000_000 else { return nil }
            millis = Int((value * 1000).rounded())
            guard millis > 0 else { return nil }
        }
        let whole = millis / 1000
        let fraction = millis % 1000
        guard fraction != 0 else { return String(whole) }
        var digits = String(fraction)
        digits = String(repeating: "0", count: 3 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(whole).\(digits)"
    }

    /// The number of bytes of a memory quantity: `128Mi`, `1Gi`, `500M`, `1k`, `1048576`; `nil` when invalid.
    static func bytes(_ text: String) -> Int64? {
        let suffixes: [(String, Int64)] = [
            ("Ki", 1 << 10), ("Mi", 1 << 20), ("Gi", 1 << 30), ("Ti", 1 << 40), ("Pi", 1 << 50),
            ("k", 1_000), ("K", 1_000), ("M", 1_000_000), ("G", 1_000_000_000), ("T", 1_000_000_000_000),
            ("P", 1_000_000_000_000_000),
        ]
        for (suffix, scale) in suffixes where text.hasSuffix(suffix) {
            guard let value = Int64(text.dropLast(suffix.count)), value > 0 else { return nil }
            let (product, overflow) = value.multipliedReportingOverflow(by: scale)
            return overflow ? nil : product
        }
        guard let value = Int64(text), value > 0 else { return nil }
        return value
    }

    /// A memory quantity as the CLIs write it: `128Mi` -> `128m`, `1Gi` -> `1g`, `1G` -> `1000000000b`.
    static func memory(_ text: String) -> String? {
        guard let bytes = bytes(text) else { return nil }
        for (unit, scale) in [("g", Int64(1) << 30), ("m", Int64(1) << 20), ("k", Int64(1) << 10)]
        where bytes % scale == 0 {
            return "\(bytes / scale)\(unit)"
        }
        return "\(bytes)b"
    }
}

import SluiceExpressions

/// Go's duration syntax as Argo's `timeout`, suspend `duration` and retry `backoff` use it (`30s`, `1m30s`, `1h`,
/// `500ms`; a bare integer is seconds), bounded by ``InputLimits/durationSeconds`` so that no value can overflow.
package enum ArgoDuration {
    /// Why a text is not a usable duration.
    package enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        case malformed
        case tooLong(limitSeconds: Int)

        package var description: String {
            switch self {
            case .malformed: "not a duration such as 20 (seconds), 20s or 2m"
            case .tooLong(let limit): "longer than \(limit) seconds: raise the limit with --limit duration-seconds=N"
            }
        }
    }

    /// The duration `text` stands for.
    ///
    /// - Throws: ``Problem/malformed`` for text that is not a Go duration, ``Problem/tooLong(limitSeconds:)`` past
    ///   `limitSeconds`.
    package static func parse(_ text: String, limitSeconds: Int = InputLimits.current.durationSeconds)
        throws(Problem) -> Duration
    {
        guard let seconds = totalSeconds(text) else { throw .malformed }
        guard seconds.isFinite, seconds >= 0 else { throw .malformed }
        guard seconds <= Double(limitSeconds) else { throw .tooLong(limitSeconds: limitSeconds) }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// `activeDeadlineSeconds`: a whole number of seconds, bounded like every duration.
    package static func parse(seconds text: String, limitSeconds: Int = InputLimits.current.durationSeconds)
        throws(Problem) -> Duration
    {
        let trimmed = text.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()
        guard !trimmed.isEmpty, trimmed.allSatisfy({ $0.isASCII && $0.isNumber }) else { throw .malformed }
        guard let value = Int(String(trimmed)), value <= limitSeconds else {
            throw .tooLong(limitSeconds: limitSeconds)
        }
        return .seconds(value)
    }

    private static func totalSeconds(_ text: String) -> Double? {
        if let seconds = Int(text) { return Double(seconds) }
        var total: Double = 0
        var number = ""
        var unit = ""
        var sawAny = false
        func flush() -> Bool {
            guard let value = Double(number) else { return false }
            let scale: Double
            switch unit {
            case "h": scale = 3600
            case "m": scale = 60
            case "s": scale = 1
            case "ms": scale = 0.001
            case "us", "µs": scale = 0.000_001
            case "ns": scale = 0.000_000_001
            default: return false
            }
            total += value * scale
            number = ""
            unit = ""
            sawAny = true
            return true
        }
        for character in text {
            if character.isASCII && (character.isNumber || character == ".") {
                if !unit.isEmpty { guard flush() else { return nil } }
                number.append(character)
            } else {
                unit.append(character)
            }
        }
        guard !number.isEmpty, flush(), sawAny else { return nil }
        return total
    }
}

import SluiceEngine

/// How a replay's outputs compare with the captured run's, subject by subject.
package struct ReproducibilityReport: Sendable, Equatable {
    /// What became of one captured subject.
    package enum Outcome: String, Sendable, Equatable {
        /// Run again; same digest.
        case same
        /// Run again; another digest.
        case different
        /// The replay produced no such node or subject.
        case missing
        /// Not run again: the captured output was re-verified and re-signed.
        case reused
    }

    /// One captured subject of one node.
    package struct Entry: Sendable, Equatable, CustomStringConvertible {
        package var node: String
        package var subject: String
        /// The captured and replayed digests, as `algorithm:hex`.
        package var captured: String
        package var replayed: String?
        package var outcome: Outcome

        /// `same      produce outputs/artifacts/data sha256:…`, with both digests when they differ.
        package var description: String {
            let label = outcome.rawValue + String(repeating: " ", count: max(0, 9 - outcome.rawValue.count))
            switch outcome {
            case .different: return "\(label) \(node) \(subject) \(captured) -> \(replayed ?? "none")"
            default: return "\(label) \(node) \(subject) \(captured)"
            }
        }
    }

    package var capturedRun: String
    package var replayRun: String
    package var entries: [Entry]

    /// Whether every subject that ran again came out the same, and none is missing.
    package var isReproduced: Bool { entries.allSatisfy { $0.outcome == .same || $0.outcome == .reused } }

    /// The number of entries with `outcome`.
    package func count(_ outcome: Outcome) -> Int { entries.filter { $0.outcome == outcome }.count }
}

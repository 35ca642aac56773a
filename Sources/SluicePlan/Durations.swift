import SluiceExpressions
import SluiceSpec

/// Durations as the engine reads them from rendered fields, bounded by `InputLimits.durationSeconds`.
package enum Durations {
    /// The Go duration `text` of `field` (`timeout`, suspend `duration`, a backoff), or a located error.
    ///
    /// - Throws: ``EngineError/badExpression(expression:reason:context:)`` for text that is not a duration,
    ///   ``EngineError/limitExceeded(limit:detail:context:)`` past the duration limit.
    package static func parse(_ text: String, field: String, context: String) throws(EngineError) -> Duration {
        do {
            return try ArgoDuration.parse(text)
        } catch {
            throw problem(error, text: text, field: field, context: context)
        }
    }

    /// `activeDeadlineSeconds`: whole seconds.
    package static func parse(seconds text: String, field: String, context: String) throws(EngineError) -> Duration {
        do {
            return try ArgoDuration.parse(seconds: text)
        } catch {
            throw problem(error, text: text, field: field, context: context)
        }
    }

    private static func problem(_ problem: ArgoDuration.Problem, text: String, field: String, context: String)
        -> EngineError
    {
        switch problem {
        case .malformed:
            return .badExpression(expression: text, reason: problem.description, context: context)
        case .tooLong(let limit):
            return .limitExceeded(
                limit: "duration-seconds",
                detail: "\(field) '\(text.excerpt(limit: 40))' is longer than \(limit) seconds",
                context: context)
        }
    }
}

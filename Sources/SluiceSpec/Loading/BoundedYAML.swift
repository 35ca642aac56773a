package import SluiceExpressions
import Yams

/// The YAML files that come with a run besides its workflow (`-f` parameter files, runtime profiles), read with the
/// workflow's budget (``InputLimits``: size, depth, aliases and their expansion) before libyaml composes them: the
/// one door through which the engine and the CLI read YAML.
package enum BoundedYAML {
    /// `text` decoded as `T`, after the budget check.
    ///
    /// - Throws: ``SpecError/limitExceeded(limit:detail:at:)`` at the offending node, or Yams' decoding error.
    package static func decode<T: Decodable>(
        _ type: T.Type, from text: String, file: String, limits: InputLimits = .current
    ) throws -> T {
        try YAMLBudget.check(text, file: file, limits: limits)
        return try YAMLDecoder().decode(type, from: text)
    }

    /// `text` as plain values (maps, lists, strings, numbers, booleans; nil for an empty document), after the
    /// budget check.
    ///
    /// - Throws: ``SpecError/limitExceeded(limit:detail:at:)`` at the offending node, or Yams' parse error.
    package static func load(_ text: String, file: String, limits: InputLimits = .current) throws -> Any? {
        try YAMLBudget.check(text, file: file, limits: limits)
        return try Yams.load(yaml: text)
    }
}

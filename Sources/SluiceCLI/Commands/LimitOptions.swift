import ArgumentParser
import SluiceExpressions

/// `--limit NAME=N`: raises one of the bounds Sluice puts on workflow files and what they ask for.
struct LimitOptions: ParsableArguments {
    @Option(
        name: .customLong("limit"),
        help: ArgumentHelp(
            "Raise a limit, NAME=N (repeatable): "
                + InputLimits.names.map(\.name).joined(separator: ", ") + " (defaults in the README).",
            valueName: "NAME=N"))
    var assignments: [String] = []

    /// Sets the process's limits from the defaults and the `--limit` assignments.
    ///
    /// - Throws: `ValidationError` (a usage error, exit code 2) for an unknown name or a value that is not a
    ///   positive integer.
    func apply() throws {
        var limits = InputLimits()
        for assignment in assignments {
            do {
                limits = try limits.setting(assignment)
            } catch {
                throw ValidationError("--limit \(assignment.excerpt(limit: 60)): \(error.reason)")
            }
        }
        InputLimits.current = limits
    }
}

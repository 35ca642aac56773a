import Synchronization

/// The bounds Sluice puts on what a workflow file, its parameters and its nodes' outputs may ask for, so that no
/// input, however large or malformed, makes the engine crash, hang or exhaust memory.
///
/// Each bound has a default that real workflows stay far below; `sluice lint`/`run --limit NAME=N` raises one.
/// The CLI sets ``current`` once at start; parsers and loaders read it unless a caller passes its own value.
package struct InputLimits: Sendable, Equatable {
    /// Largest workflow file read, in bytes.
    package var documentBytes = 8 * 1024 * 1024
    /// Deepest nesting of YAML collections (mappings and sequences inside each other).
    package var yamlDepth = 100
    /// Most YAML aliases (`*name`) in one file.
    package var yamlAliases = 1_000
    /// Most nodes that aliases may add to a file when expanded (the defence against "billion laughs").
    package var aliasExpansion = 100_000
    /// Deepest nesting of an expression (`when`, `{{= }}`, `depends`): parentheses, operators chained or nested.
    package var expressionDepth = 256
    /// Most iterations of one loop (`withItems`, `withParam`, `withSequence`).
    package var loopItems = 20_000
    /// Highest `retryStrategy.limit`.
    package var retryLimit = 10_000
    /// Longest duration (`timeout`, `activeDeadlineSeconds`, suspend `duration`, retry backoff), in seconds:
    /// ten years.
    package var durationSeconds = 10 * 365 * 24 * 3600
    /// Most bytes a bundle archive may unpack to (`sluice verify`/`replay BUNDLE.tar.gz`): 8 GiB.
    package var bundleBytes = 8 * 1024 * 1024 * 1024
    /// Most times its own size a bundle archive may unpack to, once past 64 MiB (the defence against gzip bombs).
    package var bundleRatio = 100

    package init() {}

    /// The limits in force in this process: the defaults unless the CLI raised some.
    package static var current: InputLimits {
        get { storage.withLock { $0 ?? InputLimits() } }
        set { storage.withLock { $0 = newValue } }
    }

    /// Nil until the CLI sets limits. (Initialised as `Mutex(InputLimits())`, optimised builds read every limit as
    /// 0 through a command that never set them: `sluice report` refused a 6 KB workflow as over 0 bytes.)
    private static let storage = Mutex<InputLimits?>(nil)

    /// The names `--limit NAME=N` accepts, with what each bounds, in the order the README lists them.
    package static let names: [(name: String, meaning: String)] = [
        ("document-bytes", "size of a workflow file in bytes"),
        ("yaml-depth", "nesting depth of YAML collections"),
        ("yaml-aliases", "YAML aliases in one file"),
        ("alias-expansion", "nodes added by expanding YAML aliases"),
        ("expression-depth", "nesting depth of an expression (when, {{= }}, depends)"),
        ("loop-items", "iterations of one loop (withItems, withParam, withSequence)"),
        ("retry-limit", "retryStrategy.limit"),
        ("duration-seconds", "a duration (timeout, activeDeadlineSeconds, suspend, backoff) in seconds"),
        ("bundle-bytes", "bytes a bundle archive unpacks to"),
        ("bundle-ratio", "times its size a bundle archive unpacks to, past 64 MiB"),
    ]

    private static func keyPath(named name: String) -> WritableKeyPath<InputLimits, Int>? {
        switch name {
        case "document-bytes": \.documentBytes
        case "yaml-depth": \.yamlDepth
        case "yaml-aliases": \.yamlAliases
        case "alias-expansion": \.aliasExpansion
        case "expression-depth": \.expressionDepth
        case "loop-items": \.loopItems
        case "retry-limit": \.retryLimit
        case "duration-seconds": \.durationSeconds
        case "bundle-bytes": \.bundleBytes
        case "bundle-ratio": \.bundleRatio
        default: nil
        }
    }

    /// These limits with `NAME=N` applied.
    ///
    /// - Throws: a one-line reason when the name is unknown or the value is not a positive integer.
    package func setting(_ assignment: String) throws(LimitAssignmentError) -> InputLimits {
        guard let equals = assignment.firstIndex(of: "=") else { throw .init(reason: "write it NAME=N") }
        let name = String(assignment[..<equals])
        guard let keyPath = Self.keyPath(named: name) else {
            throw .init(
                reason: "unknown limit '\(name.excerpt(limit: 40))' (known: "
                    + Self.names.map(\.name).joined(separator: ", ") + ")")
        }
        guard let value = Int(assignment[assignment.index(after: equals)...]), value > 0 else {
            throw .init(reason: "limit '\(name)' needs a positive integer")
        }
        var limits = self
        limits[keyPath: keyPath] = value
        return limits
    }
}

/// A `--limit` argument that cannot be applied.
package struct LimitAssignmentError: Error, Sendable, Equatable, CustomStringConvertible {
    package var reason: String
    package init(reason: String) { self.reason = reason }
    package var description: String { reason }
}

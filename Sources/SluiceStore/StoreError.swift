/// Everything that can go wrong in SluiceStore: the state database, the artifact store and name validation.
///
/// Cases carry structured context; `description` is one sentence naming the thing and the offending value.
/// Errors from GRDB/SQLite are wrapped exactly once into ``database(operation:underlying:)``.
package enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A database operation failed; `operation` says what the store was doing, `underlying` is SQLite's text.
    case database(operation: String, underlying: String)
    /// No run has this name or id.
    case runNotFound(String)
    /// `@latest` was asked for, but the state directory holds no runs yet.
    case noRuns
    /// A run record reuses the name of another run (names are unique within a state directory).
    case runNameTaken(name: String, existingRunID: String)
    /// The state directory cannot be created, is not a directory, or cannot be written.
    case stateDirectoryUnusable(path: String, reason: String)
    /// The database was migrated by a newer Sluice whose schema this build does not know.
    case schemaTooNew(path: String, unknownMigrations: [String])
    /// A node, attempt, envelope or denial names a run that does not exist (`kind` is the record type).
    case recordReferencesUnknownRun(kind: String, key: String, runID: String)
    /// An attempt names a node that does not exist in its run.
    case recordReferencesUnknownNode(kind: String, key: String, runID: String, nodeID: String)
    /// The artifact with this digest is not in the artifact store.
    case artifactMissing(String)
    /// An artifact or output name is not a safe relative path (see ``validateRelativeName(_:)``).
    case artifactNameUnsafe(String)
    /// A digest handed to the artifact store is not 64 lowercase hex characters.
    case artifactDigestInvalid(String)
    /// The source of an artifact is, or contains, a symbolic link; links are never followed.
    case artifactSymlinkRefused(path: String)
    /// The source of an artifact does not exist or is not a regular file / directory.
    case artifactSourceUnusable(path: String, reason: String)
    /// Copying an artifact into the store failed.
    case artifactWriteFailed(path: String, reason: String)
    /// The bytes copied into the store hash to another digest than the one the caller expected.
    case artifactDigestMismatch(path: String, expected: String, actual: String)

    /// One human sentence naming the thing and the offending value.
    package var description: String {
        switch self {
        case .database(let operation, let underlying):
            return "database error while \(operation): \(underlying)"
        case .runNotFound(let nameOrID):
            return "no run has the name or id '\(nameOrID)'"
        case .noRuns:
            return "no runs have been recorded in this state directory yet, so '@latest' refers to nothing"
        case .runNameTaken(let name, let existingRunID):
            return "run name '\(name)' is already used by run \(existingRunID)"
        case .stateDirectoryUnusable(let path, let reason):
            return "state directory '\(path)' is unusable: \(reason)"
        case .schemaTooNew(let path, let unknownMigrations):
            return "database '\(path)' was written by a newer Sluice (unknown schema migrations: "
                + "\(unknownMigrations.joined(separator: ", "))); upgrade sluice to use this state directory"
        case .recordReferencesUnknownRun(let kind, let key, let runID):
            return "cannot record \(kind) '\(key)': run '\(runID)' does not exist"
        case .recordReferencesUnknownNode(let kind, let key, let runID, let nodeID):
            return "cannot record \(kind) '\(key)': node '\(nodeID)' does not exist in run '\(runID)'"
        case .artifactMissing(let digest):
            return "artifact '\(digest)' is not in the artifact store"
        case .artifactNameUnsafe(let name):
            let reason = RelativeName.problem(in: name) ?? "it is not a safe relative path"
            return "artifact name '\(RelativeName.printable(name))' is unsafe: \(reason); "
                + "use a relative path that stays inside the node's directory"
        case .artifactDigestInvalid(let digest):
            return "artifact digest '\(RelativeName.printable(digest))' is not a sha256 hex digest "
                + "(64 lowercase hex characters)"
        case .artifactSymlinkRefused(let path):
            return "refusing to store artifact: '\(path)' is a symbolic link, and links are never followed"
        case .artifactSourceUnusable(let path, let reason):
            return "cannot store artifact from '\(path)': \(reason)"
        case .artifactWriteFailed(let path, let reason):
            return "cannot write artifact '\(path)': \(reason)"
        case .artifactDigestMismatch(let path, let expected, let actual):
            return "artifact '\(path)' changed while it was stored: expected sha256:\(expected), "
                + "the bytes copied hash to sha256:\(actual)"
        }
    }
}

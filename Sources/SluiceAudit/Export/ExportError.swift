import SluiceEngine

/// What can go wrong around revocations, export bundles, offline verification, replay and conformance checks.
///
/// Verification problems found inside a bundle are results (``BundleVerifier/Finding``), not errors: these cases
/// are for things that stop the command itself (an unreadable file, a revocation list signed by an untrusted key).
package enum ExportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The value given to `sluice revoke` is neither a key id nor an envelope payload digest.
    case revocationTargetInvalid(value: String)
    /// The value is well-formed but the state directory knows neither a key nor an envelope by it.
    case revocationTargetUnknown(value: String)
    /// A revocation list file cannot be read or parsed.
    case revocationListMalformed(path: String, reason: String)
    /// A revocation list is not signed by any of the trusted keys.
    case revocationListUntrusted(path: String, keyIDs: [String], trusted: [String])
    /// A key file (`--trust`) cannot be read or holds no Ed25519 public key.
    case keyFileUnreadable(path: String, reason: String)
    /// The state directory could not be read or written.
    case state(reason: String)
    /// The bundle path already exists (export never overwrites).
    case bundleExists(path: String)
    /// Writing the bundle failed.
    case bundleWriteFailed(path: String, reason: String)
    /// The bundle cannot be opened (missing, not a directory or `.tar.gz`, or `tar` failed).
    case bundleUnreadable(path: String, reason: String)
    /// The directory given to `sluice conformance` cannot be listed.
    case directoryUnreadable(path: String, reason: String)
    /// `sluice replay --from NODE` names no node the bundle captured with an envelope.
    case replayNodeUnknown(name: String, known: [String])
    /// The captured run cannot be imported into the state directory for a replay.
    case replayImportFailed(reason: String)
    /// `sluice export --slsa` was given a key other than the one that signed the run's lineage.
    case provenanceKeyMismatch(run: String, signer: String, given: String)
    /// `sluice replay --from` would re-sign captured outputs of a bundle verified against its own keys only.
    case replayUntrusted(bundle: String)

    /// One human sentence naming the thing and the offending value.
    package var description: String {
        switch self {
        case .revocationTargetInvalid(let value):
            return "cannot revoke '\(value)': expected a key id or an envelope payload digest "
                + "(64 lowercase hex characters, optionally prefixed by 'sha256:')"
        case .revocationTargetUnknown(let value):
            return "cannot revoke '\(value)': this state directory knows no signing key or envelope with that id; "
                + "pass --kind key or --kind envelope to revoke it anyway"
        case .revocationListMalformed(let path, let reason):
            return "revocation list '\(path)' is malformed: \(reason)"
        case .revocationListUntrusted(let path, let keyIDs, let trusted):
            let signers = keyIDs.isEmpty ? "no key" : keyIDs.map { "key \($0)" }.joined(separator: ", ")
            return "revocation list '\(path)' is signed by \(signers), which is not among the trusted keys "
                + "(\(trusted.joined(separator: ", ")))"
        case .keyFileUnreadable(let path, let reason):
            return "key file '\(path)' is unusable: \(reason)"
        case .state(let reason):
            return "state directory unusable: \(reason)"
        case .bundleExists(let path):
            return "bundle '\(path)' already exists: choose a new path (export never overwrites)"
        case .bundleWriteFailed(let path, let reason):
            return "cannot write bundle '\(path)': \(reason)"
        case .bundleUnreadable(let path, let reason):
            return "cannot read bundle '\(path)': \(reason)"
        case .directoryUnreadable(let path, let reason):
            return "cannot read directory '\(path)': \(reason)"
        case .replayNodeUnknown(let name, let known):
            return "--from '\(name)' names no node the bundle captured with an envelope (captured: "
                + known.joined(separator: ", ") + ")"
        case .replayImportFailed(let reason):
            return "cannot import the captured run for the replay: \(reason)"
        case .provenanceKeyMismatch(let run, let signer, let given):
            return "cannot sign SLSA provenance for run '\(run)' with key \(given): its lineage was signed by key "
                + "\(signer); pass that key (the run's --lineage-key, else its --key)"
        case .replayUntrusted(let bundle):
            return "bundle \(bundle) was verified against its own keys only (integrity, not origin): --from would "
                + "re-sign its captured outputs with this machine's key; pass --trust KEYFILE with the key you expect, "
                + "or --resign-untrusted to accept them as they are (the re-signed lineage says so)"
        }
    }
}

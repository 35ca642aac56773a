/// Everything that can go wrong while hashing, signing, or verifying lineage.
///
/// Cases carry structured context; `description` renders one sentence that names the thing and the offending
/// value. Secret key material never appears in any case.
package enum GovernanceError: Error, Sendable, Equatable, CustomStringConvertible {
    // MARK: - Environment

    /// `sodium_init()` reported failure; no cryptographic operation can be trusted.
    case sodiumInitFailed

    // MARK: - Files and directories

    /// A file could not be opened or read; `reason` is the operating system's message.
    case fileUnreadable(path: String, reason: String)
    /// A path that must name a directory names something else.
    case notADirectory(path: String)
    /// A path that must be hashed is a symbolic link, which hashing refuses to follow.
    case symlinkRefused(path: String)
    /// A path names a FIFO, socket, or device rather than a regular file.
    case unsupportedFileType(path: String, type: String)
    /// A file name cannot be hashed unambiguously (not UTF-8, or containing a newline).
    case unsupportedFileName(path: String, reason: String)

    // MARK: - Key files and key formats

    /// The private key file does not exist.
    case keyFileMissing(path: String)
    /// The private key file exists but cannot be read.
    case keyFileUnreadable(path: String, reason: String)
    /// The private key file is accessible by group or others; `mode` holds the permission bits.
    case keyFilePermissionsTooOpen(path: String, mode: UInt32)
    /// The private key file does not hold an unencrypted PKCS#8 Ed25519 key.
    case keyFileInvalid(path: String, reason: String)
    /// Writing a private key file would replace an existing file.
    case keyFileExists(path: String)
    /// The private key file could not be written.
    case keyFileUnwritable(path: String, reason: String)
    /// Key bytes, hex, or PEM text do not form a valid Ed25519 key.
    case invalidKey(reason: String)

    // MARK: - Encodings

    /// A field that must be base64 (standard or URL-safe) is not.
    case invalidBase64(field: String)
    /// A string that must be a lowercase SHA-256 hex digest is not.
    case invalidDigest(value: String)
    /// Bytes that must be JSON are not acceptable to the strict parser.
    case malformedJSON(reason: String, offset: Int)

    // MARK: - Governance documents and the trust chain

    /// `spec.governance` is not a valid governance document; `field` is the dotted path inside it.
    case malformedGovernance(field: String, reason: String)
    /// A delegation's attestation does not prove what the delegation claims.
    case brokenDelegation(name: String, reason: String)
    /// A key is not admitted for a role by the governance's authorities and delegations.
    case keyNotAdmitted(keyID: String, role: String, reason: String)
    /// An envelope's trust slope is not the chain this run's governance admits for its signer.
    case trustSlopeMismatch(reason: String)
    /// A submission or delegation attestation is structurally wrong.
    case malformedAttestation(kind: String, reason: String)

    // MARK: - Envelopes and statements

    /// The DSSE envelope JSON is structurally wrong.
    case malformedEnvelope(reason: String)
    /// The envelope carries no signatures at all.
    case noSignatures
    /// A signature names a trusted key but does not verify over the envelope's PAE.
    case badSignature(keyID: String, node: String?)
    /// No signature was made by a trusted key.
    case untrustedKey(keyID: String, node: String?)
    /// The envelope's payloadType is not the one expected.
    case payloadTypeMismatch(expected: String, actual: String)
    /// The statement's `_type` is not in-toto Statement v1.
    case statementTypeMismatch(expected: String, actual: String)
    /// The statement's predicateType is not the one expected.
    case predicateTypeMismatch(expected: String, actual: String)
    /// The statement JSON is structurally wrong.
    case malformedStatement(reason: String)
    /// A lineage predicate field is missing or has the wrong type.
    case malformedPredicate(field: String, reason: String)

    // MARK: - Lineage gate

    /// The payload digest of the envelope differs from the one recorded when it was produced.
    case envelopeDigestMismatch(expected: Digest, actual: Digest)
    /// The signed predicate names a signer other than the key that verified the envelope.
    case signerMismatch(claimed: String, actual: String)
    /// The envelope belongs to another run.
    case runMismatch(expected: String, actual: String)
    /// The envelope belongs to another workflow specification.
    case workflowSpecMismatch(expected: Digest, actual: Digest)
    /// The envelope was produced by a node other than the expected producer.
    case producerNodeMismatch(expected: String, actual: String)
    /// The statement has no subject of the expected name.
    case subjectMissing(name: String, node: String)
    /// The statement has several subjects of the expected name, so the match would be ambiguous.
    case subjectAmbiguous(name: String, count: Int)
    /// The subject has no digest under the algorithm the engine computed.
    case subjectDigestMissing(name: String, algorithm: String)
    /// The subject's signed digest (`expected`) differs from the digest just recomputed (`actual`).
    case subjectDigestMismatch(name: String, expected: Digest, actual: Digest)

    /// One sentence naming the failed check and the offending values.
    package var description: String {
        switch self {
        case .sodiumInitFailed:
            return "libsodium failed to initialise (sodium_init returned -1); signing and verification are unavailable"
        case .fileUnreadable(let path, let reason):
            return "cannot read '\(path)': \(reason)"
        case .notADirectory(let path):
            return "'\(path)' is not a directory"
        case .symlinkRefused(let path):
            return "'\(path)' is a symbolic link; digests are computed over regular files only"
        case .unsupportedFileType(let path, let type):
            return "'\(path)' is a \(type); digests are computed over regular files only"
        case .unsupportedFileName(let path, let reason):
            return "file name '\(path)' cannot be hashed: \(reason)"
        case .keyFileMissing(let path):
            return "private key file '\(path)' does not exist"
        case .keyFileUnreadable(let path, let reason):
            return "cannot read private key file '\(path)': \(reason)"
        case .keyFilePermissionsTooOpen(let path, let mode):
            return "private key file '\(path)' has mode \(Self.octal(mode)), which lets group or others access it; "
                + "run 'chmod 600 \(path)'"
        case .keyFileInvalid(let path, let reason):
            return "private key file '\(path)' is not an unencrypted PKCS#8 Ed25519 key: \(reason)"
        case .keyFileExists(let path):
            return "private key file '\(path)' already exists; refusing to replace it"
        case .keyFileUnwritable(let path, let reason):
            return "cannot write private key file '\(path)': \(reason)"
        case .invalidKey(let reason):
            return "invalid Ed25519 key: \(reason)"
        case .invalidBase64(let field):
            return "field '\(field)' is not valid base64"
        case .invalidDigest(let value):
            return "'\(value)' is not a SHA-256 digest (64 lowercase hex characters)"
        case .malformedJSON(let reason, let offset):
            return "malformed JSON at byte \(offset): \(reason)"
        case .malformedGovernance(let field, let reason):
            return "spec.governance\(field.isEmpty ? "" : "." + field) \(reason)"
        case .brokenDelegation(let name, let reason):
            return "delegation '\(name)' is broken: \(reason)"
        case .keyNotAdmitted(let keyID, let role, let reason):
            return "key \(keyID) is not admitted for role '\(role)': \(reason)"
        case .trustSlopeMismatch(let reason):
            return "trust slope does not hold: \(reason)"
        case .malformedAttestation(let kind, let reason):
            return "\(kind) attestation is malformed: \(reason)"
        case .malformedEnvelope(let reason):
            return "malformed DSSE envelope: \(reason)"
        case .noSignatures:
            return "envelope carries no signatures"
        case .badSignature(let keyID, let node):
            return "\(Self.envelope(for: node)) has a signature by key \(keyID) that does not verify; "
                + "the payload, its type, or the signature was altered"
        case .untrustedKey(let keyID, let node):
            let key = keyID.isEmpty ? "a key without keyid" : "key \(keyID)"
            return "\(Self.envelope(for: node)) is signed by \(key) which is not trusted"
        case .payloadTypeMismatch(let expected, let actual):
            return "envelope payloadType '\(actual)' is not the expected '\(expected)'"
        case .statementTypeMismatch(let expected, let actual):
            return "statement _type '\(actual)' is not the expected '\(expected)'"
        case .predicateTypeMismatch(let expected, let actual):
            return "statement predicateType '\(actual)' is not the expected '\(expected)'"
        case .malformedStatement(let reason):
            return "malformed in-toto statement: \(reason)"
        case .malformedPredicate(let field, let reason):
            return "malformed lineage predicate: field '\(field)' \(reason)"
        case .envelopeDigestMismatch(let expected, let actual):
            return "envelope payload digest \(actual) differs from the recorded \(expected)"
        case .signerMismatch(let claimed, let actual):
            return "lineage predicate names signer \(claimed) but the envelope was verified with key \(actual)"
        case .runMismatch(let expected, let actual):
            return "envelope belongs to run \(actual), not \(expected)"
        case .workflowSpecMismatch(let expected, let actual):
            return "envelope belongs to workflow spec \(actual), not \(expected)"
        case .producerNodeMismatch(let expected, let actual):
            return "envelope was produced by node '\(actual)', not '\(expected)'"
        case .subjectMissing(let name, let node):
            return "envelope for node '\(node)' has no subject '\(name)'"
        case .subjectAmbiguous(let name, let count):
            return "statement lists subject '\(name)' \(count) times, so it cannot be matched unambiguously"
        case .subjectDigestMissing(let name, let algorithm):
            return "subject '\(name)' has no '\(algorithm)' digest"
        case .subjectDigestMismatch(let name, let expected, let actual):
            let what =
                name.hasPrefix("outputs/parameters/")
                ? "parameter"
                : name.hasPrefix("outputs/artifacts/") ? "artifact" : "value"
            return "subject '\(name)' digest \(expected) does not match the \(what)'s \(actual)"
        }
    }

    private static func envelope(for node: String?) -> String {
        node.map { "envelope for node '\($0)'" } ?? "envelope"
    }

    private static func octal(_ mode: UInt32) -> String {
        let digits = String(mode & 0o7777, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}

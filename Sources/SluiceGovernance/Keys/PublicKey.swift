import CSodium

/// An Ed25519 public key: what a trust root lists and what verifies envelopes.
///
/// Equality and hashing use the 32 raw bytes. `Codable` uses the lowercase hex form.
package struct PublicKey: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The 32 raw key bytes.
    package let raw: [UInt8]
    /// The securesystemslib / in-toto keyid, computed once (see ``keyID``).
    private let cachedKeyID: String

    /// Wraps 32 raw key bytes.
    ///
    /// - Throws: `GovernanceError.invalidKey` when the length is not 32 or the bytes are not a valid Ed25519 point
    ///   (libsodium `crypto_core_ed25519_is_valid_point`, which also refuses small-order points).
    package init(raw: [UInt8]) throws(GovernanceError) {
        try Sodium.ensureReady()
        guard raw.count == Int(crypto_sign_PUBLICKEYBYTES) else {
            throw .invalidKey(reason: "a public key has 32 bytes, not \(raw.count)")
        }
        guard crypto_core_ed25519_is_valid_point(raw) == 1 else {
            throw .invalidKey(reason: "the public key \(Hex.encode(raw)) is not a valid Ed25519 point")
        }
        self.raw = raw
        self.cachedKeyID = Self.keyID(forHex: Hex.encode(raw))
    }

    /// Parses 64 hex characters.
    ///
    /// - Throws: `GovernanceError.invalidKey` for non-hex text, a wrong length, or an invalid point.
    package init(hex: String) throws(GovernanceError) {
        guard let raw = Hex.decode(hex) else { throw .invalidKey(reason: "'\(hex)' is not hex") }
        try self.init(raw: raw)
    }

    /// Parses a PEM `PUBLIC KEY` block holding an Ed25519 SubjectPublicKeyInfo (RFC 8410).
    ///
    /// - Throws: `GovernanceError.invalidKey` naming what is wrong with the PEM or the DER.
    package init(pem: String) throws(GovernanceError) {
        let der: [UInt8]
        switch KeyEncoding.der(fromPEM: pem, label: "PUBLIC KEY") {
        case .success(let value): der = value
        case .failure(let problem): throw .invalidKey(reason: problem.reason)
        }
        switch KeyEncoding.publicKey(fromSPKI: der) {
        case .success(let raw): try self.init(raw: raw)
        case .failure(let problem): throw .invalidKey(reason: problem.reason)
        }
    }

    /// The key as 64 lowercase hex characters (the securesystemslib `keyval.public` form).
    package var hex: String { Hex.encode(raw) }

    /// The DER SubjectPublicKeyInfo (44 bytes).
    package var spkiDER: [UInt8] { KeyEncoding.spki(publicKey: raw) }

    /// PEM `PUBLIC KEY` (SPKI) text with 64-column lines and a final newline, as OpenSSL and cosign write it.
    package var pem: String { KeyEncoding.pem(label: "PUBLIC KEY", der: spkiDER) }

    /// SHA-256 of the DER SPKI: binds the signer inside signed lineage (`producer.signer.publicKeyDigest`).
    package var spkiDigest: Digest { .sha256(spkiDER) }

    /// The securesystemslib / in-toto keyid: lowercase hex SHA-256 of the canonical JSON
    /// `{"keytype":"ed25519","keyval":{"public":"<hex>"},"scheme":"ed25519"}`.
    ///
    /// Python in-toto tooling only tries keys whose keyid matches the signature's, so envelopes must carry this.
    package var keyID: String { cachedKeyID }

    /// Whether `signature` is a valid pure Ed25519 (RFC 8032) signature of `message` by this key.
    package func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        guard signature.count == Int(crypto_sign_BYTES), Sodium.isReady else { return false }
        return crypto_sign_verify_detached(signature, message, UInt64(message.count), raw) == 0
    }

    /// `ed25519:<keyid>`.
    package var description: String { "ed25519:\(keyID)" }

    package static func == (lhs: PublicKey, rhs: PublicKey) -> Bool { lhs.raw == rhs.raw }

    package func hash(into hasher: inout Hasher) { hasher.combine(raw) }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            try self.init(hex: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }

    private static func keyID(forHex hex: String) -> String {
        let keyObject: CanonicalJSON = [
            "keytype": "ed25519",
            "keyval": ["public": .string(hex)],
            "scheme": "ed25519",
        ]
        return keyObject.digest.hex
    }
}

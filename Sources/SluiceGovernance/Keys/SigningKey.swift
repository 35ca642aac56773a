import CSodium

/// An Ed25519 signing key held by libsodium; it signs envelopes with pure Ed25519 (RFC 8032).
///
/// The secret bytes live in one heap buffer that is zeroed when the last copy of the key goes away. Neither
/// `description`, `debugDescription` nor reflection (`dump`) reveals them: they show the public keyid only.
package struct SigningKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let secret: SecretKeyBytes
    /// The matching public key.
    package let publicKey: PublicKey

    /// A fresh key from libsodium's random source.
    ///
    /// libsodium aborts the process if it has no random source; this mirrors that with a precondition rather than
    /// a throw, since no caller could recover.
    package static func generate() -> SigningKey {
        Sodium.requireReady()
        var seed = [UInt8](repeating: 0, count: Int(crypto_sign_SEEDBYTES))
        randombytes_buf(&seed, seed.count)
        defer { sodium_memzero(&seed, seed.count) }
        do {
            return try SigningKey(seed: seed)
        } catch {
            preconditionFailure("a random 32-byte seed always yields a key: \(error)")
        }
    }

    /// Derives the key pair from a 32-byte seed (`crypto_sign_seed_keypair`), deterministically.
    ///
    /// - Throws: `GovernanceError.invalidKey` when the seed is not 32 bytes, `.sodiumInitFailed`.
    package init(seed: [UInt8]) throws(GovernanceError) {
        try Sodium.ensureReady()
        guard seed.count == Int(crypto_sign_SEEDBYTES) else {
            throw .invalidKey(reason: "a seed has 32 bytes, not \(seed.count)")
        }
        let secret = SecretKeyBytes()
        var publicBytes = [UInt8](repeating: 0, count: Int(crypto_sign_PUBLICKEYBYTES))
        let status = secret.withMutableBytes { secretBytes in
            crypto_sign_seed_keypair(&publicBytes, secretBytes, seed)
        }
        guard status == 0 else { throw .invalidKey(reason: "libsodium could not derive a key pair from the seed") }
        self.secret = secret
        self.publicKey = try PublicKey(raw: publicBytes)
    }

    /// Signs `message` with pure Ed25519 (`crypto_sign_detached`); the 64-byte signature is deterministic.
    package func sign(_ message: [UInt8]) -> [UInt8] {
        var signature = [UInt8](repeating: 0, count: Int(crypto_sign_BYTES))
        _ = secret.withBytes { secretBytes in
            crypto_sign_detached(&signature, nil, message, UInt64(message.count), secretBytes)
        }
        return signature
    }

    /// The 32-byte seed; only for writing the key file.
    func withSeed<Result>(_ body: ([UInt8]) throws(GovernanceError) -> Result) throws(GovernanceError) -> Result {
        var seed = secret.withBytes { Array(UnsafeBufferPointer(start: $0, count: Int(crypto_sign_SEEDBYTES))) }
        defer { sodium_memzero(&seed, seed.count) }
        return try body(seed)
    }

    /// `SigningKey(ed25519, keyid: <keyid>)`; never the secret.
    package var description: String { "SigningKey(ed25519, keyid: \(publicKey.keyID))" }

    /// Same as ``description``.
    package var debugDescription: String { description }

    /// Shows only the public key to `dump` and debuggers.
    package var customMirror: Mirror { Mirror(self, children: ["publicKey": publicKey]) }
}

/// The 64-byte libsodium secret key (seed ‖ public key) in a buffer zeroed on release.
///
/// `@unchecked Sendable`: the buffer is written once, inside `SigningKey.init`, before the instance is shared; after
/// that it is only read, so concurrent use is safe.
private final class SecretKeyBytes: @unchecked Sendable {
    private let buffer: UnsafeMutablePointer<UInt8>
    private let count = Int(crypto_sign_SECRETKEYBYTES)

    init() {
        buffer = .allocate(capacity: count)
        buffer.initialize(repeating: 0, count: count)
    }

    deinit {
        sodium_memzero(buffer, count)
        buffer.deallocate()
    }

    func withMutableBytes<Result>(_ body: (UnsafeMutablePointer<UInt8>) -> Result) -> Result { body(buffer) }

    func withBytes<Result>(_ body: (UnsafePointer<UInt8>) -> Result) -> Result { body(UnsafePointer(buffer)) }
}

/// A SHA-256 digest, held as 64 lowercase hex characters.
///
/// This is how Sluice names artifact bytes, parameter values, directory trees (``directoryHash(at:)``) and
/// envelopes (``Envelope/payloadDigest``). It encodes as its bare hex string in `Codable` containers and prints
/// as `sha256:<hex>`.
package struct Digest: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The digest as 64 lowercase hex characters.
    package let hex: String

    /// Wraps an existing hex digest, as read back from a store or a statement.
    ///
    /// - Throws: `GovernanceError.invalidDigest` unless `hex` is exactly 64 lowercase hex characters.
    package init(hex: String) throws(GovernanceError) {
        guard Hex.isLowercase(hex, count: 64) else { throw .invalidDigest(value: hex) }
        self.hex = hex
    }

    package init(bytes: [UInt8]) {
        precondition(bytes.count == 32, "a SHA-256 digest has 32 bytes")
        self.hex = Hex.encode(bytes)
    }

    /// The SHA-256 digest of `bytes` (an array, `Data`, a slice, or a `String.UTF8View`).
    package static func sha256(_ bytes: some Sequence<UInt8>) -> Digest {
        var hasher = SHA256Hasher()
        hasher.update(bytes)
        return Digest(bytes: hasher.finalize())
    }

    /// The SHA-256 digest of the UTF-8 encoding of `text`, as used for output parameter values.
    package static func sha256(utf8 text: String) -> Digest {
        var copy = text
        return copy.withUTF8 { buffer in
            var hasher = SHA256Hasher()
            hasher.update(UnsafeRawBufferPointer(buffer))
            return Digest(bytes: hasher.finalize())
        }
    }

    /// The 32 digest bytes.
    package var bytes: [UInt8] {
        Hex.decode(hex) ?? []
    }

    /// `sha256:<hex>`, the form used in messages and logs.
    package var description: String { "sha256:" + hex }

    /// A digest set as in-toto writes it: `{"sha256": "<hex>"}`.
    package var digestSet: [String: String] { ["sha256": hex] }

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
}

package import Foundation

/// A revoked signing key or envelope; revocations are append-only.
package struct RevocationRecord: Sendable, Equatable, Codable {
    /// The revocation kinds the store accepts.
    package enum Kind: String, Sendable, Codable, CaseIterable {
        /// `value` is a key id.
        case key
        /// `value` is an envelope payload digest.
        case envelope
    }

    /// Assigned by the store when the revocation is added; nil before.
    package var id: Int64?
    /// `key` or `envelope` (see ``Kind``).
    package var kind: String
    /// The key id or payload digest revoked.
    package var value: String
    /// Why it was revoked.
    package var reason: String
    /// When it was revoked.
    package var createdAt: Date

    /// Creates a revocation; the date is truncated to whole milliseconds so it round-trips through the store.
    package init(id: Int64? = nil, kind: Kind, value: String, reason: String, createdAt: Date) {
        self.id = id
        self.kind = kind.rawValue
        self.value = value
        self.reason = reason
        self.createdAt = StoreTimestamp.truncated(createdAt)
    }
}

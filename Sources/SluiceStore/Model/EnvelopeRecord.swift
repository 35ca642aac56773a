package import Foundation

/// A signed DSSE lineage envelope, stored byte for byte as it was signed and written.
///
/// Keyed by the sha256 hex of its payload; recording the same payload digest again replaces the row.
package struct EnvelopeRecord: Sendable, Equatable, Codable {
    /// sha256 hex of the envelope payload; primary key.
    package var payloadDigest: String
    /// The run whose node produced the envelope.
    package var runID: String
    /// The node whose outputs the envelope attests.
    package var nodeID: String
    /// The id of the signing key.
    package var keyID: String
    /// The exact envelope bytes.
    package var envelopeJSON: Data
    /// When the envelope was signed.
    package var createdAt: Date

    /// Creates an envelope record; the date is truncated to whole milliseconds so it round-trips through the store.
    package init(
        payloadDigest: String, runID: String, nodeID: String, keyID: String, envelopeJSON: Data, createdAt: Date
    ) {
        self.payloadDigest = payloadDigest
        self.runID = runID
        self.nodeID = nodeID
        self.keyID = keyID
        self.envelopeJSON = envelopeJSON
        self.createdAt = StoreTimestamp.truncated(createdAt)
    }
}

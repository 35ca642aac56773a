package import Foundation

/// A signed attestation other than node lineage (today: a run's submission attestation), stored byte for byte.
package struct AttestationRecord: Sendable, Equatable {
    /// What the attestation attests.
    package enum Kind: String, Sendable, Equatable {
        /// The submitter's signature over the workflow, its governance and parameters: the root of trust slopes.
        case submission
        /// The lineage key's signature over how the run ended: its status, denials and envelopes.
        case outcome = "run"
    }

    /// sha256 hex of the envelope payload; primary key.
    package var payloadDigest: String
    package var runID: String
    package var kind: Kind
    /// The id of the signing key.
    package var keyID: String
    /// The exact envelope bytes.
    package var envelopeJSON: Data
    package var createdAt: Date

    package init(payloadDigest: String, runID: String, kind: Kind, keyID: String, envelopeJSON: Data, createdAt: Date) {
        self.payloadDigest = payloadDigest
        self.runID = runID
        self.kind = kind
        self.keyID = keyID
        self.envelopeJSON = envelopeJSON
        self.createdAt = StoreTimestamp.truncated(createdAt)
    }
}

package import Foundation

/// A revocation together with the DSSE envelope that signs it, when it has one.
///
/// Revocations added before signatures existed (or directly with ``Store/addRevocation(_:)``) have no envelope.
package struct SignedRevocationRecord: Sendable, Equatable {
    /// The revocation as stored (with its store-assigned id).
    package var revocation: RevocationRecord
    /// The in-toto keyid of the key whose signature the envelope carries; nil when unsigned.
    package var keyID: String?
    /// The exact envelope bytes; nil when unsigned.
    package var envelopeJSON: Data?

    /// Creates a record; `keyID` and `envelopeJSON` are both nil or both set.
    package init(revocation: RevocationRecord, keyID: String?, envelopeJSON: Data?) {
        self.revocation = revocation
        self.keyID = keyID
        self.envelopeJSON = envelopeJSON
    }
}

import Foundation
import SluiceEngine
package import SluiceGovernance
package import SluiceStore

/// The signed form of one revocation: an in-toto Statement v1 in a DSSE envelope, signed by the revoker.
///
/// The subject is the revoked thing (`revoked/key` or `revoked/envelope`, digest `{"sha256": value}`: a keyid and
/// a payload digest are both SHA-256 hex); the predicate (`https://sluice.dev/attestation/revocation/v0.1`) holds
/// `kind`, `value`, `reason`, `revokedAt` (store time, milliseconds, UTC) and `revoker.keyid`.
package enum RevocationStatement {
    /// The predicateType of revocation statements.
    package static let predicateType = "https://sluice.dev/attestation/revocation/v0.1"

    /// The statement for `revocation`, naming `revoker` as its signer.
    package static func statement(for revocation: RevocationRecord, revoker: PublicKey) -> Statement {
        let predicate: CanonicalJSON = [
            "kind": .string(revocation.kind),
            "value": .string(revocation.value),
            "reason": .string(revocation.reason),
            "revokedAt": .string(StoreTimestamp.string(from: revocation.createdAt)),
            "revoker": ["keyid": .string(revoker.keyID)],
        ]
        return Statement(
            subjects: [Statement.Subject(name: "revoked/\(revocation.kind)", digest: ["sha256": revocation.value])],
            predicateType: predicateType, predicate: predicate)
    }

    /// The DSSE envelope over ``statement(for:revoker:)`` signed by `key`.
    package static func sign(_ revocation: RevocationRecord, with key: SigningKey) -> Envelope {
        statement(for: revocation, revoker: key.publicKey).signed(with: key)
    }

    /// Checks that `envelope` is a revocation statement signed by one of `trustedKeys` about exactly `revocation`.
    ///
    /// - Returns: nil when it is, else one sentence saying what does not match.
    package static func problem(in envelope: Envelope, for revocation: RevocationRecord, trustedKeys: [PublicKey])
        -> String?
    {
        let signer: PublicKey
        do {
            signer = try envelope.verify(trustedKeys: trustedKeys)
        } catch {
            return error.description
        }
        let expected = statement(for: revocation, revoker: signer)
        guard let statement = try? Statement(payloadBytes: envelope.payload) else {
            return "the signed payload is not an in-toto statement"
        }
        guard statement == expected else {
            return "the signed statement does not describe the revocation of \(revocation.kind) '\(revocation.value)'"
        }
        return nil
    }
}

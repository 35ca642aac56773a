/// A delegation attestation: the delegator's signed statement that a key may act in some roles
/// (predicateType `https://sluice.dev/attestation/delegation/v0.1`).
///
/// The statement's one subject names the delegated key (`ed25519:<keyid>`) by the SHA-256 of its
/// SubjectPublicKeyInfo; the predicate names the delegation, its roles, and the delegator's key.
package struct DelegationAttestation: Sendable, Equatable {
    /// The predicateType of delegation statements.
    package static let predicateType = "https://sluice.dev/attestation/delegation/v0.1"

    /// The delegation's name, as listed in `spec.governance.delegations`.
    package var name: String
    /// The key admitted.
    package var delegate: PublicKey
    /// The roles it is admitted for.
    package var roles: Set<GovernanceDocument.Role>
    /// The keyid of the key that signs the attestation.
    package var delegatorKeyID: String

    package init(name: String, delegate: PublicKey, roles: Set<GovernanceDocument.Role>, delegatorKeyID: String) {
        self.name = name
        self.delegate = delegate
        self.roles = roles
        self.delegatorKeyID = delegatorKeyID
    }

    /// The in-toto statement of this delegation.
    package var statement: Statement {
        Statement(
            subjects: [Statement.Subject(name: "ed25519:\(delegate.keyID)", sha256: delegate.spkiDigest)],
            predicateType: Self.predicateType,
            predicate: [
                "name": .string(name),
                "roles": .array(roles.sorted().map { .string($0.rawValue) }),
                "delegate": ["keyid": .string(delegate.keyID), "publicKey": .string(delegate.pem)],
                "delegator": ["keyid": .string(delegatorKeyID)],
            ])
    }

    /// The DSSE envelope of this delegation signed by `delegator`.
    package static func sign(
        name: String, delegate: PublicKey, roles: Set<GovernanceDocument.Role>,
        with delegator: SigningKey
    ) -> Envelope {
        DelegationAttestation(name: name, delegate: delegate, roles: roles, delegatorKeyID: delegator.publicKey.keyID)
            .statement.signed(with: delegator)
    }

    /// Verifies an attestation against the delegation the governance declares.
    ///
    /// - Returns: the SHA-256 of the attestation's payload (the link's digest in trust slopes).
    /// - Throws: `GovernanceError.brokenDelegation` saying which part of the proof fails.
    package static func verify(_ delegation: GovernanceDocument.Delegation, delegator: PublicKey)
        throws(GovernanceError) -> Digest
    {
        let name = delegation.name
        let envelope: Envelope
        do {
            envelope = try Envelope(jsonBytes: delegation.attestation)
        } catch {
            throw .brokenDelegation(name: name, reason: "its attestation is not a DSSE envelope: \(error.description)")
        }
        do {
            _ = try envelope.verify(trustedKeys: [delegator])
        } catch {
            let signers = envelope.signatures.map(\.keyID).joined(separator: ", ")
            throw .brokenDelegation(
                name: name,
                reason: "its attestation is not signed by '\(delegation.from)' (key \(delegator.keyID)); "
                    + "signature keyids: \(signers.isEmpty ? "none" : signers)")
        }
        let statement: Statement
        do {
            statement = try Statement(payloadBytes: envelope.payload)
        } catch {
            throw .brokenDelegation(name: name, reason: "its attestation payload: \(error.description)")
        }
        guard statement.predicateType == predicateType else {
            throw .brokenDelegation(
                name: name, reason: "its attestation has predicateType '\(statement.predicateType)'")
        }
        guard statement.subjects.count == 1, let subject = statement.subjects.first,
            subject.digest["sha256"] == delegation.key.spkiDigest.hex
        else {
            throw .brokenDelegation(
                name: name, reason: "its attestation does not name the delegated key \(delegation.key.keyID)")
        }
        guard statement.predicate["name"]?.stringValue == name else {
            throw .brokenDelegation(
                name: name,
                reason: "its attestation is for delegation '\(statement.predicate["name"]?.stringValue ?? "?")'")
        }
        let attested = Set(
            (statement.predicate["roles"]?.arrayValue ?? []).compactMap {
                $0.stringValue.flatMap(GovernanceDocument.Role.init(rawValue:))
            })
        guard delegation.roles.isSubset(of: attested) else {
            let missing = delegation.roles.subtracting(attested).sorted().map(\.rawValue).joined(separator: ", ")
            throw .brokenDelegation(name: name, reason: "its attestation does not grant role(s) \(missing)")
        }
        return envelope.payloadDigest
    }
}

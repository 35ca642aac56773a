/// Which keys a workflow's governance admits, for which roles, and by which chain of attestations.
///
/// Listed authorities are admitted by the submission itself (the submission attestation covers the governance
/// that lists them); each delegation is admitted only when its attestation verifies with the delegator's key, the
/// delegator holds `delegate` and every delegated role. A workflow without authorities admits the run's own key
/// for every role (`run-key`), so an ungoverned run is still signed and chained.
package struct TrustChain: Sendable {
    /// A key the governance admits.
    package struct Member: Sendable, Equatable {
        package var name: String
        package var key: PublicKey
        package var roles: Set<GovernanceDocument.Role>
        /// The admission chain from a listed authority (first) to this member (last); a listed authority's link
        /// has no attestation of its own (the submission covers it).
        package var chain: [(name: String, key: PublicKey, attestation: Digest?)]

        package static func == (lhs: Member, rhs: Member) -> Bool {
            lhs.name == rhs.name && lhs.key == rhs.key && lhs.roles == rhs.roles
                && lhs.chain.map(\.name) == rhs.chain.map(\.name)
        }
    }

    /// The name the run's key takes when the governance lists no authorities.
    package static let implicitAuthority = "run-key"

    package private(set) var members: [Member] = []
    /// Delegations whose proof failed, with why; their keys are not admitted.
    package private(set) var broken: [(delegation: GovernanceDocument.Delegation, error: GovernanceError)] = []

    /// Resolves the governance's authorities and delegations; delegation proofs are verified here.
    package init(governance: GovernanceDocument, runKey: PublicKey) {
        if governance.authorities.isEmpty {
            members = [
                Member(
                    name: Self.implicitAuthority, key: runKey, roles: Set(GovernanceDocument.Role.allCases),
                    chain: [(Self.implicitAuthority, runKey, nil)])
            ]
        } else {
            members = governance.authorities.map {
                Member(name: $0.name, key: $0.key, roles: $0.roles, chain: [($0.name, $0.key, nil)])
            }
        }
        for delegation in governance.delegations {
            guard let delegator = members.first(where: { $0.name == delegation.from }) else {
                let reason =
                    broken.contains(where: { $0.delegation.name == delegation.from })
                    ? "it is delegated by '\(delegation.from)', whose own delegation is broken"
                    : "'\(delegation.from)' is not an admitted authority"
                broken.append((delegation, .brokenDelegation(name: delegation.name, reason: reason)))
                continue
            }
            guard delegator.roles.contains(.delegate) else {
                broken.append(
                    (
                        delegation,
                        .brokenDelegation(
                            name: delegation.name, reason: "'\(delegator.name)' does not hold the role 'delegate'")
                    ))
                continue
            }
            guard delegation.roles.isSubset(of: delegator.roles) else {
                let extra = delegation.roles.subtracting(delegator.roles).sorted().map(\.rawValue)
                broken.append(
                    (
                        delegation,
                        .brokenDelegation(
                            name: delegation.name,
                            reason:
                                "'\(delegator.name)' cannot grant role(s) it does not hold: \(extra.joined(separator: ", "))"
                        )
                    ))
                continue
            }
            do {
                let digest = try DelegationAttestation.verify(delegation, delegator: delegator.key)
                members.append(
                    Member(
                        name: delegation.name, key: delegation.key, roles: delegation.roles,
                        chain: delegator.chain + [(delegation.name, delegation.key, digest)]))
            } catch {
                broken.append((delegation, error))
            }
        }
    }

    /// Every admitted key holding `role`.
    package func keys(for role: GovernanceDocument.Role) -> [PublicKey] {
        var seen: Set<PublicKey> = []
        return members.filter { $0.roles.contains(role) }.map(\.key).filter { seen.insert($0).inserted }
    }

    /// The member that admits `key` for `role`, or why none does (naming a broken delegation when one claims it).
    package func admit(_ key: PublicKey, for role: GovernanceDocument.Role) throws(GovernanceError) -> Member {
        if let member = members.first(where: { $0.key == key && $0.roles.contains(role) }) { return member }
        if let claim = broken.first(where: { $0.delegation.key == key }) {
            throw .keyNotAdmitted(keyID: key.keyID, role: role.rawValue, reason: claim.error.description)
        }
        if let member = members.first(where: { $0.key == key }) {
            let roles = member.roles.sorted().map(\.rawValue).joined(separator: ", ")
            throw .keyNotAdmitted(
                keyID: key.keyID, role: role.rawValue,
                reason: "'\(member.name)' holds only the role(s) \(roles)")
        }
        let names = members.map(\.name).joined(separator: ", ")
        throw .keyNotAdmitted(
            keyID: key.keyID, role: role.rawValue,
            reason: "it is neither a listed authority nor delegated (admitted: \(names))")
    }

    /// The trust slope of lineage signed by `signer`: the submission first, then the chain that admits the signer.
    package static func slope(submitter: Member, submission: Digest, signer: Member) -> [LineagePredicate.TrustHop] {
        var hops = [
            LineagePredicate.TrustHop(
                authority: submitter.name, keyID: submitter.key.keyID, role: "submit",
                attestation: submission)
        ]
        for (index, link) in signer.chain.enumerated() {
            hops.append(
                LineagePredicate.TrustHop(
                    authority: link.name, keyID: link.key.keyID,
                    role: index == signer.chain.count - 1 ? "sign" : "delegate",
                    attestation: link.attestation ?? submission))
        }
        return hops
    }
}

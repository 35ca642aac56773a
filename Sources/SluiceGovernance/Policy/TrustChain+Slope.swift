extension TrustChain {
    /// Why a trust slope is not the one this chain admits for `signer`, or nil when it is.
    ///
    /// The slope must start at a submission (role `submit`), at `submission` when one is given, by a key this chain
    /// admits to submit, and continue exactly as ``slope(submitter:submission:signer:)`` builds it for the member
    /// that admits `signer` to sign. The input gate and the offline bundle verifier both decide with this.
    ///
    /// - Parameters:
    ///   - slope: the hops an envelope's lineage predicate carries.
    ///   - signer: the key whose signature on the envelope verified.
    ///   - submission: the payload digest of the submission attestation the slope must start at; nil skips that
    ///     comparison (runs recorded before submissions were signed).
    /// - Returns: a sentence saying what is wrong, or nil.
    package func slopeProblem(_ slope: [LineagePredicate.TrustHop], signer: PublicKey, submission: Digest?)
        -> String?
    {
        guard let root = slope.first, root.role == "submit" else {
            return "it does not start at a submission"
        }
        if let submission, root.attestation != submission {
            return "it starts at submission \(root.attestation), not this run's \(submission)"
        }
        guard let submitter = members.first(where: { $0.key.keyID == root.keyID && $0.roles.contains(.submit) })
        else {
            return "its submitter key \(root.keyID) is not admitted to submit"
        }
        let member: Member
        do {
            member = try admit(signer, for: .sign)
        } catch {
            return error.description
        }
        let expected = Self.slope(submitter: submitter, submission: root.attestation, signer: member)
        guard expected == slope else {
            let show = { (hops: [LineagePredicate.TrustHop]) in
                hops.map { "\($0.authority)/\($0.role)" }.joined(separator: " -> ")
            }
            return "it claims \(show(slope)), the governance admits \(show(expected))"
        }
        return nil
    }
}

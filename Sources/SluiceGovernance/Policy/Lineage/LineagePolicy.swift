package import SluiceExpressions

/// The one place that decides whether lineage is admissible: facts in, ``Refusal`` out, with no store, no engine
/// and no file access.
///
/// Callers only gather facts: the engine's gate (``Upstream`` values from its store and the bytes it re-hashed),
/// `sluice verify RUN` and `sluice verify BUNDLE` (what a bundle holds), `sluice replay`, and an in-pod wrapper.
/// Per consumed output, in order (the first failure refuses; see docs/governance.md, *What the gate checks*):
/// `envelope-missing`, `revoked` (the envelope or its signing key), `signature` / `signature-trust`,
/// `envelope-format`, `chain-continuity`, `subject-missing` / `subject-digest`, `envelope-digest`, `trust-slope`,
/// `revoked` (a key of the slope), `governance-digest`, `constraints-digest`, then the consumer's constraints.
///
/// ```swift
/// let policy = LineagePolicy(governance: document, chain: chain, runID: run, workflowDigest: spec,
///                            submissionDigest: submission, signingSlope: slope)
/// var memo = LineagePolicy.Memo()
/// switch policy.admit(upstream, into: "deploy", revocations: .listed(entries), memo: &memo) { … }
/// ```
package struct LineagePolicy: Sendable {
    /// The governance the consumer runs under.
    package let governance: GovernanceDocument
    /// The keys that governance admits, and for which roles.
    package let chain: TrustChain
    /// Signature, statement, continuity (run, workflow, producer node) and subject checks of one envelope.
    package let verifier: LineageVerifier
    /// The submission attestation every upstream slope must start at; nil for runs recorded before submissions.
    package let submissionDigest: Digest?
    /// Set when the run's submission no longer covers what it runs: every node is refused with it.
    package let submissionProblem: String?
    /// Whether the governance digest and the consumer's constraints are checked (not when re-verifying outputs
    /// recorded by an earlier run, whose constraints applied when they were produced).
    package let enforcesConstraints: Bool
    /// The slope this run's own envelopes carry (submitter to lineage signer): none of its keys may be revoked
    /// when a node's lineage is about to be signed.
    package let signingSlope: [LineagePredicate.TrustHop]
    /// The `workflow` variable of `require` expressions.
    package let workflowFacts: ExpressionValue
    /// The governance's constraints, their `require` expressions compiled once.
    let evaluator: ConstraintEvaluator

    /// A policy for the nodes of one run.
    ///
    /// - Parameters:
    ///   - governance: the run's governance document.
    ///   - chain: the keys it admits (``TrustChain``); its `sign` keys verify upstream signatures.
    ///   - runID: the run every upstream envelope must belong to.
    ///   - workflowDigest: the workflow spec digest every upstream envelope must carry.
    ///   - submissionDigest: the run's submission attestation, where every trust slope starts.
    ///   - submissionProblem: why the submission no longer covers the run, when it does not.
    ///   - enforcesConstraints: false to skip the governance digest and constraints (outputs of an earlier run).
    ///   - signingSlope: the run's own slope, checked against revocations before each signature.
    ///   - workflowFacts: the `workflow` variable of `require` (see ``ConstraintEvaluator/workflowFacts``).
    package init(
        governance: GovernanceDocument, chain: TrustChain, runID: String, workflowDigest: Digest,
        submissionDigest: Digest?, submissionProblem: String? = nil, enforcesConstraints: Bool = true,
        signingSlope: [LineagePredicate.TrustHop] = [], workflowFacts: ExpressionValue = .null
    ) {
        self.init(
            governance: governance, evaluator: ConstraintEvaluator(governance: governance), chain: chain,
            runID: runID, workflowDigest: workflowDigest, submissionDigest: submissionDigest,
            submissionProblem: submissionProblem, enforcesConstraints: enforcesConstraints, signingSlope: signingSlope,
            workflowFacts: workflowFacts)
    }

    private init(
        governance: GovernanceDocument, evaluator: ConstraintEvaluator, chain: TrustChain, runID: String,
        workflowDigest: Digest, submissionDigest: Digest?, submissionProblem: String?, enforcesConstraints: Bool,
        signingSlope: [LineagePredicate.TrustHop], workflowFacts: ExpressionValue
    ) {
        self.evaluator = evaluator
        self.workflowFacts = workflowFacts
        self.governance = governance
        self.chain = chain
        self.verifier = LineageVerifier(
            trustedKeys: chain.keys(for: .sign), runID: runID, workflowSpecDigest: workflowDigest)
        self.submissionDigest = submissionDigest
        self.submissionProblem = submissionProblem
        self.enforcesConstraints = enforcesConstraints
        self.signingSlope = signingSlope
    }

    /// The policy for lineage an earlier run recorded (memoized outputs, a replayed bundle's captured outputs):
    /// that run's identity and submission, that run's keys when given (else this one's), this run's revocations,
    /// no constraints (they apply when the outputs are consumed).
    package func forEarlierRun(
        runID: String, workflowDigest: Digest, submissionDigest: Digest?, chain earlierChain: TrustChain? = nil
    ) -> LineagePolicy {
        LineagePolicy(
            governance: governance, evaluator: evaluator, chain: earlierChain ?? chain, runID: runID,
            workflowDigest: workflowDigest, submissionDigest: submissionDigest, submissionProblem: nil,
            enforcesConstraints: false, signingSlope: signingSlope, workflowFacts: workflowFacts)
    }

    // MARK: - The run

    /// Refuses any node of a run whose submission no longer covers it, or whose own signing slope holds a revoked
    /// key (a revoked key signs nothing, whatever the node consumes).
    package func runRefusal(node: String, revocations: Revocations) -> Refusal? {
        if let submissionProblem {
            return Refusal(node: node, input: Refusal.nodeLevel, check: "submission", reason: submissionProblem)
        }
        return signingRefusal(node: node, revocations: revocations)
    }

    /// Refuses signing `node`'s lineage when a key of this run's signing slope is revoked: asked right before a
    /// signature, so a revocation made while the node ran still stops it.
    package func signingRefusal(node: String, revocations: Revocations) -> Refusal? {
        for hop in signingSlope {
            guard let revoked = revocation(envelopeDigest: nil, keyIDs: [hop.keyID], in: revocations) else { continue }
            return Refusal(
                node: node, input: Refusal.nodeLevel, check: "revoked",
                reason: "the node's lineage cannot be signed under this run's trust slope ('\(hop.authority)' / "
                    + "\(hop.role)): " + revoked)
        }
        return nil
    }

    // MARK: - One consumed output

    /// Whether `node` may consume `upstream`: its envelope exists, is not revoked, is signed by a key the
    /// governance admits, belongs to this run and workflow and to the producer, signs exactly the measured bytes,
    /// is the envelope recorded when the producer ran, carries the trust slope this run admits with no revoked
    /// key, was produced under this governance and an accepted constraint set, and keeps `constraints`.
    ///
    /// - Parameters:
    ///   - node: the consumer's display name.
    ///   - constraints: the consumer's constraints that apply to this input (``constraints(for:)``; none for the
    ///     values behind a decision, or the sources of a steps or DAG template's outputs).
    ///   - revocations: the revocations in force, as read for this gate.
    ///   - memo: envelopes already verified during this gate call.
    /// - Returns: the verified input, or the refusal; every reason ends naming the producer.
    package func admit(
        _ upstream: Upstream, into node: String, constraints: [GovernanceDocument.Constraint] = [],
        revocations: Revocations, memo: inout Memo
    ) -> Result<LineageVerifier.VerifiedInput, Refusal> {
        func refuse(_ check: String, _ reason: String) -> Result<LineageVerifier.VerifiedInput, Refusal> {
            .failure(
                Refusal(
                    node: node, input: upstream.input, check: check,
                    reason: "\(reason) (producer '\(upstream.producerName)')"))
        }
        let (bytes, recorded, keyID): ([UInt8], Digest, String)
        switch upstream.envelope {
        case .absent(let reason): return refuse("envelope-missing", reason)
        case .found(let found, let digest, let key): (bytes, recorded, keyID) = (found, digest, key)
        }
        if let revoked = revocation(envelopeDigest: recorded.hex, keyIDs: [keyID], in: revocations) {
            return refuse("revoked", revoked)
        }
        let input: LineageVerifier.VerifiedInput
        do {
            let memoKey = recorded.hex + "|" + upstream.producerNode
            let envelope: LineageVerifier.VerifiedEnvelope
            if let cached = memo.envelopes[memoKey] {
                envelope = cached
            } else {
                envelope = try verifier.verifyEnvelope(bytes, producerNode: upstream.producerNode)
                memo.envelopes[memoKey] = envelope
            }
            input = try verifier.verifySubject(
                of: envelope, recordedPayloadDigest: recorded, producerNode: upstream.producerNode,
                subjectName: upstream.subject, actualDigest: upstream.measured, digestAlgorithm: upstream.algorithm)
        } catch {
            if let broken = trustProblem(of: error) { return refuse("signature-trust", broken) }
            return refuse(error.checkName, error.description)
        }
        if let problem = chain.slopeProblem(
            input.predicate.trustSlope, signer: input.signer, submission: submissionDigest)
        {
            return refuse("trust-slope", problem)
        }
        if let revoked = revocation(
            envelopeDigest: nil, keyIDs: input.predicate.trustSlope.map(\.keyID), in: revocations)
        {
            return refuse("revoked", revoked)
        }
        let produced = input.predicate.governance
        if enforcesConstraints && produced.specDigest != governance.digest {
            return refuse(
                "governance-digest",
                "it was produced under governance \(produced.specDigest), this node runs under \(governance.digest)")
        }
        guard governance.accepts(constraintsDigest: produced.constraintsDigest) else {
            return refuse(
                "constraints-digest",
                "it was produced under constraints \(produced.constraintsDigest), neither this run's "
                    + "\(governance.constraintsDigest) nor one declared in compatibleConstraints")
        }
        if let refusal = inputRefusal(input, upstream: upstream, into: node, constraints: constraints) {
            return .failure(refusal)
        }
        return .success(input)
    }

    /// Why an envelope signed by a key the verifier does not trust is refused, when the governance names that key
    /// (a broken delegation, a key not admitted to sign): the chain's own reason, or nil to report the signature.
    private func trustProblem(of error: GovernanceError) -> String? {
        guard case .untrustedKey(let keyID, _) = error,
            let claimed = chain.broken.first(where: { $0.delegation.key.keyID == keyID })?.delegation.key
                ?? chain.members.first(where: { $0.key.keyID == keyID })?.key
        else { return nil }
        do {
            _ = try chain.admit(claimed, for: .sign)
            return nil
        } catch {
            return error.description
        }
    }

    // MARK: - Reuse on resume

    /// Whether a node an earlier engine recorded as Succeeded may be reused on resume: its envelope verifies
    /// (signature, run, workflow, node), is the one recorded, and records a success (a Failed node's outputs are
    /// signed too, so a phase edited in the store is refused here).
    ///
    /// - Parameter nodeID: the node's lineage id, which the envelope must attest.
    package func reuseRefusal(node: String, nodeID: String, envelope: EnvelopeFact) -> Refusal? {
        func refuse(_ check: String, _ reason: String) -> Refusal {
            Refusal(
                node: node, input: Refusal.nodeLevel, check: check,
                reason: "it cannot be reused on resume: \(reason)")
        }
        // A run whose submission no longer covers it refuses every node that runs; what ran before stays as
        // recorded (its envelopes name the submitted workflow, not the edited one).
        if submissionProblem != nil { return nil }
        switch envelope {
        case .absent(let reason):
            return refuse("envelope-missing", reason)
        case .found(let bytes, let recorded, _):
            do {
                let verified = try verifier.verifyEnvelope(bytes, producerNode: nodeID)
                guard verified.payloadDigest == recorded else {
                    return refuse(
                        "envelope-digest",
                        "its envelope's payload digest is \(verified.payloadDigest), not the recorded \(recorded)")
                }
                if let outcome = verified.predicate.outcome {
                    return refuse("outcome", "its envelope records it as \(outcome), not Succeeded")
                }
            } catch {
                return refuse(error.checkName, error.description)
            }
            return nil
        }
    }
}

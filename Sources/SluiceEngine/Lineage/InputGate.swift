package import Foundation
package import SluiceExpressions
package import SluiceGovernance
package import SluiceStore

/// Why the gate refused a node: which input and which check.
package struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input name given to node-level refusals (the node's own image, a `require` over all inputs).
    package static let nodeLevel = "(node)"

    package var node: String
    package var input: String
    package var check: String
    package var reason: String

    package var description: String {
        input == Self.nodeLevel
            ? "node '\(node)' refused: \(check): \(reason)"
            : "node '\(node)' refused: input '\(input)': \(check): \(reason)"
    }
}

/// What the gate established about a node's inputs: the lineage entries for the node's own envelope, and the
/// verified facts its constraints are evaluated over.
package struct Admission: Sendable {
    package var lineage: [LineagePredicate.Input] = []
    /// One map per input, as the `inputs` variable of a constraint's `require` expression sees it.
    package var facts: [ExpressionValue] = []
    /// The node's own chain depth: one more than its deepest input's.
    package var chainDepth = 1
    /// The steps and DAG calls the node runs under, as its envelope records them.
    package var within: [LineagePredicate.Node.Call] = []
    /// The pod's containers besides the main one, as its envelope records them (set once the pod is planned).
    package var containers: [LineagePredicate.Producer.Container] = []
}

/// The node about to run, as constraints see it.
package struct GatedNode: Sendable {
    package var displayName: String
    package var templateName: String
    /// The task or step name the node runs as (its display name without a loop suffix).
    package var taskName: String
    package var image: String?
    package var runtime: String
    /// The steps and DAG calls the node runs under, innermost first.
    package var within: [LineagePredicate.Node.Call]
    /// The pod's containers other than the main one (init containers, sidecars, a containerSet's others).
    package var otherContainers: [LineagePredicate.Producer.Container] = []

    package init(
        displayName: String, templateName: String, image: String? = nil, runtime: String,
        within: [LineagePredicate.Node.Call] = []
    ) {
        self.displayName = displayName
        self.templateName = templateName
        self.within = within
        self.taskName = displayName.firstIndex(of: "(").map { String(displayName[..<$0]) } ?? displayName
        self.image = image
        self.runtime = runtime
    }
}

/// Verifies every input of a node before it runs, and the node against the workflow's constraints.
///
/// Per input, in order (the first failure refuses the node): the envelope exists and is not revoked; it is signed
/// by a key the governance admits for `sign` (a broken delegation is named); it is a lineage statement of this run
/// and workflow, by the node that produced the input, whose subject matches the bytes the engine just re-hashed;
/// it is the envelope recorded when that node ran; its trust slope starts at this run's submission and is the
/// chain the governance admits for its signer, with no revoked key; it was produced under this governance and an
/// accepted constraint set; and the consuming node's constraints hold over it.
package struct InputGate: Sendable {
    package let store: Store
    package let verifier: LineageVerifier
    package let governance: GovernanceDocument
    package let chain: TrustChain
    /// The submission attestation every upstream slope must start at; nil for runs recorded before submissions.
    package let submissionDigest: Digest?
    /// Set when the run's submission does not cover it any more: every node is refused.
    package let submissionProblem: String?
    /// Whether the node's constraints are checked (not when re-verifying memoized outputs of an earlier run).
    package let enforcesConstraints: Bool
    /// Workflow facts for `require` expressions.
    package let workflowFacts: ExpressionValue
    /// The trust slope this run's own envelopes carry (submitter to lineage signer): none of its keys may be
    /// revoked when the node's lineage is about to be signed.
    package let signingSlope: [LineagePredicate.TrustHop]
    private let evaluator: ConstraintEvaluator

    package init(
        store: Store, runID: String, workflowDigest: Digest, governance: RunGovernance, workflowFacts: ExpressionValue
    ) {
        self.init(
            store: store,
            verifier: LineageVerifier(trustedKeys: governance.chain.keys(for: .sign), runID: runID,
                                      workflowSpecDigest: workflowDigest),
            governance: governance.document, chain: governance.chain, submissionDigest: governance.submissionDigest,
            submissionProblem: governance.submissionProblem, enforcesConstraints: true, workflowFacts: workflowFacts,
            signingSlope: governance.slope)
    }

    private init(
        store: Store, verifier: LineageVerifier, governance: GovernanceDocument, chain: TrustChain,
        submissionDigest: Digest?, submissionProblem: String?, enforcesConstraints: Bool, workflowFacts: ExpressionValue,
        signingSlope: [LineagePredicate.TrustHop]
    ) {
        self.signingSlope = signingSlope
        self.store = store
        self.verifier = verifier
        self.governance = governance
        self.chain = chain
        self.submissionDigest = submissionDigest
        self.submissionProblem = submissionProblem
        self.enforcesConstraints = enforcesConstraints
        self.workflowFacts = workflowFacts
        evaluator = ConstraintEvaluator(governance: governance)
    }

    /// A gate that re-verifies lineage recorded by an earlier run (memoized outputs): that run's identity and
    /// submission, this run's keys and revocations, no constraints (they apply when the outputs are consumed).
    ///
    /// - Parameter chain: the keys that run's governance admitted, when they are not this run's (a run captured in
    ///   an export bundle, signed on another machine); nil keeps this run's.
    package func forEarlierRun(runID: String, workflowDigest: Digest, submissionDigest: Digest?,
                               chain earlierChain: TrustChain? = nil) -> InputGate
    {
        let chain = earlierChain ?? chain
        let trusted = earlierChain.map { $0.keys(for: .sign) } ?? verifier.trustedKeys
        return InputGate(
            store: store,
            verifier: LineageVerifier(trustedKeys: trusted, runID: runID, workflowSpecDigest: workflowDigest),
            governance: governance, chain: chain, submissionDigest: submissionDigest, submissionProblem: nil,
            enforcesConstraints: false, workflowFacts: workflowFacts, signingSlope: signingSlope)
    }

    // MARK: - Inputs

    /// Checks all inputs; returns what was admitted, or the first refusal.
    ///
    /// - Parameters:
    ///   - origins: every node output the node's values were derived from, each verified against its producer's
    ///     envelope with the producer's recorded value from `parameterValues` (keyed `NODE-ID|SUBJECT`).
    ///   - unsigned: the values no node signed (literals, arguments, resume values, defaults): recorded, seen by
    ///     `require`, and checked against `inputs` rules.
    ///   - appliesConstraints: false for values the engine computes rather than a node consumes (the outputs of a
    ///     steps or DAG template): their sources are verified, and constraints apply where the values are consumed.
    package func admit(
        node: GatedNode, artifacts: [ResolvedArtifact], origins: Set<ParameterOrigin>, parameterValues: [String: String],
        unsigned: [UnsignedInput] = [], appliesConstraints: Bool = true
    ) -> Result<Admission, Refusal> {
        if let submissionProblem {
            return .failure(Refusal(node: node.displayName, input: Refusal.nodeLevel, check: "submission",
                                    reason: submissionProblem))
        }
        var memo = GateMemo()
        // Whatever the node produces is signed with this run's key: a revoked key signs nothing, inputs or not.
        if let revoked = signerRevocation(memo: &memo) {
            return .failure(Refusal(node: node.displayName, input: Refusal.nodeLevel, check: "revoked", reason: revoked))
        }
        let constraints = enforcesConstraints && appliesConstraints
            ? governance.constraints(template: node.templateName, task: node.taskName, within: node.within) : []
        var admission = Admission()
        admission.within = node.within
        for artifact in artifacts {
            let reference = artifact.reference
            let algorithm = reference.kind == .directory ? "dirHash" : "sha256"
            // Re-hash the stored bytes: never trust a digest we did not just compute.
            let actual: Digest
            do {
                actual = reference.kind == .directory
                    ? try Digest.directoryHash(at: reference.storedPath)
                    : try Digest.sha256(fileAt: reference.storedPath)
            } catch {
                return .failure(Refusal(node: node.displayName, input: artifact.name, check: "artifact-readable",
                                        reason: "cannot read the stored artifact: \(error.description)"))
            }
            guard let producer = reference.producerNodeID else {
                // A `raw` or fetched artifact: its content is part of the submitted workflow or was fetched here.
                guard actual.hex == reference.digest else {
                    return .failure(Refusal(
                        node: node.displayName, input: artifact.name, check: "artifact-digest",
                        reason: "raw artifact digest sha256:\(reference.digest) does not match the stored "
                            + "bytes' \(actual)"))
                }
                admission.lineage.append(.init(
                    name: artifact.name, kind: .artifact, digest: [algorithm: actual.hex],
                    origin: artifact.fetchedFrom))
                admission.facts.append(ConstraintEvaluator.externalFacts(
                    name: artifact.name, kind: "artifact", digest: actual.hex, origin: artifact.fetchedFrom))
                continue
            }
            let upstream = Upstream(
                input: artifact.name, producer: producer, producerName: reference.producerDisplayName ?? producer,
                envelopeDigest: reference.envelopeDigest, subject: "outputs/artifacts/\(reference.name)",
                actual: actual, algorithm: algorithm)
            switch verified(upstream, node: node, constraints: constraints, memo: &memo) {
            case .failure(let refusal): return .failure(refusal)
            case .success(let input):
                admission.lineage.append(.init(
                    name: artifact.name, kind: .artifact, digest: [algorithm: actual.hex], producerNode: producer,
                    subjectName: upstream.subject, envelopePayloadDigest: input.payloadDigest))
                admission.facts.append(Self.facts(of: input, name: artifact.name, kind: "artifact"))
                admission.chainDepth = max(admission.chainDepth, input.predicate.chainDepth + 1)
            }
        }
        for origin in origins.sorted(by: { ($0.nodeID, $0.subjectName) < ($1.nodeID, $1.subjectName) }) {
            guard let value = parameterValues["\(origin.nodeID)|\(origin.subjectName)"] else { continue }
            let upstream = Upstream(
                input: "\(origin.nodeDisplayName).\(origin.subjectName)", producer: origin.nodeID,
                producerName: origin.nodeDisplayName, envelopeDigest: origin.envelopeDigest,
                subject: origin.subjectName, actual: Digest.sha256(Array(value.utf8)), algorithm: "sha256")
            switch verified(upstream, node: node, constraints: constraints, memo: &memo) {
            case .failure(let refusal): return .failure(refusal)
            case .success(let input):
                admission.lineage.append(.init(
                    name: upstream.input, kind: .parameter, digest: ["sha256": upstream.actual.hex],
                    producerNode: origin.nodeID, subjectName: origin.subjectName,
                    envelopePayloadDigest: input.payloadDigest))
                admission.facts.append(Self.facts(of: input, name: upstream.input, kind: "parameter"))
                admission.chainDepth = max(admission.chainDepth, input.predicate.chainDepth + 1)
            }
        }
        for input in unsigned {
            if let violation = ConstraintEvaluator.unsignedViolation(of: constraints, by: input) {
                return .failure(Refusal(node: node.displayName, input: input.name, check: violation.check,
                                        reason: violation.reason))
            }
            admission.lineage.append(input.lineage)
            admission.facts.append(ConstraintEvaluator.unsignedFacts(input))
        }
        return .success(admission)
    }

    /// Checks the node outputs a control-flow decision read (`when`, `withParam`, a hook's `expression`) against
    /// their producers' envelopes, as inputs are checked (signature, run, subject digest of the recorded value,
    /// trust slope, revocations, governance), before the decision is acted on.
    ///
    /// - Parameters:
    ///   - decision: what decides, e.g. `when`; refusals name it with the value, as `when: PRODUCER.SUBJECT`.
    ///   - node: the step or task the decision is about.
    ///   - values: each origin's recorded value, keyed `NODE-ID|SUBJECT`; an origin without one is refused.
    /// - Returns: the first refusal, or nil when every value is the one its producer signed.
    package func verifyDecision(
        _ decision: String, node: GatedNode, origins: Set<ParameterOrigin>, values: [String: String]
    ) -> Refusal? {
        if let submissionProblem {
            return Refusal(node: node.displayName, input: Refusal.nodeLevel, check: "submission",
                           reason: submissionProblem)
        }
        var memo = GateMemo()
        for origin in origins.sorted(by: { ($0.nodeID, $0.subjectName) < ($1.nodeID, $1.subjectName) }) {
            let label = "\(decision): \(origin.nodeDisplayName).\(origin.subjectName)"
            guard let value = values["\(origin.nodeID)|\(origin.subjectName)"] else {
                return Refusal(node: node.displayName, input: label, check: "subject-missing",
                               reason: "the value is not recorded (producer '\(origin.nodeDisplayName)')")
            }
            let upstream = Upstream(
                input: label, producer: origin.nodeID, producerName: origin.nodeDisplayName,
                envelopeDigest: origin.envelopeDigest, subject: origin.subjectName,
                actual: Digest.sha256(Array(value.utf8)), algorithm: "sha256")
            if case .failure(let refusal) = verified(upstream, node: node, constraints: [], memo: &memo) {
                return refusal
            }
        }
        return nil
    }

    /// Checks that a node recorded as Succeeded by an earlier engine may be reused on resume: its recorded
    /// envelope verifies (signature, run, workflow, node) and records a success. A Failed node's outputs are
    /// signed too, so a phase edited in `sluice.db` is refused here; its output values are verified where they
    /// are consumed or decide control flow.
    package func verifyReusable(_ node: GatedNode, nodeID: String, envelopeDigest: String?) -> Refusal? {
        func refuse(_ check: String, _ reason: String) -> Refusal {
            Refusal(node: node.displayName, input: Refusal.nodeLevel, check: check,
                    reason: "it cannot be reused on resume: \(reason)")
        }
        // A run whose submission no longer covers it refuses every node that runs; what ran before stays as
        // recorded (its envelopes name the submitted workflow, not the edited one).
        if submissionProblem != nil { return nil }
        guard let envelopeDigest else { return refuse("envelope-missing", "it has no lineage envelope") }
        let record: EnvelopeRecord?
        do {
            record = try store.envelope(payloadDigest: envelopeDigest)
        } catch {
            return refuse("envelope-missing", "cannot read its envelope: \(error.description)")
        }
        guard let record else {
            return refuse("envelope-missing", "its envelope sha256:\(envelopeDigest) is not in the store")
        }
        do {
            let envelope = try verifier.verifyEnvelope([UInt8](record.envelopeJSON), producerNode: nodeID)
            guard envelope.payloadDigest.hex == envelopeDigest else {
                return refuse("envelope-digest", "its envelope's payload digest is \(envelope.payloadDigest), not the "
                    + "recorded sha256:\(envelopeDigest)")
            }
            if let outcome = envelope.predicate.outcome {
                return refuse("outcome", "its envelope records it as \(outcome), not Succeeded")
            }
        } catch {
            return refuse(error.checkName, error.description)
        }
        return nil
    }

    /// One input that another node produced.
    private struct Upstream {
        var input: String
        var producer: String
        var producerName: String
        var envelopeDigest: String?
        var subject: String
        var actual: Digest
        var algorithm: String
    }

    /// What one gate call reads once and reuses across the node's inputs, and never keeps beyond it: the
    /// revocations, and each upstream envelope's record and the checks that do not depend on the subject consumed.
    private struct GateMemo {
        private var revocationList: Result<[RevocationRecord], StoreError>?
        /// By envelope payload digest and producer node id; only envelopes that passed.
        var envelopes: [String: (record: EnvelopeRecord, envelope: LineageVerifier.VerifiedEnvelope)] = [:]

        /// The store's revocations, read at the first call.
        mutating func revocations(in store: Store) -> Result<[RevocationRecord], StoreError> {
            if let revocationList { return revocationList }
            let read: Result<[RevocationRecord], StoreError>
            do {
                read = .success(try store.revocations())
            } catch {
                read = .failure(error)
            }
            revocationList = read
            return read
        }
    }

    private func verified(
        _ upstream: Upstream, node: GatedNode, constraints: [GovernanceDocument.Constraint], memo: inout GateMemo
    ) -> Result<LineageVerifier.VerifiedInput, Refusal> {
        func refuse(_ check: String, _ reason: String) -> Result<LineageVerifier.VerifiedInput, Refusal> {
            .failure(Refusal(node: node.displayName, input: upstream.input, check: check,
                             reason: "\(reason) (producer '\(upstream.producerName)')"))
        }
        guard let envelopeDigest = upstream.envelopeDigest, let recorded = try? Digest(hex: envelopeDigest) else {
            return refuse("envelope-missing", "the producer has no lineage envelope")
        }
        let memoKey = envelopeDigest + "|" + upstream.producer
        let cached = memo.envelopes[memoKey]
        let record: EnvelopeRecord
        if let cached {
            record = cached.record
        } else {
            let stored: EnvelopeRecord?
            do {
                stored = try store.envelope(payloadDigest: envelopeDigest)
            } catch {
                return refuse("envelope-missing", "cannot read its envelope: \(error.description)")
            }
            guard let stored else {
                return refuse("envelope-missing", "its envelope sha256:\(envelopeDigest) is not in the store")
            }
            record = stored
        }
        if let revoked = revocation(envelopeDigest: envelopeDigest, keyIDs: [record.keyID], memo: &memo) {
            return refuse("revoked", revoked)
        }
        let input: LineageVerifier.VerifiedInput
        do {
            let envelope: LineageVerifier.VerifiedEnvelope
            if let cached {
                envelope = cached.envelope
            } else {
                envelope = try verifier.verifyEnvelope([UInt8](record.envelopeJSON), producerNode: upstream.producer)
                memo.envelopes[memoKey] = (record, envelope)
            }
            input = try verifier.verifySubject(
                of: envelope, recordedPayloadDigest: recorded, producerNode: upstream.producer,
                subjectName: upstream.subject, actualDigest: upstream.actual, digestAlgorithm: upstream.algorithm)
        } catch {
            if case .untrustedKey(let keyID, _) = error, let claimed = claimedKey(of: record, keyID: keyID) {
                do {
                    _ = try chain.admit(claimed, for: .sign)
                } catch {
                    return refuse("signature-trust", error.description)
                }
            }
            return refuse(error.checkName, error.description)
        }
        // The trust slope: from this run's submission to the signer, every link admitted and none revoked.
        if let problem = slopeProblem(input) { return refuse("trust-slope", problem) }
        if let revoked = revocation(
            envelopeDigest: nil, keyIDs: input.predicate.trustSlope.map(\.keyID), memo: &memo)
        {
            return refuse("revoked", revoked)
        }
        // The governance it was produced under.
        let produced = input.predicate.governance
        if enforcesConstraints && produced.specDigest != governance.digest {
            return refuse("governance-digest",
                          "it was produced under governance \(produced.specDigest), this node runs under "
                              + "\(governance.digest)")
        }
        guard governance.accepts(constraintsDigest: produced.constraintsDigest) else {
            return refuse("constraints-digest",
                          "it was produced under constraints \(produced.constraintsDigest), neither this run's "
                              + "\(governance.constraintsDigest) nor one declared in compatibleConstraints")
        }
        // The consuming node's constraints over this input's lineage.
        if let violation = ConstraintEvaluator.inputViolation(of: constraints, by: input.predicate) {
            return refuse(violation.check, violation.reason)
        }
        return .success(input)
    }

    /// The public key an untrusted envelope's signature names, when the governance lists a key of that id.
    private func claimedKey(of record: EnvelopeRecord, keyID: String) -> PublicKey? {
        chain.broken.first { $0.delegation.key.keyID == keyID }?.delegation.key
            ?? chain.members.first { $0.key.keyID == keyID }?.key
    }

    /// Why an envelope's trust slope is not the one this run admits for its signer, or nil.
    private func slopeProblem(_ input: LineageVerifier.VerifiedInput) -> String? {
        chain.slopeProblem(input.predicate.trustSlope, signer: input.signer, submission: submissionDigest)
    }

    // MARK: - The node itself

    /// Checks the node's own constraints once its image is known: allowed and pinned images, `require`.
    package func admitNode(_ node: GatedNode, admission: Admission) -> Refusal? {
        guard enforcesConstraints,
            let violation = evaluator.nodeViolation(
                node, chainDepth: admission.chainDepth, inputs: admission.facts, workflowFacts: workflowFacts)
        else { return nil }
        return Refusal(node: node.displayName, input: Refusal.nodeLevel, check: violation.check,
                       reason: violation.reason)
    }

    /// The `inputs` fact of a verified upstream input.
    static func facts(of input: LineageVerifier.VerifiedInput, name: String, kind: String) -> ExpressionValue {
        ConstraintEvaluator.inputFacts(input.predicate, name: name, kind: kind,
                                       digest: input.subject.digest.values.first ?? "", keyID: input.signer.keyID)
    }

    // MARK: - Revocations

    /// Refuses `node` when a key of this run's signing slope is revoked now (read fresh): called right before its
    /// lineage would be signed, so a revocation made while the node ran still stops the signature.
    package func refuseSigning(_ node: String) -> Refusal? {
        var memo = GateMemo()
        return signerRevocation(memo: &memo).map {
            Refusal(node: node, input: Refusal.nodeLevel, check: "revoked", reason: $0)
        }
    }

    /// Why this run's own lineage may not be signed (a key of its slope is revoked), or nil.
    private func signerRevocation(memo: inout GateMemo) -> String? {
        for hop in signingSlope {
            guard let revoked = revocation(envelopeDigest: nil, keyIDs: [hop.keyID], memo: &memo) else { continue }
            return "the node's lineage cannot be signed under this run's trust slope ('\(hop.authority)' / \(hop.role)): "
                + revoked
        }
        return nil
    }

    /// A revocation that applies, read fresh at each gate (once per gate call, not per input) so revocations made
    /// during the run take effect from the next gate on; the governance's own revocations apply too.
    ///
    /// Fails closed: when the revocations cannot be read, the input is refused rather than admitted unchecked.
    private func revocation(envelopeDigest: String?, keyIDs: [String], memo: inout GateMemo) -> String? {
        if let envelopeDigest, let inline = governance.revocation(envelopeDigest: envelopeDigest) {
            return "envelope sha256:\(envelopeDigest) is revoked by the workflow's governance: \(inline.reason)"
        }
        for keyID in keyIDs {
            if let inline = governance.revocation(keyID: keyID) {
                return "key \(keyID) is revoked by the workflow's governance: \(inline.reason)"
            }
        }
        let revocations: [RevocationRecord]
        do {
            revocations = try memo.revocations(in: store).get()
        } catch {
            return "cannot read the revocations, so the input cannot be admitted: " + error.description
        }
        for revocation in revocations {
            if revocation.kind == "envelope" && revocation.value == envelopeDigest {
                return "envelope sha256:\(revocation.value) is revoked: \(revocation.reason)"
            }
            if revocation.kind == "key" && keyIDs.contains(revocation.value) {
                return "signing key \(revocation.value) is revoked: \(revocation.reason)"
            }
        }
        return nil
    }
}

extension GovernanceError {
    /// A short machine-readable name of the failed check, recorded with each denial.
    var checkName: String {
        switch self {
        case .badSignature, .noSignatures: "signature"
        case .untrustedKey, .signerMismatch, .keyNotAdmitted: "signature-trust"
        case .envelopeDigestMismatch: "envelope-digest"
        case .runMismatch, .workflowSpecMismatch, .producerNodeMismatch: "chain-continuity"
        case .subjectMissing, .subjectAmbiguous, .subjectDigestMissing: "subject-missing"
        case .subjectDigestMismatch: "subject-digest"
        case .payloadTypeMismatch, .statementTypeMismatch, .predicateTypeMismatch, .malformedEnvelope,
            .malformedStatement, .malformedPredicate, .malformedJSON, .invalidBase64, .invalidDigest:
            "envelope-format"
        default: "lineage"
        }
    }
}

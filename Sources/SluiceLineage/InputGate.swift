package import SluiceExpressions
package import SluiceGovernance
package import SluicePlan
package import SluiceStore

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

    package init(
        lineage: [LineagePredicate.Input] = [], facts: [ExpressionValue] = [], chainDepth: Int = 1,
        within: [LineagePredicate.Node.Call] = [], containers: [LineagePredicate.Producer.Container] = []
    ) {
        self.lineage = lineage
        self.facts = facts
        self.chainDepth = chainDepth
        self.within = within
        self.containers = containers
    }
}

/// Gathers the facts of a node's inputs before it runs and asks ``LineagePolicy`` about them.
///
/// Per input: the producer's envelope as the store holds it, and the digest of the bytes about to be handed over,
/// re-hashed here (never read from a record); per gate call: the revocations, read fresh. The decisions (signature,
/// trust slope, revocations, continuity, subject digests, governance, constraints) are the policy's; this type only
/// reads, and turns what was admitted into the node's lineage entries and `require` facts.
package struct InputGate: Sendable {
    package let store: Store
    /// What decides.
    package let policy: LineagePolicy

    /// The governance the gate's policy enforces.
    package var governance: GovernanceDocument { policy.governance }

    package init(
        store: Store, runID: String, workflowDigest: Digest, governance: RunGovernance, workflowFacts: ExpressionValue
    ) {
        self.init(
            store: store,
            policy: LineagePolicy(
                governance: governance.document, chain: governance.chain, runID: runID, workflowDigest: workflowDigest,
                submissionDigest: governance.submissionDigest, submissionProblem: governance.submissionProblem,
                signingSlope: governance.slope, workflowFacts: workflowFacts))
    }

    private init(store: Store, policy: LineagePolicy) {
        self.store = store
        self.policy = policy
    }

    /// A gate that re-verifies lineage recorded by an earlier run (memoized outputs): that run's identity and
    /// submission, this run's keys and revocations, no constraints (they apply when the outputs are consumed).
    ///
    /// - Parameter chain: the keys that run's governance admitted, when they are not this run's (a run captured in
    ///   an export bundle, signed on another machine); nil keeps this run's.
    package func forEarlierRun(
        runID: String, workflowDigest: Digest, submissionDigest: Digest?,
        chain earlierChain: TrustChain? = nil
    ) -> InputGate {
        InputGate(
            store: store,
            policy: policy.forEarlierRun(
                runID: runID, workflowDigest: workflowDigest, submissionDigest: submissionDigest, chain: earlierChain))
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
        node: GatedNode, artifacts: [ResolvedArtifact], origins: Set<ParameterOrigin>,
        parameterValues: [String: String],
        unsigned: [UnsignedInput] = [], appliesConstraints: Bool = true
    ) -> Result<Admission, Refusal> {
        var facts = GateFacts(store: store)
        // Whatever the node produces is signed with this run's key: a revoked key signs nothing, inputs or not.
        if let refusal = policy.runRefusal(node: node.displayName, revocations: facts.revocations()) {
            return .failure(refusal)
        }
        let constraints = appliesConstraints ? policy.constraints(for: node) : []
        var memo = LineagePolicy.Memo()
        var admission = Admission()
        admission.within = node.within
        for artifact in artifacts {
            if let refusal = admitArtifact(
                artifact, node: node, constraints: constraints, facts: &facts, memo: &memo, into: &admission)
            {
                return .failure(refusal)
            }
        }
        for origin in origins.sorted(by: { ($0.nodeID, $0.subjectName) < ($1.nodeID, $1.subjectName) }) {
            guard let value = parameterValues["\(origin.nodeID)|\(origin.subjectName)"] else { continue }
            let upstream = LineagePolicy.Upstream(
                input: "\(origin.nodeDisplayName).\(origin.subjectName)", producerNode: origin.nodeID,
                producerName: origin.nodeDisplayName, subject: origin.subjectName,
                measured: Digest.sha256(Array(value.utf8)), envelope: facts.envelope(origin.envelopeDigest))
            switch verified(upstream, node: node, constraints: constraints, facts: &facts, memo: &memo) {
            case .failure(let refusal): return .failure(refusal)
            case .success(let input):
                admission.lineage.append(
                    .init(
                        name: upstream.input, kind: .parameter, digest: ["sha256": upstream.measured.hex],
                        producerNode: origin.nodeID, subjectName: origin.subjectName,
                        envelopePayloadDigest: input.payloadDigest))
                admission.facts.append(Self.facts(of: input, name: upstream.input, kind: "parameter"))
                admission.chainDepth = max(admission.chainDepth, input.predicate.chainDepth + 1)
            }
        }
        for input in unsigned {
            if let refusal = policy.unsignedRefusal(input, into: node.displayName, constraints: constraints) {
                return .failure(refusal)
            }
            admission.lineage.append(input.lineage)
            admission.facts.append(ConstraintEvaluator.unsignedFacts(input))
        }
        return .success(admission)
    }

    /// Re-hashes one artifact's stored bytes (never trusting a recorded digest) and admits it: a `raw` or fetched
    /// artifact when the bytes are the ones stored, another node's output when the policy admits it.
    private func admitArtifact(
        _ artifact: ResolvedArtifact, node: GatedNode, constraints: [GovernanceDocument.Constraint],
        facts: inout GateFacts, memo: inout LineagePolicy.Memo, into admission: inout Admission
    ) -> Refusal? {
        let reference = artifact.reference
        let algorithm = reference.kind == .directory ? "dirHash" : "sha256"
        // Re-hash the stored bytes: never trust a digest we did not just compute.
        let actual: Digest
        do {
            actual =
                reference.kind == .directory
                ? try Digest.directoryHash(at: reference.storedPath)
                : try Digest.sha256(fileAt: reference.storedPath)
        } catch {
            return Refusal(
                node: node.displayName, input: artifact.name, check: "artifact-readable",
                reason: "cannot read the stored artifact: \(error.description)")
        }
        guard let producer = reference.producerNodeID else {
            // A `raw` or fetched artifact: its content is part of the submitted workflow or was fetched here.
            guard actual.hex == reference.digest else {
                return Refusal(
                    node: node.displayName, input: artifact.name, check: "artifact-digest",
                    reason: "raw artifact digest sha256:\(reference.digest) does not match the stored bytes' \(actual)")
            }
            admission.lineage.append(
                .init(
                    name: artifact.name, kind: .artifact, digest: [algorithm: actual.hex],
                    origin: artifact.fetchedFrom))
            admission.facts.append(
                ConstraintEvaluator.externalFacts(
                    name: artifact.name, kind: "artifact", digest: actual.hex, origin: artifact.fetchedFrom))
            return nil
        }
        let upstream = LineagePolicy.Upstream(
            input: artifact.name, producerNode: producer, producerName: reference.producerDisplayName ?? producer,
            subject: "outputs/artifacts/\(reference.name)", measured: actual, algorithm: algorithm,
            envelope: facts.envelope(reference.envelopeDigest))
        switch verified(upstream, node: node, constraints: constraints, facts: &facts, memo: &memo) {
        case .failure(let refusal): return refusal
        case .success(let input):
            admission.lineage.append(
                .init(
                    name: artifact.name, kind: .artifact, digest: [algorithm: actual.hex], producerNode: producer,
                    subjectName: upstream.subject, envelopePayloadDigest: input.payloadDigest))
            admission.facts.append(Self.facts(of: input, name: artifact.name, kind: "artifact"))
            admission.chainDepth = max(admission.chainDepth, input.predicate.chainDepth + 1)
        }
        return nil
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
        if let submissionProblem = policy.submissionProblem {
            return Refusal(
                node: node.displayName, input: Refusal.nodeLevel, check: "submission",
                reason: submissionProblem)
        }
        var facts = GateFacts(store: store)
        var memo = LineagePolicy.Memo()
        for origin in origins.sorted(by: { ($0.nodeID, $0.subjectName) < ($1.nodeID, $1.subjectName) }) {
            let label = "\(decision): \(origin.nodeDisplayName).\(origin.subjectName)"
            guard let value = values["\(origin.nodeID)|\(origin.subjectName)"] else {
                return Refusal(
                    node: node.displayName, input: label, check: "subject-missing",
                    reason: "the value is not recorded (producer '\(origin.nodeDisplayName)')")
            }
            let upstream = LineagePolicy.Upstream(
                input: label, producerNode: origin.nodeID, producerName: origin.nodeDisplayName,
                subject: origin.subjectName, measured: Digest.sha256(Array(value.utf8)),
                envelope: facts.envelope(origin.envelopeDigest))
            if case .failure(let refusal) = verified(upstream, node: node, constraints: [], facts: &facts, memo: &memo)
            {
                return refusal
            }
        }
        return nil
    }

    /// Checks that a node recorded as Succeeded by an earlier engine may be reused on resume (see
    /// ``LineagePolicy/reuseRefusal(node:nodeID:envelope:)``); its output values are verified where they are
    /// consumed or decide control flow.
    package func verifyReusable(_ node: GatedNode, nodeID: String, envelopeDigest: String?) -> Refusal? {
        if policy.submissionProblem != nil { return nil }
        var facts = GateFacts(store: store)
        let envelope = facts.envelope(
            envelopeDigest, none: "it has no lineage envelope",
            unparsable: "its envelope sha256:\(envelopeDigest ?? "") is not in the store")
        return policy.reuseRefusal(node: node.displayName, nodeID: nodeID, envelope: envelope)
    }

    /// The policy's verdict on one upstream output, with the store's revocations.
    private func verified(
        _ upstream: LineagePolicy.Upstream, node: GatedNode, constraints: [GovernanceDocument.Constraint],
        facts: inout GateFacts, memo: inout LineagePolicy.Memo
    ) -> Result<LineageVerifier.VerifiedInput, Refusal> {
        policy.admit(
            upstream, into: node.displayName, constraints: constraints, revocations: facts.revocations(), memo: &memo)
    }

    // MARK: - The node itself

    /// Checks the node's own constraints once its image is known: allowed and pinned images, `require`.
    package func admitNode(_ node: GatedNode, admission: Admission) -> Refusal? {
        policy.nodeRefusal(node, chainDepth: admission.chainDepth, inputs: admission.facts)
    }

    /// The `inputs` fact of a verified upstream input.
    static func facts(of input: LineageVerifier.VerifiedInput, name: String, kind: String) -> ExpressionValue {
        ConstraintEvaluator.inputFacts(
            input.predicate, name: name, kind: kind,
            digest: input.subject.digest.values.first ?? "", keyID: input.signer.keyID)
    }

    // MARK: - Revocations

    /// Refuses `node` when a key of this run's signing slope is revoked now (read fresh): called right before its
    /// lineage would be signed, so a revocation made while the node ran still stops the signature.
    package func refuseSigning(_ node: String) -> Refusal? {
        var facts = GateFacts(store: store)
        return policy.signingRefusal(node: node, revocations: facts.revocations())
    }
}

/// What one gate call reads from the store, once, and never keeps beyond it: the revocations, and each upstream
/// envelope's record.
private struct GateFacts {
    let store: Store
    private var revocationList: LineagePolicy.Revocations?
    private var records: [String: EnvelopeRecord] = [:]

    init(store: Store) {
        self.store = store
    }

    /// The store's revocations, read at the first call.
    mutating func revocations() -> LineagePolicy.Revocations {
        if let revocationList { return revocationList }
        let read: LineagePolicy.Revocations
        do {
            let records = try store.revocations()
            read = .listed(
                records.compactMap { record in
                    GovernanceDocument.Revocation.Kind(rawValue: record.kind).map {
                        LineagePolicy.Revocations.Entry(kind: $0, value: record.value, reason: record.reason)
                    }
                })
        } catch {
            read = .unreadable(reason: error.description)
        }
        revocationList = read
        return read
    }

    /// The envelope recorded under `digest`, as the store holds it.
    mutating func envelope(
        _ digest: String?, none: String = "the producer has no lineage envelope",
        unparsable: String = "the producer has no lineage envelope"
    ) -> LineagePolicy.EnvelopeFact {
        guard let digest else { return .absent(reason: none) }
        guard let recorded = try? Digest(hex: digest) else { return .absent(reason: unparsable) }
        if let record = records[digest] {
            return .found(bytes: [UInt8](record.envelopeJSON), recordedPayloadDigest: recorded, keyID: record.keyID)
        }
        let stored: EnvelopeRecord?
        do {
            stored = try store.envelope(payloadDigest: digest)
        } catch {
            return .absent(reason: "cannot read its envelope: \(error.description)")
        }
        guard let stored else { return .absent(reason: "its envelope sha256:\(digest) is not in the store") }
        records[digest] = stored
        return .found(bytes: [UInt8](stored.envelopeJSON), recordedPayloadDigest: recorded, keyID: stored.keyID)
    }
}

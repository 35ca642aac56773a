import SluiceEngine
package import SluiceGovernance

/// The in-pod gate: decides, from facts the wrapper gathered in the pod, whether the node may run, with the same
/// ``LineagePolicy`` as the local gate and the offline verifiers.
///
/// Pure: the wrapper measures the inputs at their paths and reads the producers' envelopes (input artifacts the
/// renderer bound at each call site) and the digests Argo recorded for them; this type only decides.
package struct PodGate: Sendable {
    /// One input as the wrapper measured it.
    package struct MeasuredInput: Sendable, Equatable {
        package var name: String
        package var kind: LineagePredicate.Input.Kind
        package var digest: Digest
        /// `sha256` (files, parameter values) or `dirHash` (directories).
        package var algorithm: String
        /// The producer's envelope as found in the pod, when the call site bound one.
        package var envelope: [UInt8]?
        /// The payload digest Argo recorded for the producer (its `sluice-envelope-digest` output), when bound.
        package var recordedDigest: Digest?
        /// Where an unsigned value came from (a workflow argument the template's fields read).
        package var source: LineagePredicate.Input.Source?

        package init(
            name: String, kind: LineagePredicate.Input.Kind, digest: Digest, algorithm: String = "sha256",
            envelope: [UInt8]? = nil, recordedDigest: Digest? = nil
        ) {
            self.name = name
            self.kind = kind
            self.digest = digest
            self.algorithm = algorithm
            self.envelope = envelope
            self.recordedDigest = recordedDigest
        }
    }

    /// What the gate admitted: the inputs as the envelope will record them, and the node's chain depth.
    package struct Admitted: Sendable, Equatable {
        package var inputs: [LineagePredicate.Input]
        package var chainDepth: Int
    }

    package let run: RunFacts
    package let node: NodeFacts
    /// The revocations the signer read for this pod (its `sluice-revocations` ConfigMap).
    package var revocations: LineagePolicy.Revocations = .listed([])
    private let governance: GovernanceDocument
    private let policy: LineagePolicy

    /// A gate for `node` of `run`.
    ///
    /// - Throws: ``KubeError/governance(reason:)`` when the run's governance does not parse.
    package init(run: RunFacts, node: NodeFacts) throws(KubeError) {
        let governance: GovernanceDocument
        do {
            governance = try GovernanceDocument(json: run.governance)
        } catch {
            throw .governance(reason: error.description)
        }
        self.run = run
        self.node = node
        self.governance = governance
        let chain = TrustChain(governance: governance, runKey: run.submitterKey)
        policy = LineagePolicy(
            governance: governance, chain: chain, runID: run.runID, workflowDigest: run.workflowDigest,
            submissionDigest: run.submission.payloadDigest, signingSlope: run.trustSlope)
    }

    /// Admits the node's inputs, or the first refusal (in input order, then the policy's check order).
    package func admit(_ inputs: [MeasuredInput]) -> Result<Admitted, Refusal> {
        if let refusal = policy.runRefusal(node: node.displayName, revocations: revocations) {
            return .failure(refusal)
        }
        let constraints = governance.constraints(template: node.templateName, task: node.task)
        var memo = LineagePolicy.Memo()
        // Recorded as the local engine records them: artifacts first (in order), then the parameters whose values
        // another node signed (named `PRODUCER.SUBJECT`, by producer id and subject), then unsigned ones.
        var artifacts: [LineagePredicate.Input] = []
        var signedParameters: [LineagePredicate.Input] = []
        var unsigned: [LineagePredicate.Input] = []
        var depth = 1
        for input in inputs {
            let digestSet = [input.algorithm: input.digest.hex]
            guard let bytes = input.envelope else {
                let plain = LineagePredicate.Input(
                    name: input.name, kind: input.kind, digest: digestSet, source: input.source)
                if input.kind == .artifact { artifacts.append(plain) } else { unsigned.append(plain) }
                continue
            }
            let upstream = Self.upstream(for: input, envelope: bytes)
            switch policy.admit(upstream, into: node.displayName, revocations: revocations, memo: &memo) {
            case .failure(let refusal):
                return .failure(refusal)
            case .success(let verified):
                if let violation = ConstraintEvaluator.inputViolation(of: constraints, by: verified.predicate) {
                    return .failure(
                        Refusal(
                            node: node.displayName, input: input.name, check: violation.check,
                            reason: violation.reason + " (producer '\(verified.predicate.node.displayName)')"))
                }
                depth = max(depth, verified.predicate.chainDepth + 1)
                let name =
                    input.kind == .artifact
                    ? input.name : "\(verified.predicate.node.displayName).\(verified.subject.name)"
                let linked = LineagePredicate.Input(
                    name: name, kind: input.kind, digest: digestSet, producerNode: verified.predicate.node.id,
                    subjectName: verified.subject.name, envelopePayloadDigest: verified.payloadDigest)
                if input.kind == .artifact { artifacts.append(linked) } else { signedParameters.append(linked) }
            }
        }
        signedParameters.sort {
            ($0.producerNode ?? "", $0.subjectName ?? "") < ($1.producerNode ?? "", $1.subjectName ?? "")
        }
        let admitted = artifacts + signedParameters + unsigned
        return .success(Admitted(inputs: admitted, chainDepth: depth))
    }

    /// The policy's facts for one input: the producer is the node the envelope names (its payload digest pinned
    /// by Argo's record when bound); the subject is the producer's output of the input's kind that signs the
    /// measured bytes, else its only output of that kind (so a mismatch is reported as one).
    static func upstream(for input: MeasuredInput, envelope bytes: [UInt8]) -> LineagePolicy.Upstream {
        let envelope = try? Envelope(jsonBytes: bytes)
        let statement = envelope.flatMap { try? Statement(payloadBytes: $0.payload) }
        let predicate = statement.flatMap { try? LineagePredicate(json: $0.predicate) }
        let prefixes = input.kind == .artifact ? ["outputs/artifacts/"] : ["outputs/parameters/", "outputs/result"]
        let candidates = (statement?.subjects ?? []).filter { subject in
            prefixes.contains { subject.name.hasPrefix($0) }
        }
        let subject =
            candidates.first { $0.digest[input.algorithm] == input.digest.hex }?.name
            ?? (candidates.count == 1 ? candidates[0].name : "(no output of the producer signs these bytes)")
        let fact: LineagePolicy.EnvelopeFact
        if let envelope {
            fact = .found(
                bytes: bytes, recordedPayloadDigest: input.recordedDigest ?? envelope.payloadDigest,
                keyID: envelope.signatures.first?.keyID ?? "")
        } else {
            fact = .absent(reason: "the producer's envelope is not a DSSE envelope")
        }
        return LineagePolicy.Upstream(
            input: input.name, producerNode: predicate?.node.id ?? "?",
            producerName: predicate?.node.displayName ?? "?", subject: subject, measured: input.digest,
            algorithm: input.algorithm, envelope: fact)
    }
}

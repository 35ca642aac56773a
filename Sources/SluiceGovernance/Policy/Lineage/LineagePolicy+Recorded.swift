/// The policy over lineage already recorded, as offline verification sees it (`sluice verify BUNDLE`, and through
/// it `sluice verify RUN` and `sluice replay`): every envelope a run recorded, each link from a consumer to its
/// producer's subject. Unlike the gate, which stops at the first refusal of a node about to run, it reports every
/// problem it finds, each naming the files the facts were read from.
extension LineagePolicy {
    /// What offline verification gathered about the run that recorded some envelopes. A nil fact is unknown (its
    /// own file failed, and says why); the checks that need it are skipped.
    package struct RecordedRun: Sendable {
        /// The run's governance.
        package var governance: GovernanceDocument?
        /// Where the governance was read from, as messages name it (e.g. `governance.json`).
        package var governanceFile: String
        /// The keys the governance admits, once the submitter is known.
        package var chain: TrustChain?
        /// The payload digest of the run's submission attestation: where every trust slope starts.
        package var submissionDigest: Digest?
        /// The key whose signature on the submission attestation verified.
        package var submitterKey: PublicKey?
        /// The run's id, and where it was read from (e.g. `status.json`).
        package var runID: String?
        package var runIDSource: String
        /// The digest of the submitted workflow, and the file it was computed from.
        package var workflowDigest: Digest?
        package var workflowFile: String
        /// Every template's content digest by identity as submitted; nil when templates are not checked.
        package var templateDigests: [String: Digest]?
        /// The revocations in force: the lists given and the governance's own, reasons as they should read.
        package var revocations: [Revocations.Entry]

        /// Facts with nothing known yet.
        package init(governanceFile: String, runIDSource: String, workflowFile: String) {
            self.governanceFile = governanceFile
            self.runIDSource = runIDSource
            self.workflowFile = workflowFile
            self.revocations = []
        }

        /// The reason `value` is revoked as `kind`, when it is.
        func revoked(_ kind: GovernanceDocument.Revocation.Kind, _ value: String) -> String? {
            revocations.first { $0.kind == kind && $0.value == value }?.reason
        }
    }

    /// An envelope whose signature by an admitted key verified, with what it says.
    package struct RecordedEnvelope: Sendable {
        package var predicate: LineagePredicate
        package var signer: PublicKey
        package var payloadDigest: Digest

        /// Creates the facts of a verified envelope.
        package init(predicate: LineagePredicate, signer: PublicKey, payloadDigest: Digest) {
            self.predicate = predicate
            self.signer = signer
            self.payloadDigest = payloadDigest
        }
    }

    // MARK: - One recorded envelope

    /// Whether the envelope belongs where it was found: the signer the predicate names is the key that signed,
    /// it is of the run and the workflow, and the template it ran is one the submission covers.
    package static func continuityRefusals(of envelope: RecordedEnvelope, in run: RecordedRun) -> [Refusal] {
        let predicate = envelope.predicate
        var refusals: [Refusal] = []
        func refuse(_ check: String, _ reason: String) {
            refusals.append(Refusal(node: predicate.node.id, input: Refusal.nodeLevel, check: check, reason: reason))
        }
        let claimed = predicate.producer.signer
        if claimed.keyID != envelope.signer.keyID || claimed.publicKeyDigest != envelope.signer.spkiDigest {
            refuse(
                "signature-trust",
                "the predicate names signer \(claimed.keyID) but key \(envelope.signer.keyID) signed it")
        }
        if let runID = run.runID, predicate.workflow.runID != runID {
            refuse(
                "chain-continuity", "it belongs to run \(predicate.workflow.runID), not \(runID) (\(run.runIDSource))")
        }
        if let workflowDigest = run.workflowDigest, predicate.workflow.specDigest != workflowDigest {
            refuse(
                "chain-continuity",
                "its workflow digest \(predicate.workflow.specDigest) is not the digest of \(run.workflowFile), "
                    + "\(workflowDigest)")
        }
        if let submitted = run.templateDigests, let digest = predicate.node.templateDigest {
            let identity = predicate.node.templateName
            if let covered = submitted[identity] {
                if covered != digest {
                    refuse("submission", "it ran template '\(identity)' \(digest), but the submitted one is \(covered)")
                }
            } else if run.workflowDigest != nil {
                refuse("submission", "it ran template '\(identity)', which the submission does not cover")
            }
        }
        return refusals
    }

    /// Whether the envelope is still trusted under its run's governance: neither it nor its signing key is
    /// revoked, it was produced under that governance and constraint set, and its trust slope starts at the run's
    /// submission, is the chain the governance admits for its signer, and holds no revoked key.
    package static func trustRefusals(of envelope: RecordedEnvelope, in run: RecordedRun) -> [Refusal] {
        let predicate = envelope.predicate
        var refusals: [Refusal] = []
        func refuse(_ check: String, _ reason: String) {
            refusals.append(Refusal(node: predicate.node.id, input: Refusal.nodeLevel, check: check, reason: reason))
        }
        if let reason = run.revoked(.envelope, envelope.payloadDigest.hex) {
            refuse("revoked", "envelope \(envelope.payloadDigest) is revoked: \(reason)")
        }
        if let reason = run.revoked(.key, envelope.signer.keyID) {
            refuse("revoked", "signing key \(envelope.signer.keyID) is revoked: \(reason)")
        }
        if let governance = run.governance {
            let produced = predicate.governance
            if produced.specDigest != governance.digest {
                refuse(
                    "governance-digest",
                    "it was produced under governance \(produced.specDigest), but \(run.governanceFile) is "
                        + "\(governance.digest)")
            } else if produced.constraintsDigest != governance.constraintsDigest {
                refuse(
                    "constraints-digest",
                    "it was produced under constraints \(produced.constraintsDigest), but those of "
                        + "\(run.governanceFile) are \(governance.constraintsDigest)")
            }
        }
        if let chain = run.chain, let submission = run.submissionDigest {
            if let problem = chain.slopeProblem(predicate.trustSlope, signer: envelope.signer, submission: submission) {
                refuse("trust-slope", problem)
            } else if let submitter = run.submitterKey, predicate.trustSlope.first?.keyID != submitter.keyID {
                refuse(
                    "trust-slope",
                    "it starts at key \(predicate.trustSlope.first?.keyID ?? "?"), but the submission attestation is "
                        + "signed by \(submitter.keyID)")
            }
        }
        for hop in predicate.trustSlope where hop.keyID != envelope.signer.keyID {
            if let reason = run.revoked(.key, hop.keyID) {
                refuse("revoked", "key \(hop.keyID) of '\(hop.authority)' on its trust slope is revoked: \(reason)")
            }
        }
        return refusals
    }

    // MARK: - A stored node's outputs

    /// An artifact a node's recorded outputs name, with the digest its stored bytes hash to now.
    package struct StoredArtifact: Sendable, Equatable {
        package var name: String
        /// The digest (hex) the outputs record, which the envelope signed.
        package var recordedDigest: String
        /// What the stored bytes hash to, measured by the gatherer.
        package var measured: Digest
        /// Where the bytes are, for messages.
        package var path: String

        /// Creates the facts of one stored artifact.
        package init(name: String, recordedDigest: String, measured: Digest, path: String) {
            self.name = name
            self.recordedDigest = recordedDigest
            self.measured = measured
            self.path = path
        }
    }

    /// Whether a node's envelope still signs what the state directory holds for it (`sluice verify RUN`): every
    /// subject its recorded outputs make is among the signed ones, and every artifact's bytes hash to the recorded
    /// digest.
    ///
    /// - Parameters:
    ///   - signed: the subjects of the node's verified envelope.
    ///   - recorded: the subjects its recorded outputs make (names and digests).
    package static func storedOutputRefusals(
        node: String, signed: [Statement.Subject], recorded: [Statement.Subject], artifacts: [StoredArtifact]
    ) -> [Refusal] {
        var refusals: [Refusal] = []
        for subject in recorded where !signed.contains(subject) {
            refusals.append(
                Refusal(
                    node: node, input: subject.name, check: "subject-digest",
                    reason: "subject '\(subject.name)' does not match the recorded output"))
        }
        for artifact in artifacts where artifact.measured.hex != artifact.recordedDigest {
            refusals.append(
                Refusal(
                    node: node, input: artifact.name, check: "subject-digest",
                    reason: "artifact '\(artifact.name)' is sha256:\(artifact.recordedDigest) in the envelope but "
                        + "\(artifact.measured) in the store (\(artifact.path))"))
        }
        return refusals
    }

    // MARK: - One recorded link

    /// Whether a consumer's recorded input is the subject its producer's envelope signed: the producer node it
    /// names attested the envelope, the subject is there, and its digests agree with the consumed digests on every
    /// algorithm both name (at least one).
    ///
    /// - Parameters:
    ///   - input: the consumer's lineage entry.
    ///   - consumer: the consumer's node id.
    ///   - producer: the producer's envelope, as verified.
    ///   - subjects: the producer's statement's subjects.
    ///   - producerFile: where the producer's envelope was read from, as messages name it.
    package static func linkRefusal(
        _ input: LineagePredicate.Input, consumer: String, producer: LineagePredicate,
        subjects: [Statement.Subject], producerFile: String
    ) -> Refusal? {
        let label = "input '\(input.name)' of node '\(consumer)'"
        func refuse(_ check: String, _ reason: String) -> Refusal {
            Refusal(node: consumer, input: input.name, check: check, reason: reason)
        }
        if let node = input.producerNode, node != producer.node.id {
            return refuse(
                "chain-continuity",
                "\(label) should come from node '\(node)', but \(producerFile) attests node '\(producer.node.id)'")
        }
        guard let subjectName = input.subjectName else { return nil }
        guard let subject = subjects.first(where: { $0.name == subjectName }) else {
            return refuse("subject-missing", "\(label): \(producerFile) has no subject '\(subjectName)'")
        }
        let common = Set(subject.digest.keys).intersection(input.digest.keys)
        guard !common.isEmpty, common.allSatisfy({ subject.digest[$0] == input.digest[$0] }) else {
            return refuse(
                "subject-digest",
                "\(label) was consumed with digest \(input.digest.sorted { $0.key < $1.key }) "
                    + "but \(producerFile) signed \(subject.digest.sorted { $0.key < $1.key })")
        }
        return nil
    }
}

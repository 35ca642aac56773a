package import Foundation
package import SluiceGovernance
package import SluicePlan
package import SluiceSpec
package import SluiceStore

/// The governance one run is held to: its parsed document, the keys it admits, the signed submission that roots
/// every trust slope, and the slope the run's lineage signer puts into each envelope.
package struct RunGovernance: Sendable {
    package let document: GovernanceDocument
    package let chain: TrustChain
    /// The submission attestation's envelope and payload digest.
    package let submission: Envelope
    package let submissionDigest: Digest
    /// The member that signed the submission.
    package let submitter: TrustChain.Member
    /// The member whose key signs this run's lineage.
    package let signer: TrustChain.Member
    /// Set when the run's recorded submission does not cover what the run now carries (e.g. governance edited
    /// in the state directory before a resume): every node is refused with this reason.
    package let submissionProblem: String?

    /// The trust slope this run's envelopes carry.
    package var slope: [LineagePredicate.TrustHop] {
        TrustChain.slope(submitter: submitter, submission: submissionDigest, signer: signer)
    }

    /// Reads a workflow's governance (`spec.governance` or the `sluice.dev/governance` annotation).
    ///
    /// - Throws: ``EngineError/governanceSpec(reason:)`` naming the field and its position.
    package static func document(of workflow: WorkflowDocument) throws(EngineError) -> GovernanceDocument {
        let tree = try governanceTree(of: workflow)
        do {
            return try GovernanceDocument(json: tree.map { $0.isNull ? .null : $0.canonicalJSON })
        } catch {
            let at = tree.map { " (\($0.location))" } ?? ""
            throw .governanceSpec(reason: error.description + at)
        }
    }

    /// The canonical JSON of a workflow's governance section (`null` when it has none): the bytes whose digest
    /// the submission attestation signs, and what an export bundle carries as `governance.json`.
    ///
    /// - Throws: ``EngineError/governanceSpec(reason:)`` when the section is given twice or is not YAML.
    package static func json(of workflow: WorkflowDocument) throws(EngineError) -> CanonicalJSON {
        guard let tree = try governanceTree(of: workflow), !tree.isNull else { return .null }
        return tree.canonicalJSON
    }

    private static func governanceTree(of workflow: WorkflowDocument) throws(EngineError) -> YAMLValue? {
        do {
            return try workflow.governanceTree()
        } catch {
            throw .governanceSpec(reason: error.description)
        }
    }

    /// Admits the run's keys and signs (or, when resuming, re-verifies) the submission attestation.
    ///
    /// - Parameters:
    ///   - submitterKey: the key that submits the run (`sluice run --key`).
    ///   - lineageKey: the key that signs node lineage (`--lineage-key`, else the submitter's).
    ///   - recorded: the run's stored submission attestation, when resuming.
    /// - Throws: ``EngineError/submissionRefused(reason:)`` when the governance does not admit a key.
    package static func admit(
        document: GovernanceDocument, submitterKey: SigningKey, lineageKey: PublicKey, runID: String,
        workflowName: String, workflowDigest: Digest, parametersDigest: Digest, templates: TemplateCoverage,
        recorded: AttestationRecord?, now: Date = Date()
    ) throws(EngineError) -> RunGovernance {
        let chain = TrustChain(governance: document, runKey: submitterKey.publicKey)
        let submitter: TrustChain.Member
        let signer: TrustChain.Member
        do {
            submitter = try chain.admit(submitterKey.publicKey, for: .submit)
        } catch {
            throw .submissionRefused(reason: "the submitting key: \(error.description)")
        }
        do {
            signer = try chain.admit(lineageKey, for: .sign)
        } catch {
            throw .submissionRefused(reason: "the lineage key: \(error.description)")
        }
        if let recorded {
            let envelope: Envelope
            let problem: String?
            do {
                envelope = try Envelope(jsonBytes: [UInt8](recorded.envelopeJSON))
                problem = Self.problem(
                    with: envelope, chain: chain, runID: runID, workflowDigest: workflowDigest,
                    governanceDigest: document.digest, parametersDigest: parametersDigest,
                    templates: templates)
            } catch {
                throw .submissionRefused(reason: "the recorded submission attestation: \(error.description)")
            }
            return RunGovernance(
                document: document, chain: chain, submission: envelope,
                submissionDigest: envelope.payloadDigest, submitter: submitter, signer: signer,
                submissionProblem: problem)
        }
        let attestation = SubmissionAttestation(
            runID: runID, workflowName: workflowName, workflowDigest: workflowDigest,
            governanceDigest: document.digest, parametersDigest: parametersDigest, templatesDigest: templates.digest,
            submitter: submitter.name,
            submitterKeyID: submitterKey.publicKey.keyID, submittedOn: now)
        let envelope = attestation.signed(with: submitterKey)
        return RunGovernance(
            document: document, chain: chain, submission: envelope,
            submissionDigest: envelope.payloadDigest, submitter: submitter, signer: signer,
            submissionProblem: nil)
    }

    /// The submission as a store record.
    package func record(runID: String) -> AttestationRecord {
        AttestationRecord(
            payloadDigest: submissionDigest.hex, runID: runID, kind: .submission,
            keyID: submitter.key.keyID, envelopeJSON: Data(submission.jsonBytes()), createdAt: Date())
    }

    /// The templates a run resolves now, for comparison with what its submission covered.
    package struct TemplateCoverage: Sendable {
        /// The digest of the referenced templates' manifest (``SubmittedTemplates/digest``).
        package var digest: Digest
        /// The identities that differ from what was recorded at submission, when that record is at hand (for the
        /// message); empty otherwise.
        package var changed: [String] = []

        package init(digest: Digest, changed: [String] = []) {
            self.digest = digest
            self.changed = changed
        }
    }

    /// Why a submission attestation does not cover a run as it now stands, or nil when it does.
    package static func problem(
        with envelope: Envelope, chain: TrustChain, runID: String, workflowDigest: Digest, governanceDigest: Digest,
        parametersDigest: Digest, templates: TemplateCoverage? = nil
    ) -> String? {
        let statement: Statement
        let attestation: SubmissionAttestation
        do {
            _ = try envelope.verify(trustedKeys: chain.keys(for: .submit))
            statement = try Statement(payloadBytes: envelope.payload)
            attestation = try SubmissionAttestation(statement: statement)
        } catch {
            return
                "the submission attestation sha256:\(envelope.payloadDigest.hex) does not verify: \(error.description)"
        }
        if attestation.runID != runID {
            return "the submission attestation is for run \(attestation.runID), not \(runID)"
        }
        if attestation.governanceDigest != governanceDigest {
            return "governance edited after submission: the submission attestation covers governance "
                + "\(attestation.governanceDigest), the run now carries \(governanceDigest)"
        }
        if attestation.workflowDigest != workflowDigest {
            return "workflow edited after submission: the submission attestation covers workflow "
                + "\(attestation.workflowDigest), the run now carries \(workflowDigest)"
        }
        if attestation.parametersDigest != parametersDigest {
            return "parameters changed after submission: the submission attestation covers parameters "
                + "\(attestation.parametersDigest), the run now has \(parametersDigest)"
        }
        if let templates, let covered = attestation.templatesDigest, covered != templates.digest {
            let named = templates.changed.isEmpty ? "" : " (changed: " + templates.changed.joined(separator: ", ") + ")"
            return "templates changed after submission\(named): the submission attestation covers templates "
                + "\(covered), the run now resolves \(templates.digest)"
        }
        return nil
    }
}

import Foundation
import SluiceEngine
import SluiceExpressions
import SluiceGovernance

/// The governance half of bundle verification: the governance document, the submission attestation that roots
/// every trust slope, each envelope's slope and governance digests, and the constraints re-evaluated over the
/// recorded lineage.
extension VerificationRun {
    // MARK: - Inputs

    mutating func loadParameters() {
        guard let bytes = read(BundleLayout.parameters) else {
            fail(BundleLayout.parameters, "the resolved parameters are missing")
            return
        }
        guard let json = try? CanonicalJSON(parsing: bytes), let object = json.objectValue else {
            fail(BundleLayout.parameters, "is not a JSON object")
            return
        }
        parametersDigest = json.digest
        parameters = [ParameterValue](object: object)
    }

    mutating func loadGovernance() {
        guard let bytes = read(BundleLayout.governance) else {
            fail(BundleLayout.governance, "the governance document is missing")
            return
        }
        let json: CanonicalJSON
        do {
            json = try CanonicalJSON(parsing: bytes)
        } catch {
            fail(BundleLayout.governance, "is not JSON: \(error.description)")
            return
        }
        if let workflowGovernance, workflowGovernance.digest != json.digest {
            fail(
                BundleLayout.governance,
                "its digest \(json.digest) is not that of the governance section of \(BundleLayout.workflow), "
                    + "\(workflowGovernance.digest)")
        }
        do {
            governance = try GovernanceDocument(json: json)
            governanceUsable = true
        } catch {
            fail(BundleLayout.governance, error.description)
        }
    }

    /// Trust under a governance that lists authorities: they admit the submitter and the lineage signers.
    mutating func loadGovernedTrust(_ given: [PublicKey]?) {
        let chain = TrustChain(governance: governance, runKey: governance.authorities[0].key)
        self.chain = chain
        trusted = chain.keys(for: .sign)
        let names = chain.members.map(\.name).joined(separator: ", ")
        if let given {
            report.notes.append(
                "trusting \(given.count) key(s) given with --trust to have submitted the run: "
                    + given.map { String($0.keyID.prefix(16)) + "…" }.joined(separator: ", ")
                    + "; the governance admits the lineage signers (\(names))")
        } else {
            report.notes.append(
                "no --trust given: trusting the authorities of the bundle's \(BundleLayout.governance) (\(names)); "
                    + "this proves integrity, not origin: pass --trust KEYFILE with the submitter's key")
        }
        for (delegation, error) in chain.broken {
            report.notes.append("delegation '\(delegation.name)' admits no key: \(error.description)")
        }
    }

    // MARK: - Submission

    /// The submission attestation: signed by an admitted submitter, over this workflow, governance and parameters.
    mutating func checkSubmission(given: [PublicKey]?) {
        let file = BundleLayout.submission
        guard let bytes = read(file) else {
            fail(file, "the submission attestation is missing: no trust slope can be checked")
            return
        }
        let envelope: Envelope
        do {
            envelope = try Envelope(jsonBytes: bytes)
        } catch {
            fail(file, error.description)
            return
        }
        submissionDigest = envelope.payloadDigest
        if chain == nil {
            // No authorities: the run's key stands in for every role; it must be a trusted key.
            let runKey = trusted.first { (try? envelope.verify(trustedKeys: [$0])) != nil } ?? trusted.first
            guard let runKey else {
                fail(file, "no trusted key to verify it with")
                return
            }
            chain = TrustChain(governance: governance, runKey: runKey)
        }
        guard let chain, let runID, let workflowDigest, let parametersDigest, governanceUsable else {
            // What is missing has failed already, naming its own file.
            return
        }
        if let problem = RunGovernance.problem(
            with: envelope, chain: chain, runID: runID, workflowDigest: workflowDigest,
            governanceDigest: governance.digest, parametersDigest: parametersDigest,
            templates: .init(digest: (referencedTemplates ?? SubmittedTemplates(referenced: [:])).digest))
        {
            fail(blamedFile(for: envelope), problem)
            return
        }
        guard let signer = try? envelope.verify(trustedKeys: chain.keys(for: .submit)),
            let attestation = try? SubmissionAttestation(statement: Statement(payloadBytes: envelope.payload))
        else { return }
        if attestation.templatesDigest == nil && referencedTemplates?.referenced.isEmpty == false {
            fail(BundleLayout.templates, "the submission attestation does not cover templates")
            return
        }
        if !governance.authorities.isEmpty, let given, !given.contains(signer) {
            fail(
                file,
                "it is signed by key \(signer.keyID) (submitter '\(attestation.submitter)'), which is not among the "
                    + "--trust keys")
            return
        }
        submitter = (attestation.submitter, signer)
        report.submitterKey = signer
        pass(
            file,
            "submitted by '\(attestation.submitter)' (key \(signer.keyID.prefix(16))…) over \(BundleLayout.workflow), "
                + "\(BundleLayout.governance) and \(BundleLayout.parameters)")
    }

    /// The file a submission problem is about: the one whose digest the attestation does not cover, else itself.
    private func blamedFile(for envelope: Envelope) -> String {
        guard let statement = try? Statement(payloadBytes: envelope.payload),
            let attestation = try? SubmissionAttestation(statement: statement)
        else { return BundleLayout.submission }
        if attestation.governanceDigest != governance.digest { return BundleLayout.governance }
        if let workflowDigest, attestation.workflowDigest != workflowDigest { return BundleLayout.workflow }
        if let parametersDigest, attestation.parametersDigest != parametersDigest { return BundleLayout.parameters }
        if let covered = attestation.templatesDigest,
            covered != (referencedTemplates ?? SubmittedTemplates(referenced: [:])).digest
        {
            return BundleLayout.templates
        }
        return BundleLayout.submission
    }

    // MARK: - Envelopes

    /// What the policy knows of this run, as the bundle's files state it.
    var recordedRun: LineagePolicy.RecordedRun {
        var run = LineagePolicy.RecordedRun(
            governanceFile: BundleLayout.governance, runIDSource: BundleLayout.status,
            workflowFile: "the bundled " + BundleLayout.workflow)
        run.governance = governanceUsable ? governance : nil
        run.chain = chain
        run.submissionDigest = submissionDigest
        run.submitterKey = submitter?.key
        run.runID = runID
        run.workflowDigest = workflowDigest
        run.templateDigests = templateDigests
        run.revocations = revocationsInForce
        return run
    }

    /// The revocations in force (the bundle's, a given list's, the governance's own), as the policy reads them.
    var revocationsInForce: [LineagePolicy.Revocations.Entry] {
        revokedEnvelopes.map { .init(kind: .envelope, value: $0.key, reason: $0.value) }
            + revokedKeys.map { .init(kind: .key, value: $0.key, reason: $0.value) }
    }

    /// A refusal of a recorded envelope as a finding's text.
    static func finding(_ refusal: Refusal) -> String {
        refusal.check == "trust-slope" ? "trust slope: " + refusal.reason : refusal.reason
    }

    // MARK: - Constraints

    /// Re-evaluates, for every verified envelope, the constraints that govern its node over the lineage of the
    /// inputs it recorded, and checks its chain depth against theirs (``LineagePolicy``, shared with the gate).
    mutating func checkConstraints() {
        guard governanceUsable else { return }
        let evaluator = ConstraintEvaluator(governance: governance)
        let producers = verified.mapValues { upstream in
            LineagePolicy.RecordedProducer.verified(
                predicate: upstream.predicate, keyID: upstream.signer.keyID, file: upstream.file,
                isEarlierRun: upstream.externalRun != nil)
        }
        var checked = 0
        for envelope in verified.values.sorted(by: { $0.file < $1.file }) where envelope.externalRun == nil {
            let (refusals, governed) = LineagePolicy.constraintRefusals(
                of: envelope.predicate, producers: producers, evaluator: evaluator, parameters: parameters ?? [],
                submitter: submitter?.name ?? "")
            for refusal in refusals {
                if refusal.input != Refusal.nodeLevel {
                    fail(envelope.file, "input '\(refusal.input)': \(refusal.check): \(refusal.reason)")
                } else if refusal.check == LineagePolicy.chainDepthCheck {
                    fail(envelope.file, refusal.reason)
                } else {
                    fail(envelope.file, "\(refusal.check): \(refusal.reason)")
                }
            }
            if refusals.isEmpty && governed { checked += 1 }
        }
        if checked > 0 {
            report.notes.append("constraints re-evaluated over the lineage of \(checked) envelope(s)")
        }
    }
}

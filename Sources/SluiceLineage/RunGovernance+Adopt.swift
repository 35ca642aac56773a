package import SluiceGovernance
package import SluicePlan

extension RunGovernance {
    /// A submission signed elsewhere, adopted as a run's submission.
    package struct Adopted: Sendable {
        package var governance: RunGovernance
        /// What the attestation says: the run id and name the run takes, when and by whom it was submitted.
        package var attestation: SubmissionAttestation
    }

    /// Adopts a submission attestation signed elsewhere (an event trigger, a CI system: `sluice kube attest`) as the
    /// root of the run's trust slope, instead of signing one with the run's key.
    ///
    /// The envelope must verify with a key the governance admits to `submit` (without authorities, the run's own
    /// key), name that key as its submitter, and cover exactly what is run: the workflow document, its governance,
    /// the resolved parameters and the referenced templates. The run then takes the attestation's run id and name.
    ///
    /// - Parameters:
    ///   - runKey: the key the run is started with (the implicit authority of a workflow without authorities).
    ///   - lineageKey: the key that signs node lineage, which the governance must admit to `sign`.
    /// - Throws: ``EngineError/submissionRefused(reason:)`` with one line saying which check failed.
    package static func adopt(
        _ envelope: Envelope, document: GovernanceDocument, runKey: PublicKey, lineageKey: PublicKey,
        workflowDigest: Digest, parametersDigest: Digest, templates: TemplateCoverage
    ) throws(EngineError) -> Adopted {
        let chain = TrustChain(governance: document, runKey: runKey)
        let signingKey: PublicKey
        do {
            signingKey = try envelope.verify(trustedKeys: chain.keys(for: .submit))
        } catch {
            throw .submissionRefused(
                reason: "the submission attestation sha256:\(envelope.payloadDigest.hex) is not signed by a key the "
                    + "governance admits to submit: \(error.description)")
        }
        let attestation: SubmissionAttestation
        do {
            attestation = try SubmissionAttestation(statement: try Statement(payloadBytes: envelope.payload))
        } catch {
            throw .submissionRefused(reason: "the submission attestation: \(error.description)")
        }
        guard attestation.submitterKeyID == signingKey.keyID else {
            throw .submissionRefused(
                reason: "the submission attestation names key \(attestation.submitterKeyID) as its submitter but is "
                    + "signed by \(signingKey.keyID)")
        }
        if let problem = Self.problem(
            with: envelope, chain: chain, runID: attestation.runID, workflowDigest: workflowDigest,
            governanceDigest: document.digest, parametersDigest: parametersDigest, templates: templates)
        {
            throw .submissionRefused(reason: problem)
        }
        let submitter: TrustChain.Member
        let signer: TrustChain.Member
        do {
            submitter = try chain.admit(signingKey, for: .submit)
            signer = try chain.admit(lineageKey, for: .sign)
        } catch {
            throw .submissionRefused(reason: "the lineage key: \(error.description)")
        }
        let governance = RunGovernance(
            document: document, chain: chain, submission: envelope, submissionDigest: envelope.payloadDigest,
            submitter: submitter, signer: signer, submissionProblem: nil)
        return Adopted(governance: governance, attestation: attestation)
    }
}

import Foundation
import SluiceEngine
import SluiceGovernance

/// The earlier runs under `external/`: the envelopes whose outputs this run reused (a cross-run memoization hit, a
/// `sluice replay --from`), each checked as the gate checked it when the outputs were reused.
///
/// For every `external/<run-id>/`: its `governance.json` is the governance section of its `workflow.yaml`; its
/// submission attestation is signed by a key its governance admits to submit (without authorities: a trusted key,
/// as for this run; with authorities: one of them, which must also be a `--trust` key, or, without `--trust`, a key
/// this run trusts) and covers that run id, workflow, governance and parameters; every envelope is signed by a key
/// that run's governance admits to sign, names the signer, that run and workflow digest, that governance, a trust
/// slope from that submission, and nothing on it is revoked. The links to them (subject digests equal to what the
/// reusing node recorded) are checked with the rest of the chain. The earlier run's own upstream envelopes are not
/// in the bundle: its lineage ends here (export that run to verify it).
extension VerificationRun {
    mutating func checkExternalRuns(given: [PublicKey]?) {
        let prefix = BundleLayout.external + "/"
        let runIDs = Set(
            files.filter { $0.hasPrefix(prefix) }.compactMap { file in
                file.dropFirst(prefix.count).split(separator: "/", maxSplits: 1).first.map(String.init)
            })
        for runID in runIDs.sorted() { checkExternalRun(runID, given: given) }
    }

    private mutating func checkExternalRun(_ runID: String, given: [PublicKey]?) {
        let directory = BundleLayout.externalDirectory(runID: runID)
        let workflowFile = directory + BundleLayout.workflow
        let governanceFile = directory + BundleLayout.governance
        let parametersFile = directory + BundleLayout.parameters
        let submissionFile = directory + BundleLayout.externalSubmission

        var workflow: SubmittedWorkflow?
        if let bytes = read(workflowFile) {
            do {
                workflow = try SubmittedWorkflow(text: String(decoding: bytes, as: UTF8.self), file: workflowFile)
            } catch {
                if case .bundleUnreadable(_, let reason) = error {
                    fail(workflowFile, reason)
                } else {
                    fail(workflowFile, error.description)
                }
            }
        } else {
            fail(workflowFile, "the earlier run's submitted workflow is missing")
        }
        var parametersDigest: Digest?
        if let bytes = read(parametersFile) {
            if let json = try? CanonicalJSON(parsing: bytes), json.objectValue != nil {
                parametersDigest = json.digest
            } else {
                fail(parametersFile, "is not a JSON object")
            }
        } else {
            fail(parametersFile, "the earlier run's resolved parameters are missing")
        }
        var earlierGovernance: GovernanceDocument?
        if let bytes = read(governanceFile) {
            do {
                let json = try CanonicalJSON(parsing: bytes)
                if let workflow, workflow.governance.digest != json.digest {
                    fail(
                        governanceFile,
                        "its digest \(json.digest) is not that of the governance section of \(workflowFile), "
                            + "\(workflow.governance.digest)")
                } else {
                    earlierGovernance = try GovernanceDocument(json: json)
                }
            } catch {
                fail(governanceFile, error.description)
            }
        } else {
            fail(governanceFile, "the earlier run's governance document is missing")
        }

        // The earlier run's submission: the root of its envelopes' trust slopes.
        var root = LineagePolicy.RecordedRun(
            governanceFile: governanceFile, runIDSource: "its directory",
            workflowFile: BundleLayout.externalDirectory(runID: runID) + BundleLayout.workflow)
        root.governance = earlierGovernance
        root.runID = runID
        root.workflowDigest = workflow?.digest
        root.revocations = revocationsInForce
        var anchors = given ?? trusted + (chain?.keys(for: .submit) ?? [])
        if given == nil { anchors += externalTrustedKeys(directory) }
        if let bytes = read(submissionFile), let earlierGovernance, let workflow, let parametersDigest {
            root.chain = checkExternalSubmission(
                bytes, file: submissionFile, runID: runID, governance: earlierGovernance,
                workflowDigest: workflow.digest, parametersDigest: parametersDigest, anchors: anchors,
                root: &root)
        } else if read(submissionFile) == nil {
            fail(submissionFile, "the earlier run's submission attestation is missing: no trust slope can be checked")
        }

        let envelopePrefix = directory + BundleLayout.envelopes + "/"
        let envelopeFiles = files.filter { $0.hasPrefix(envelopePrefix) }
        if envelopeFiles.isEmpty { fail(directory, "holds no envelopes") }
        for file in envelopeFiles {
            checkExternalEnvelope(
                file: file, name: String(file.dropFirst(envelopePrefix.count)), runID: runID, root: root)
        }
    }

    /// The keys the earlier run's gate trusted, as the bundle carries them (used only without `--trust`, like the
    /// bundle's own `keys/trusted-keys.pem`: integrity, not origin).
    private mutating func externalTrustedKeys(_ directory: String) -> [PublicKey] {
        let file = directory + BundleLayout.trustedKeys
        guard let bytes = read(file) else { return [] }
        do {
            let keys = try PublicKeyFile.keys(in: String(decoding: bytes, as: UTF8.self), path: file)
            let own = Set(trusted.map(\.keyID))
            let added = keys.filter { !own.contains($0.keyID) }
            if !added.isEmpty {
                report.notes.append(
                    "no --trust given: trusting \(file) for the earlier run ("
                        + added.map { String($0.keyID.prefix(16)) + "…" }.joined(separator: ", ") + ")")
            }
            return keys
        } catch {
            fail(file, error.description)
            return []
        }
    }

    /// Verifies the earlier run's submission attestation; returns that run's trust chain when it verifies.
    private mutating func checkExternalSubmission(
        _ bytes: [UInt8], file: String, runID: String, governance: GovernanceDocument, workflowDigest: Digest,
        parametersDigest: Digest, anchors: [PublicKey], root: inout LineagePolicy.RecordedRun
    ) -> TrustChain? {
        let envelope: Envelope
        do {
            envelope = try Envelope(jsonBytes: bytes)
        } catch {
            fail(file, error.description)
            return nil
        }
        let earlierChain: TrustChain
        if governance.authorities.isEmpty {
            // No authorities: that run's key stood in for every role; it must be a key this verification trusts.
            guard let runKey = anchors.first(where: { (try? envelope.verify(trustedKeys: [$0])) != nil }) else {
                fail(
                    file,
                    "it is signed by none of the trusted keys ("
                        + anchors.map { String($0.keyID.prefix(16)) + "…" }.joined(separator: ", ") + ")")
                return nil
            }
            earlierChain = TrustChain(governance: governance, runKey: runKey)
        } else {
            earlierChain = TrustChain(governance: governance, runKey: governance.authorities[0].key)
        }
        if let problem = RunGovernance.problem(
            with: envelope, chain: earlierChain, runID: runID, workflowDigest: workflowDigest,
            governanceDigest: governance.digest, parametersDigest: parametersDigest)
        {
            fail(file, problem)
            return nil
        }
        guard let signer = try? envelope.verify(trustedKeys: earlierChain.keys(for: .submit)),
            let attestation = try? SubmissionAttestation(statement: Statement(payloadBytes: envelope.payload))
        else { return nil }
        if !governance.authorities.isEmpty, !anchors.contains(signer) {
            fail(
                file,
                "it is signed by key \(signer.keyID) (submitter '\(attestation.submitter)'), which is neither a "
                    + "--trust key nor one this run trusts")
            return nil
        }
        if let reason = revokedKeys[signer.keyID] {
            fail(file, "its signing key \(signer.keyID) is revoked: \(reason)")
            return nil
        }
        root.submissionDigest = envelope.payloadDigest
        root.submitterKey = signer
        pass(
            file,
            "earlier run \(runID) submitted by '\(attestation.submitter)' (key \(signer.keyID.prefix(16))…)")
        return earlierChain
    }

    private mutating func checkExternalEnvelope(
        file: String, name: String, runID: String, root: LineagePolicy.RecordedRun
    ) {
        guard let bytes = read(file) else {
            fail(file, "cannot be read")
            return
        }
        let envelope: Envelope
        do {
            envelope = try Envelope(jsonBytes: bytes)
        } catch {
            fail(file, error.description)
            return
        }
        let payloadDigest = envelope.payloadDigest
        guard let chain = root.chain else {
            unverified[payloadDigest.hex] = file
            fail(file, "the earlier run's submission attestation did not verify, so no key is admitted to sign")
            return
        }
        let statement: Statement
        let predicate: LineagePredicate
        let signer: PublicKey
        do {
            (signer, statement, predicate) = try envelope.openLineage(trustedKeys: chain.keys(for: .sign), node: name)
        } catch {
            unverified[payloadDigest.hex] = file
            fail(file, error.description)
            return
        }
        var problems: [String] = []
        if name != payloadDigest.hex + BundleLayout.envelopeSuffix {
            problems.append("the file is named for payload '\(name)', but its payload digest is \(payloadDigest)")
        }
        let recorded = LineagePolicy.RecordedEnvelope(
            predicate: predicate, signer: signer, payloadDigest: payloadDigest)
        problems += LineagePolicy.continuityRefusals(of: recorded, in: root).map(\.reason)
        problems += LineagePolicy.trustRefusals(of: recorded, in: root).map(Self.finding)
        guard problems.isEmpty else {
            unverified[payloadDigest.hex] = file
            for problem in problems { fail(file, problem) }
            return
        }
        pass(
            file,
            "earlier run \(runID), node '\(predicate.node.displayName)': signed by \(signer.keyID.prefix(16))…, "
                + "\(statement.subjects.count) subject(s) reused by this run")
        verified[payloadDigest.hex] = Verified(
            file: file, payloadDigest: payloadDigest, statement: statement, predicate: predicate, signer: signer,
            bytes: bytes, externalRun: runID)
        report.verifiedEnvelopes += 1
    }
}

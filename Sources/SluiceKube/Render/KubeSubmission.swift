package import Foundation
import SluiceEngine
package import SluiceExpressions
package import SluiceGovernance
package import SluiceSpec

/// Rendering is the submission: the run's name and id are fixed, and the submission attestation is signed, before
/// the workflow ever reaches a cluster.
package enum KubeSubmission {
    /// The run facts of submitting `document` with `parameters`.
    ///
    /// The name is `metadata.name`, or `generateName` plus five characters derived from what is submitted (the
    /// workflow, parameters, submitting key and time), so that rendering twice with the same inputs gives the same
    /// workflow, and Argo refuses to create it twice. The run id is derived the same way (a version-8 UUID).
    ///
    /// With `adopting`, a submission attestation signed elsewhere (an event trigger, CI) is the run's submission
    /// instead (``RunGovernance/adopt``): it fixes the name and run id, and must be signed by a key the governance
    /// admits to submit and cover exactly this workflow, governance, parameters and templates.
    ///
    /// - Throws: ``KubeError/governance(reason:)`` for an invalid governance section,
    ///   ``KubeError/submissionRefused(reason:)`` when it does not admit a key or the adopted attestation,
    ///   ``KubeError/parameter(reason:)``.
    package static func facts(
        of document: WorkflowDocument, library: TemplateLibrary, overrides: [ParameterValue],
        submitterKey: SigningKey, lineageKey: PublicKey, submittedOn: Date, adopting submission: Envelope? = nil
    ) throws(KubeError) -> RunFacts {
        let parameters: [ParameterValue]
        let governanceDocument: GovernanceDocument
        let governanceJSON: CanonicalJSON
        do {
            parameters = try WorkflowEngine.resolveParameters(document.workflow.spec, overrides: overrides)
            governanceDocument = try RunGovernance.document(of: document)
            governanceJSON = try RunGovernance.json(of: document)
        } catch {
            if case .governanceSpec(let reason) = error { throw .governance(reason: reason) }
            throw .parameter(reason: error.description)
        }
        let parametersObject = CanonicalJSON.object(
            Dictionary(
                parameters.map { ($0.name, CanonicalJSON.string($0.value)) }, uniquingKeysWith: { _, last in last }))
        let workflowDigest = document.tree.canonicalJSON.digest
        let templates = SubmittedTemplates(document: document, library: library)
        let seed = Digest.sha256(
            utf8: [
                workflowDigest.hex, parametersObject.digest.hex, templates.digest.hex, submitterKey.publicKey.keyID,
                String(Int64(submittedOn.timeIntervalSince1970.rounded(.down))),
            ].joined(separator: "\n")
        ).bytes
        var name = runName(metadata: document.workflow.metadata, seed: seed)
        var runID = uuid(seed)
        let governance: RunGovernance
        do {
            if let submission {
                let adopted = try RunGovernance.adopt(
                    submission, document: governanceDocument, runKey: submitterKey.publicKey, lineageKey: lineageKey,
                    workflowDigest: workflowDigest, parametersDigest: parametersObject.digest,
                    templates: .init(digest: templates.digest))
                (governance, name, runID) = (
                    adopted.governance, adopted.attestation.workflowName, adopted.attestation.runID
                )
            } else {
                governance = try RunGovernance.admit(
                    document: governanceDocument, submitterKey: submitterKey, lineageKey: lineageKey, runID: runID,
                    workflowName: name, workflowDigest: workflowDigest, parametersDigest: parametersObject.digest,
                    templates: .init(digest: templates.digest), recorded: nil, now: submittedOn)
            }
        } catch {
            if case .submissionRefused(let reason) = error { throw .submissionRefused(reason: reason) }
            throw .submissionRefused(reason: error.description)
        }
        return RunFacts(
            runID: runID, workflowName: name, workflowDigest: workflowDigest, governance: governanceJSON,
            governanceDigest: governanceDocument.digest, constraintsDigest: governanceDocument.constraintsDigest,
            parameters: Dictionary(parameters.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last }),
            submission: governance.submission, submitterKey: governance.submitter.key, trustSlope: governance.slope)
    }

    /// Kubernetes' alphabet for generated names (no vowels, no look-alikes).
    private static let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")

    private static func runName(metadata: ObjectMeta, seed: [UInt8]) -> String {
        if let name = metadata.name, !name.isEmpty { return name }
        let suffix = seed.prefix(5).map { alphabet[Int($0) % alphabet.count] }
        return (metadata.generateName ?? "workflow-") + String(suffix)
    }

    private static func uuid(_ seed: [UInt8]) -> String {
        var bytes = Array(seed.prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x80  // version 8: custom
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 9562 variant
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let parts = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { range in
            String(
                hex[
                    hex.index(
                        hex.startIndex, offsetBy: range.lowerBound)..<hex.index(
                            hex.startIndex, offsetBy: range.upperBound)])
        }
        return parts.joined(separator: "-")
    }
}

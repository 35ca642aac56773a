package import Foundation

/// The submission attestation: the submitter's signature over what was submitted (the root of every trust slope;
/// predicateType `https://sluice.dev/attestation/submission/v0.1`).
///
/// Subjects `workflow`, `governance` and `parameters` carry the SHA-256 of the canonical JSON of the workflow
/// document, its governance section, and the resolved parameters; `templates` that of the object mapping every
/// template reached through `templateRef` to its content digest (absent in attestations made before templates were
/// covered); the predicate names the run and the submitter.
package struct SubmissionAttestation: Sendable, Equatable {
    /// The predicateType of submission statements.
    package static let predicateType = "https://sluice.dev/attestation/submission/v0.1"

    package var runID: String
    package var workflowName: String
    package var workflowDigest: Digest
    package var governanceDigest: Digest
    package var parametersDigest: Digest
    /// The digest of the referenced templates' manifest; nil in attestations that predate it.
    package var templatesDigest: Digest?
    /// The submitter's authority or delegation name.
    package var submitter: String
    package var submitterKeyID: String
    package var submittedOn: Date

    package init(
        runID: String, workflowName: String, workflowDigest: Digest, governanceDigest: Digest,
        parametersDigest: Digest, templatesDigest: Digest? = nil, submitter: String, submitterKeyID: String,
        submittedOn: Date
    ) {
        self.templatesDigest = templatesDigest
        self.runID = runID
        self.workflowName = workflowName
        self.workflowDigest = workflowDigest
        self.governanceDigest = governanceDigest
        self.parametersDigest = parametersDigest
        self.submitter = submitter
        self.submitterKeyID = submitterKeyID
        self.submittedOn = RFC3339.truncated(submittedOn)
    }

    /// The in-toto statement.
    package var statement: Statement {
        Statement(
            subjects: [
                Statement.Subject(name: "workflow", sha256: workflowDigest),
                Statement.Subject(name: "governance", sha256: governanceDigest),
                Statement.Subject(name: "parameters", sha256: parametersDigest),
            ] + (templatesDigest.map { [Statement.Subject(name: "templates", sha256: $0)] } ?? []),
            predicateType: Self.predicateType,
            predicate: [
                "runId": .string(runID),
                "workflowName": .string(workflowName),
                "submitter": ["name": .string(submitter), "keyid": .string(submitterKeyID)],
                "submittedOn": .string(RFC3339.format(submittedOn)),
            ])
    }

    /// Reads a verified envelope's statement back.
    ///
    /// - Throws: `GovernanceError.malformedAttestation` naming what is missing.
    package init(statement: Statement) throws(GovernanceError) {
        guard statement.predicateType == Self.predicateType else {
            throw .malformedAttestation(kind: "submission", reason: "predicateType is '\(statement.predicateType)'")
        }
        func subject(_ name: String) throws(GovernanceError) -> Digest {
            guard let hex = statement.subjects.first(where: { $0.name == name })?.digest["sha256"],
                let digest = try? Digest(hex: hex)
            else { throw .malformedAttestation(kind: "submission", reason: "subject '\(name)' is missing") }
            return digest
        }
        let predicate = statement.predicate
        guard let runID = predicate["runId"]?.stringValue, let name = predicate["workflowName"]?.stringValue,
            let submitter = predicate["submitter"]?["name"]?.stringValue,
            let keyID = predicate["submitter"]?["keyid"]?.stringValue,
            let date = predicate["submittedOn"]?.stringValue.flatMap(RFC3339.parse)
        else {
            throw .malformedAttestation(
                kind: "submission", reason: "predicate needs runId, workflowName, submitter.name/keyid, submittedOn")
        }
        let templates = statement.subjects.contains { $0.name == "templates" } ? try subject("templates") : nil
        self.init(
            runID: runID, workflowName: name, workflowDigest: try subject("workflow"),
            governanceDigest: try subject("governance"), parametersDigest: try subject("parameters"),
            templatesDigest: templates, submitter: submitter, submitterKeyID: keyID, submittedOn: date)
    }

    /// Signs this attestation.
    package func signed(with key: SigningKey) -> Envelope { statement.signed(with: key) }
}

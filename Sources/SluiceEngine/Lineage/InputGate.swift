package import Foundation
package import SluiceGovernance
package import SluiceStore

/// Why the gate refused a node: which input and which check.
package struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
    package var node: String
    package var input: String
    package var check: String
    package var reason: String

    package var description: String { "node '\(node)' refused: input '\(input)': \(reason)" }
}

/// Verifies every input of a node before it runs: the upstream envelope (recorded digest, signature by a trusted
/// key, same run and workflow), and the input bytes re-hashed by the engine against the signed subject.
package struct InputGate: Sendable {
    package let store: Store
    package let verifier: LineageVerifier

    /// Checks all inputs; returns the lineage entries for the node's own envelope, or the first refusal.
    package func admit(
        node: String, artifacts: [ResolvedArtifact], origins: Set<ParameterOrigin>, parameterValues: [String: String]
    ) -> Result<[LineagePredicate.Input], Refusal> {
        var lineage: [LineagePredicate.Input] = []
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
                return .failure(Refusal(node: node, input: artifact.name, check: "artifact-readable",
                                        reason: "cannot read the stored artifact: \(error.description)"))
            }
            guard let producer = reference.producerNodeID else {
                // A `raw` artifact: its content is part of the submitted workflow; check it was not altered.
                guard actual.hex == reference.digest else {
                    return .failure(Refusal(
                        node: node, input: artifact.name, check: "artifact-digest",
                        reason: "raw artifact digest sha256:\(reference.digest) does not match the stored "
                            + "bytes' \(actual)"))
                }
                lineage.append(.init(name: artifact.name, kind: .artifact, digest: [algorithm: actual.hex]))
                continue
            }
            let producerName = reference.producerDisplayName ?? producer
            switch verifiedEnvelope(node: node, input: artifact.name, producer: producer, producerName: producerName,
                                    envelopeDigest: reference.envelopeDigest,
                                    subject: "outputs/artifacts/\(reference.name)", actual: actual,
                                    algorithm: algorithm)
            {
            case .failure(let refusal): return .failure(refusal)
            case .success(let payloadDigest):
                lineage.append(.init(
                    name: artifact.name, kind: .artifact, digest: [algorithm: actual.hex], producerNode: producer,
                    subjectName: "outputs/artifacts/\(reference.name)", envelopePayloadDigest: payloadDigest))
            }
        }
        for origin in origins.sorted(by: { ($0.nodeID, $0.subjectName) < ($1.nodeID, $1.subjectName) }) {
            guard let value = parameterValues["\(origin.nodeID)|\(origin.subjectName)"] else { continue }
            let actual = Digest.sha256(Array(value.utf8))
            let inputName = "\(origin.nodeDisplayName).\(origin.subjectName)"
            switch verifiedEnvelope(node: node, input: inputName, producer: origin.nodeID,
                                    producerName: origin.nodeDisplayName, envelopeDigest: origin.envelopeDigest,
                                    subject: origin.subjectName, actual: actual, algorithm: "sha256")
            {
            case .failure(let refusal): return .failure(refusal)
            case .success(let payloadDigest):
                lineage.append(.init(
                    name: inputName, kind: .parameter, digest: ["sha256": actual.hex], producerNode: origin.nodeID,
                    subjectName: origin.subjectName, envelopePayloadDigest: payloadDigest))
            }
        }
        return .success(lineage)
    }

    private func verifiedEnvelope(
        node: String, input: String, producer: String, producerName: String, envelopeDigest: String?,
        subject: String, actual: Digest, algorithm: String
    ) -> Result<Digest, Refusal> {
        guard let envelopeDigest, let recorded = try? Digest(hex: envelopeDigest) else {
            return .failure(Refusal(node: node, input: input, check: "envelope-missing",
                                    reason: "producer '\(producerName)' has no lineage envelope"))
        }
        let record: EnvelopeRecord?
        do {
            record = try store.envelope(payloadDigest: envelopeDigest)
        } catch {
            return .failure(Refusal(node: node, input: input, check: "envelope-missing",
                                    reason: "cannot read the envelope of '\(producerName)': \(error.description)"))
        }
        guard let record else {
            return .failure(Refusal(node: node, input: input, check: "envelope-missing",
                                    reason: "the envelope sha256:\(envelopeDigest) of '\(producerName)' is not in the store"))
        }
        if let revoked = revocation(envelopeDigest: envelopeDigest, keyID: record.keyID) {
            return .failure(Refusal(node: node, input: input, check: "revoked", reason: revoked))
        }
        do {
            let verified = try verifier.verifyInput(
                envelope: [UInt8](record.envelopeJSON), recordedPayloadDigest: recorded, producerNode: producer,
                subjectName: subject, actualDigest: actual, digestAlgorithm: algorithm)
            return .success(verified.payloadDigest)
        } catch {
            return .failure(Refusal(node: node, input: input, check: error.checkName,
                                    reason: "\(error.description) (producer '\(producerName)')"))
        }
    }

    /// A revocation that applies, read fresh at each gate so revocations made during the run take effect.
    ///
    /// Fails closed: when the revocations cannot be read, the input is refused rather than admitted unchecked.
    private func revocation(envelopeDigest: String, keyID: String) -> String? {
        let revocations: [RevocationRecord]
        do {
            revocations = try store.revocations()
        } catch {
            return "cannot read the revocations, so envelope sha256:\(envelopeDigest) cannot be admitted: "
                + error.description
        }
        for revocation in revocations {
            if revocation.kind == "envelope" && revocation.value == envelopeDigest {
                return "envelope sha256:\(envelopeDigest) is revoked: \(revocation.reason)"
            }
            if revocation.kind == "key" && revocation.value == keyID {
                return "signing key \(keyID) is revoked: \(revocation.reason)"
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
        case .untrustedKey, .signerMismatch: "signature-trust"
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

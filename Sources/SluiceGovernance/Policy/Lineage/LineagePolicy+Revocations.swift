extension LineagePolicy {
    /// The revocation that applies to an envelope (by payload digest, hex) or any of `keyIDs`, as a sentence, or
    /// nil: the governance's own revocations first, then the list in force.
    ///
    /// Fails closed: when the list could not be read, the sentence says so and the caller refuses.
    func revocation(envelopeDigest: String?, keyIDs: [String], in revocations: Revocations) -> String? {
        if let envelopeDigest, let inline = governance.revocation(envelopeDigest: envelopeDigest) {
            return "envelope sha256:\(envelopeDigest) is revoked by the workflow's governance: \(inline.reason)"
        }
        for keyID in keyIDs {
            if let inline = governance.revocation(keyID: keyID) {
                return "key \(keyID) is revoked by the workflow's governance: \(inline.reason)"
            }
        }
        switch revocations {
        case .unreadable(let reason):
            return "cannot read the revocations, so the input cannot be admitted: " + reason
        case .listed(let entries):
            for entry in entries {
                if entry.kind == .envelope && entry.value == envelopeDigest {
                    return "envelope sha256:\(entry.value) is revoked: \(entry.reason)"
                }
                if entry.kind == .key && keyIDs.contains(entry.value) {
                    return "signing key \(entry.value) is revoked: \(entry.reason)"
                }
            }
            return nil
        }
    }
}

extension GovernanceError {
    /// The name of the check an envelope failed, recorded with each denial (`signature`, `chain-continuity`, …).
    package var checkName: String {
        switch self {
        case .badSignature, .noSignatures: "signature"
        case .untrustedKey, .signerMismatch, .keyNotAdmitted: "signature-trust"
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

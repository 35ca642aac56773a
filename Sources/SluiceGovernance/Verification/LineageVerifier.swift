/// The per-input gate: decides whether an upstream envelope vouches for the exact bytes a node is about to consume.
///
/// The engine gathers the facts (envelope bytes and payload digest from the store, the digest it just recomputed
/// from the artifact or parameter) and calls `verifyInput` once per input; this type only decides. Checks run in a
/// fixed order and the first failure is thrown (fail closed): envelope JSON → signature by a trusted key →
/// payloadType → statement `_type` → predicateType → predicate shape → signer named in the predicate is the
/// verifying key → run → workflow spec → producer node → subject present, unique, and equal to the recomputed
/// digest → payload digest equal to the one recorded when the producer ran (content checks come first so a
/// replayed envelope is named for what it is).
///
/// ```swift
/// let gate = LineageVerifier(trustedKeys: [runKey.publicKey], runID: run.id, workflowSpecDigest: specDigest)
/// let lineage = try gate.verifyInput(envelope: bytes, recordedPayloadDigest: recorded,
///                                    producerNode: "train", subjectName: "outputs/artifacts/model",
///                                    actualDigest: try Digest.sha256(fileAt: modelPath))
/// ```
package struct LineageVerifier: Sendable {
    /// Keys whose signatures are accepted.
    package var trustedKeys: [PublicKey]
    /// The run every upstream envelope must belong to.
    package var runID: String
    /// The workflow spec digest every upstream envelope must carry.
    package var workflowSpecDigest: Digest

    /// Creates a gate for one run.
    package init(trustedKeys: [PublicKey], runID: String, workflowSpecDigest: Digest) {
        self.trustedKeys = trustedKeys
        self.runID = runID
        self.workflowSpecDigest = workflowSpecDigest
    }

    /// What a successful check established; everything here comes from the verified payload bytes.
    package struct VerifiedInput: Sendable, Equatable {
        /// The verified statement.
        package var statement: Statement
        /// Its lineage predicate.
        package var predicate: LineagePredicate
        /// The subject that matched.
        package var subject: Statement.Subject
        /// The trusted key whose signature verified.
        package var signer: PublicKey
        /// SHA-256 of the verified payload bytes (equal to the recorded digest).
        package var payloadDigest: Digest
    }

    /// Verifies one input against its upstream envelope.
    ///
    /// - Parameters:
    ///   - envelope: the upstream envelope's JSON bytes, as stored.
    ///   - recordedPayloadDigest: the payload digest recorded when the producer's envelope was stored.
    ///   - producerNode: the node id the consumer expects to have produced the input.
    ///   - subjectName: the subject to match, e.g. `outputs/artifacts/model` or `outputs/parameters/count`.
    ///   - actualDigest: the digest the engine just recomputed from the bytes to be consumed.
    ///   - digestAlgorithm: the digest-set key `actualDigest` corresponds to: `sha256` (files, parameter values)
    ///     or `dirHash` (directories hashed with ``Digest/directoryHash(at:)``).
    /// - Returns: the verified statement, predicate, matched subject and signer.
    /// - Throws: `GovernanceError` naming the failed check with expected and actual values: `.malformedEnvelope`,
    ///   `.envelopeDigestMismatch`, `.noSignatures`, `.badSignature`, `.untrustedKey`, `.payloadTypeMismatch`,
    ///   `.malformedStatement`, `.statementTypeMismatch`, `.predicateTypeMismatch`, `.malformedPredicate`,
    ///   `.signerMismatch`, `.runMismatch`, `.workflowSpecMismatch`, `.producerNodeMismatch`, `.subjectMissing`,
    ///   `.subjectAmbiguous`, `.subjectDigestMissing`, `.subjectDigestMismatch`.
    package func verifyInput(
        envelope bytes: [UInt8],
        recordedPayloadDigest: Digest,
        producerNode: String,
        subjectName: String,
        actualDigest: Digest,
        digestAlgorithm: String = "sha256"
    ) throws(GovernanceError) -> VerifiedInput {
        try verifySubject(
            of: try verifyEnvelope(bytes, producerNode: producerNode), recordedPayloadDigest: recordedPayloadDigest,
            producerNode: producerNode, subjectName: subjectName, actualDigest: actualDigest,
            digestAlgorithm: digestAlgorithm)
    }

    /// An upstream envelope whose signature, statement and predicate passed the checks that do not depend on
    /// which of its subjects an input consumes.
    package struct VerifiedEnvelope: Sendable, Equatable {
        /// The verified statement.
        package var statement: Statement
        /// Its lineage predicate.
        package var predicate: LineagePredicate
        /// The trusted key whose signature verified.
        package var signer: PublicKey
        /// SHA-256 of the verified payload bytes.
        package var payloadDigest: Digest
    }

    /// The first half of `verifyInput`: envelope JSON, signature by a trusted key, payloadType, statement,
    /// predicate, signer, run, workflow spec and producer node, in that order.
    ///
    /// A node consuming several subjects of one envelope verifies it once per gate, then calls `verifySubject`
    /// per input.
    /// - Throws: `GovernanceError`, as `verifyInput` names them.
    package func verifyEnvelope(_ bytes: [UInt8], producerNode: String) throws(GovernanceError) -> VerifiedEnvelope {
        let envelope = try Envelope(jsonBytes: bytes)
        let payloadDigest = envelope.payloadDigest
        let (signer, statement, predicate) = try envelope.openLineage(trustedKeys: trustedKeys, node: producerNode)

        let claimedSigner = predicate.producer.signer
        guard claimedSigner.keyID == signer.keyID else {
            throw .signerMismatch(claimed: claimedSigner.keyID, actual: signer.keyID)
        }
        guard claimedSigner.publicKeyDigest == signer.spkiDigest else {
            throw .signerMismatch(
                claimed: claimedSigner.publicKeyDigest.description, actual: signer.spkiDigest.description)
        }
        guard Self.same(predicate.workflow.runID, runID) else {
            throw .runMismatch(expected: runID, actual: predicate.workflow.runID)
        }
        guard predicate.workflow.specDigest == workflowSpecDigest else {
            throw .workflowSpecMismatch(expected: workflowSpecDigest, actual: predicate.workflow.specDigest)
        }
        guard Self.same(predicate.node.id, producerNode) else {
            throw .producerNodeMismatch(expected: producerNode, actual: predicate.node.id)
        }
        return VerifiedEnvelope(
            statement: statement, predicate: predicate, signer: signer, payloadDigest: payloadDigest)
    }

    /// The second half of `verifyInput`: the subject is present, unique and equal to the recomputed digest, then
    /// the payload digest is the one recorded when the producer ran.
    /// - Throws: `GovernanceError`: `.subjectMissing`, `.subjectAmbiguous`, `.subjectDigestMissing`,
    ///   `.malformedStatement`, `.subjectDigestMismatch`, `.envelopeDigestMismatch`.
    package func verifySubject(
        of envelope: VerifiedEnvelope,
        recordedPayloadDigest: Digest,
        producerNode: String,
        subjectName: String,
        actualDigest: Digest,
        digestAlgorithm: String = "sha256"
    ) throws(GovernanceError) -> VerifiedInput {
        let matches = envelope.statement.subjects.filter { Self.same($0.name, subjectName) }
        guard let subject = matches.first else { throw .subjectMissing(name: subjectName, node: producerNode) }
        guard matches.count == 1 else { throw .subjectAmbiguous(name: subjectName, count: matches.count) }
        guard let claimedHex = subject.digest[digestAlgorithm] else {
            throw .subjectDigestMissing(name: subjectName, algorithm: digestAlgorithm)
        }
        guard let claimed = try? Digest(hex: claimedHex) else {
            throw .malformedStatement(
                reason: "subject '\(subjectName)' digest '\(claimedHex)' is not 64 lowercase hex characters")
        }
        guard claimed == actualDigest else {
            throw .subjectDigestMismatch(name: subjectName, expected: claimed, actual: actualDigest)
        }
        // Last: a valid envelope of the right node may still be another attempt's (a replay of an earlier one).
        guard envelope.payloadDigest == recordedPayloadDigest else {
            throw .envelopeDigestMismatch(expected: recordedPayloadDigest, actual: envelope.payloadDigest)
        }
        return VerifiedInput(
            statement: envelope.statement,
            predicate: envelope.predicate,
            subject: subject,
            signer: envelope.signer,
            payloadDigest: envelope.payloadDigest
        )
    }

    /// Byte-wise string equality: Swift's `==` would equate canonically equivalent but different names.
    private static func same(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.elementsEqual(rhs.utf8)
    }
}

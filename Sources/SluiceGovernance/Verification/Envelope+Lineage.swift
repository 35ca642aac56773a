extension Envelope {
    /// What a lineage envelope says, once its signature by one of `trustedKeys` verifies: the signing key, the
    /// statement, and its lineage predicate.
    ///
    /// Checks, in order: the signature (``verify(trustedKeys:node:)``), the payloadType, the statement, the
    /// predicateType, and the predicate's shape; the first failure is thrown.
    package func openLineage(trustedKeys: [PublicKey], node: String? = nil) throws(GovernanceError)
        -> (signer: PublicKey, statement: Statement, predicate: LineagePredicate)
    {
        let signer = try verify(trustedKeys: trustedKeys, node: node)
        guard payloadType == Envelope.inTotoPayloadType else {
            throw .payloadTypeMismatch(expected: Envelope.inTotoPayloadType, actual: payloadType)
        }
        let statement = try Statement(payloadBytes: payload)
        guard statement.predicateType == LineagePredicate.type else {
            throw .predicateTypeMismatch(expected: LineagePredicate.type, actual: statement.predicateType)
        }
        return (signer, statement, try LineagePredicate(json: statement.predicate))
    }
}

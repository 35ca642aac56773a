package import SluiceGovernance

/// What every pod of a rendered run must know about the run: its identity, what was submitted, and the trust
/// slope its envelopes carry.
///
/// Rendered into the signer's arguments (canonical JSON), so that the signer, not the user's container, fills in
/// the identity fields of every envelope; the signer hands them to the wrapper when its session opens, for the gate.
package struct RunFacts: Sendable, Equatable {
    package var runID: String
    package var workflowName: String
    /// SHA-256 of the canonical JSON of the submitted Workflow document (as `sluice run` digests it).
    package var workflowDigest: Digest
    /// The governance section as canonical JSON (`null` when the workflow has none).
    package var governance: CanonicalJSON
    package var governanceDigest: Digest
    package var constraintsDigest: Digest
    /// The resolved workflow arguments.
    package var parameters: [String: String]
    /// The signed submission attestation: the root of every trust slope.
    package var submission: Envelope
    /// The key that signed it (the implicit authority `run-key` when the governance lists none).
    package var submitterKey: PublicKey
    /// The slope every envelope of the run carries, root first, ending at the lineage key.
    package var trustSlope: [LineagePredicate.TrustHop]

    package init(
        runID: String, workflowName: String, workflowDigest: Digest, governance: CanonicalJSON,
        governanceDigest: Digest, constraintsDigest: Digest, parameters: [String: String],
        submission: Envelope, submitterKey: PublicKey, trustSlope: [LineagePredicate.TrustHop]
    ) {
        self.submitterKey = submitterKey
        self.runID = runID
        self.workflowName = workflowName
        self.workflowDigest = workflowDigest
        self.governance = governance
        self.governanceDigest = governanceDigest
        self.constraintsDigest = constraintsDigest
        self.parameters = parameters
        self.submission = submission
        self.trustSlope = trustSlope
    }

    /// The canonical JSON form.
    package var json: CanonicalJSON {
        let submissionJSON = (try? CanonicalJSON(parsing: submission.jsonBytes())) ?? .null
        return [
            "runId": .string(runID),
            "workflowName": .string(workflowName),
            "workflowDigest": .string(workflowDigest.description),
            "governance": governance,
            "governanceDigest": .string(governanceDigest.description),
            "constraintsDigest": .string(constraintsDigest.description),
            "parameters": .object(parameters.mapValues { .string($0) }),
            "submission": submissionJSON,
            "submitterKey": .string(submitterKey.hex),
            "trustSlope": .array(
                trustSlope.map { hop in
                    [
                        "authority": .string(hop.authority), "keyid": .string(hop.keyID), "role": .string(hop.role),
                        "attestation": .string(hop.attestation.description),
                    ]
                }),
        ]
    }

    /// Reads the canonical JSON form back.
    ///
    /// - Throws: ``KubeError/badOption(option:reason:)`` naming the first member missing or malformed.
    package init(json: CanonicalJSON) throws(KubeError) {
        func string(_ key: String) throws(KubeError) -> String {
            guard let value = json[key]?.stringValue else {
                throw .badOption(option: "run facts", reason: "'\(key)' is missing")
            }
            return value
        }
        func digest(_ text: String, _ key: String) throws(KubeError) -> Digest {
            guard text.hasPrefix("sha256:"), let digest = try? Digest(hex: String(text.dropFirst(7))) else {
                throw .badOption(option: "run facts", reason: "'\(key)' is not sha256:<hex>")
            }
            return digest
        }
        guard let submissionJSON = json["submission"], !submissionJSON.isNull,
            let submission = try? Envelope(jsonBytes: submissionJSON.bytes)
        else { throw .badOption(option: "run facts", reason: "'submission' is not a DSSE envelope") }
        var hops: [LineagePredicate.TrustHop] = []
        for hop in json["trustSlope"]?.arrayValue ?? [] {
            guard let authority = hop["authority"]?.stringValue, let keyID = hop["keyid"]?.stringValue,
                let role = hop["role"]?.stringValue, let attestation = hop["attestation"]?.stringValue
            else { throw .badOption(option: "run facts", reason: "a trustSlope hop is malformed") }
            hops.append(
                .init(
                    authority: authority, keyID: keyID, role: role,
                    attestation: try digest(attestation, "trustSlope.attestation")))
        }
        guard let keyHex = json["submitterKey"]?.stringValue, let submitterKey = try? PublicKey(hex: keyHex) else {
            throw .badOption(option: "run facts", reason: "'submitterKey' is not a public key")
        }
        guard hops.count >= 2 else {
            throw .badOption(option: "run facts", reason: "'trustSlope' has fewer than 2 hops")
        }
        var parameters: [String: String] = [:]
        for (name, value) in json["parameters"]?.objectValue ?? [:] {
            guard let text = value.stringValue else {
                throw .badOption(option: "run facts", reason: "parameter '\(name)' is not a string")
            }
            parameters[name] = text
        }
        self.init(
            runID: try string("runId"), workflowName: try string("workflowName"),
            workflowDigest: try digest(try string("workflowDigest"), "workflowDigest"),
            governance: json["governance"] ?? .null,
            governanceDigest: try digest(try string("governanceDigest"), "governanceDigest"),
            constraintsDigest: try digest(try string("constraintsDigest"), "constraintsDigest"),
            parameters: parameters, submission: submission, submitterKey: submitterKey, trustSlope: hops)
    }
}

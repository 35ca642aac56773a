import Foundation
package import SluiceGovernance

/// Deterministic keys and lineage values for tests of any module that signs or verifies envelopes.
package enum GovernanceFixtures {
    /// A signing key derived from a seed of 32 copies of `seedByte`: the same byte always gives the same key.
    package static func signingKey(seedByte: UInt8) -> SigningKey {
        guard let key = try? SigningKey(seed: [UInt8](repeating: seedByte, count: 32)) else {
            preconditionFailure("a 32-byte seed always yields a key")
        }
        return key
    }

    /// The digest of `text` as a stand-in workflow spec digest.
    package static func specDigest(_ text: String = "spec") -> Digest {
        .sha256(utf8: text)
    }

    /// A complete lineage predicate for node `nodeID` of run `runID`, signed (in its signer field) by `signer`.
    ///
    /// Timing is fixed at 2026-01-01T00:00:00Z → 00:00:05Z so payload bytes are reproducible.
    package static func lineagePredicate(
        runID: String = "run-1",
        nodeID: String = "train",
        specDigest: Digest = specDigest(),
        signer: PublicKey,
        inputs: [LineagePredicate.Input] = []
    ) -> LineagePredicate {
        LineagePredicate(
            workflow: .init(name: "pipeline", runID: runID, specDigest: specDigest),
            node: .init(id: nodeID, name: "pipeline.\(nodeID)", templateName: nodeID, displayName: nodeID, attempt: 1),
            invocationID: "\(runID)/\(nodeID)/1",
            producer: .init(
                id: "https://sluice.dev/engine/local",
                version: "0.1.0",
                runtime: "process",
                command: ["/bin/sh", "-c", "echo \(nodeID)"],
                image: nil,
                signer: .init(key: signer)
            ),
            governance: .init(
                specDigest: CanonicalJSON.null.digest, constraintsDigest: CanonicalJSON.object([:]).digest),
            inputs: inputs,
            trustSlope: [
                .init(
                    authority: "run-key", keyID: signer.keyID, role: "submit", attestation: .sha256(utf8: "submission")),
                .init(
                    authority: "run-key", keyID: signer.keyID, role: "sign", attestation: .sha256(utf8: "submission")),
            ],
            timing: .init(
                startedOn: Date(timeIntervalSince1970: 1_767_225_600),
                finishedOn: Date(timeIntervalSince1970: 1_767_225_605)
            )
        )
    }

    /// A lineage statement over `subjects` with `predicate`, signed by `key`.
    package static func signedLineage(
        subjects: [Statement.Subject],
        predicate: LineagePredicate,
        key: SigningKey
    ) -> Envelope {
        Statement(subjects: subjects, predicateType: LineagePredicate.type, predicate: predicate.json).signed(with: key)
    }
}

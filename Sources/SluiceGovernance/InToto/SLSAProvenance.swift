package import SluiceExpressions

/// An SLSA Provenance v1 statement (`https://slsa.dev/provenance/v1`) derived from a node's lineage statement, for
/// tools that read SLSA rather than Sluice's lineage predicate.
///
/// It is a projection, not a second source of truth: every field comes from the lineage statement (subjects,
/// predicate) and its payload digest, plus the run's resolved workflow parameters (which the run's submission
/// attestation covers), so the same inputs always give the same bytes and a verifier can regenerate and compare it.
///
/// What it does not claim: SLSA Build levels (the builder is the local engine, not a hardened build service; the
/// signing key is the run's lineage key, held by whoever ran it); that the build is hermetic or reproducible;
/// anything about the governance, the trust slope or the upstream envelopes behind `resolvedDependencies` (those are
/// in the lineage envelope named under `byproducts`, which is the statement to verify for them).
package enum SLSAProvenance {
    /// The predicateType of SLSA Provenance v1.
    package static let predicateType = "https://slsa.dev/provenance/v1"
    /// The buildType: one Argo template run as a node by Sluice.
    package static let buildType = "https://sluice.dev/buildtypes/argo-node/v1"
    /// The mediaType of the lineage statement named under `byproducts`.
    package static let lineageMediaType = "application/vnd.in-toto+json"

    /// The SLSA statement for a node whose lineage statement is `lineage` (with payload digest
    /// `lineagePayloadDigest`).
    ///
    /// - Parameters:
    ///   - lineage: the lineage statement (its subjects become the SLSA subjects).
    ///   - predicate: `lineage`'s predicate, parsed.
    ///   - lineagePayloadDigest: SHA-256 of the lineage envelope's payload.
    ///   - workflowParameters: the run's resolved workflow parameters (`parameters.json`).
    package static func statement(
        lineage: Statement, predicate: LineagePredicate, lineagePayloadDigest: Digest,
        workflowParameters: [ParameterValue]
    ) -> Statement {
        var internalParameters: [String: CanonicalJSON] = [
            "runtime": .string(predicate.producer.runtime),
            "command": .array(predicate.producer.command.map { .string($0) }),
        ]
        if let image = predicate.producer.image { internalParameters["image"] = .string(image) }
        let dependencies: [CanonicalJSON] = predicate.inputs.map { input in
            var digest = input.digest
            var descriptor: [String: CanonicalJSON] = ["name": .string(input.name)]
            if let origin = input.origin {
                if let commit = origin.commit {
                    descriptor["uri"] = .string("git+\(origin.uri)@\(commit)")
                    digest["gitCommit"] = commit
                } else {
                    descriptor["uri"] = .string(origin.uri)
                }
            }
            descriptor["digest"] = .object(digest.mapValues { .string($0) })
            return .object(descriptor)
        }
        let predicateJSON: CanonicalJSON = [
            "buildDefinition": [
                "buildType": .string(buildType),
                "externalParameters": [
                    "workflow": .string(predicate.workflow.name),
                    "template": .string(predicate.node.templateName),
                    "node": .string(predicate.node.name),
                    "parameters": .object(
                        Dictionary(
                            workflowParameters.map { ($0.name, CanonicalJSON.string($0.value)) },
                            uniquingKeysWith: { _, last in last })),
                ],
                "internalParameters": .object(internalParameters),
                "resolvedDependencies": .array(dependencies),
            ],
            "runDetails": [
                "builder": [
                    "id": .string(predicate.producer.id),
                    "version": ["sluice": .string(predicate.producer.version)],
                ],
                "metadata": [
                    "invocationId": .string(predicate.invocationID),
                    "startedOn": .string(RFC3339.format(predicate.timing.startedOn)),
                    "finishedOn": .string(RFC3339.format(predicate.timing.finishedOn)),
                ],
                "byproducts": [
                    [
                        "name": "lineage",
                        "digest": .object(lineagePayloadDigest.digestSet.mapValues { .string($0) }),
                        "mediaType": .string(lineageMediaType),
                        "annotations": ["predicateType": .string(LineagePredicate.type)],
                    ]
                ],
            ],
        ]
        return Statement(subjects: lineage.subjects, predicateType: predicateType, predicate: predicateJSON)
    }
}

package import SluiceGovernance
package import SluicePlan

/// An input artifact resolved to stored bytes, ready to be verified and bound into the node.
package struct ResolvedArtifact: Sendable {
    package var name: String
    package var path: String?
    package var reference: ArtifactReference
    /// Where it came from: the `from` reference, the `fromExpression`, an `http` URL or `git+REPO@COMMIT`.
    package var from: String?
    /// `subPath`: the file or directory inside a directory artifact that the node gets at `path` (relative, already
    /// checked to exist); the gate still verifies the whole artifact.
    package var subPath: String? = nil
    /// For an `http` or `git` artifact, what the lineage records as its origin.
    package var fetchedFrom: LineagePredicate.Input.Origin? = nil
    /// For a `raw` artifact, what its rendered data was derived from.
    package var provenance: Set<ValueSource> = []

    package init(
        name: String, path: String?, reference: ArtifactReference, from: String?, subPath: String? = nil,
        fetchedFrom: LineagePredicate.Input.Origin? = nil, provenance: Set<ValueSource> = []
    ) {
        self.name = name
        self.path = path
        self.reference = reference
        self.from = from
        self.subPath = subPath
        self.fetchedFrom = fetchedFrom
        self.provenance = provenance
    }
}

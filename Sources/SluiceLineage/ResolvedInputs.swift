package import SluiceExpressions
package import SluiceGovernance
package import SluicePlan

extension UnsignedInput {
    /// The unsigned input `source` contributes to the value of input `name`, or nil for a node output.
    package init?(name: String, kind: LineagePredicate.Input.Kind, source: ValueSource, digest: String) {
        let sourceName: String
        switch source {
        case .output: return nil
        case .argument(let argument): sourceName = argument
        case .resume(let node, let parameter), .skippedDefault(let node, _, let parameter):
            sourceName = "\(node).\(parameter)"
        }
        self.init(name: name, kind: kind, source: source.kind, sourceName: sourceName, digest: digest)
    }
}

/// A node's inputs after rendering: values, artifacts and where upstream values came from.
package struct ResolvedInputs: Sendable {
    package init() {}

    package var parameters: [ParameterValue] = []
    package var artifacts: [ResolvedArtifact] = []
    /// Every node output the values were derived from (verified by the gate against their producers' envelopes).
    package var origins: Set<ParameterOrigin> = []
    /// What each input parameter's value was derived from, by parameter name (empty: a literal).
    package var provenance: [String: Set<ValueSource>] = [:]
}

extension ResolvedInputs {
    /// Every unsigned input among the node's values: per input parameter, a literal when it was derived from
    /// nothing, else one per source that is not a node output; per `raw` artifact, the sources of its data.
    package var unsigned: [UnsignedInput] {
        var found: [UnsignedInput] = []
        for parameter in parameters {
            let digest = Digest.sha256(Array(parameter.value.utf8)).hex
            let sources = provenance[parameter.name] ?? []
            if sources.isEmpty {
                found.append(
                    UnsignedInput(
                        name: parameter.name, kind: .parameter, source: UnsignedInput.literal,
                        sourceName: nil, digest: digest))
            }
            for source in sources.sorted(by: { $0.sortKey < $1.sortKey }) {
                if let input = UnsignedInput(name: parameter.name, kind: .parameter, source: source, digest: digest) {
                    found.append(input)
                }
            }
        }
        for artifact in artifacts {
            for source in artifact.provenance.sorted(by: { $0.sortKey < $1.sortKey }) {
                if let input = UnsignedInput(
                    name: artifact.name, kind: .artifact, source: source,
                    digest: artifact.reference.digest)
                {
                    found.append(input)
                }
            }
        }
        return found
    }
}

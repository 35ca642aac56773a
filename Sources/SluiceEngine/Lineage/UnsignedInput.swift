package import SluiceGovernance

/// A value a node consumes that no node signed: a literal of the submitted workflow, a workflow argument, a value
/// supplied on `sluice resume`, or the default of an output of a node that did not run.
///
/// It is an input of its own kind: recorded in the node's lineage with its source, visible to `require` as an
/// element of `inputs` (so `all(inputs, …)` is never vacuously true), and refused by an `inputs` rule unless the
/// rule's `fromParameters` names it (literals excepted).
package struct UnsignedInput: Sendable, Hashable {
    /// The `source` of a literal.
    package static let literal = "literal"

    /// The consuming input's name (an input parameter or artifact of the template, or the variable a field read).
    package var name: String
    package var kind: LineagePredicate.Input.Kind
    /// `literal`, `argument`, `resume` or `default`.
    package var source: String
    /// The workflow argument's name, or `NODE.PARAMETER` of a resume value or default; nil for a literal.
    package var sourceName: String?
    /// sha256 (hex) of the consumed value.
    package var digest: String

    /// The unsigned input `source` contributes to the value of input `name`, or nil for a node output.
    init?(name: String, kind: LineagePredicate.Input.Kind, source: ValueSource, digest: String) {
        self.name = name
        self.kind = kind
        self.digest = digest
        self.source = source.kind
        switch source {
        case .output: return nil
        case .argument(let argument): sourceName = argument
        case .resume(let node, let parameter), .skippedDefault(let node, _, let parameter):
            sourceName = "\(node).\(parameter)"
        }
    }

    /// An entry as recorded in a lineage predicate.
    init(name: String, kind: LineagePredicate.Input.Kind, source: String, sourceName: String?, digest: String) {
        self.name = name
        self.kind = kind
        self.source = source
        self.sourceName = sourceName
        self.digest = digest
    }

    /// The recorded form of a lineage entry that names a source, or nil for other entries.
    init?(_ input: LineagePredicate.Input) {
        guard let source = input.source, input.producerNode == nil else { return nil }
        self.init(name: input.name, kind: input.kind, source: source.kind, sourceName: source.name,
                  digest: input.digest["sha256"] ?? input.digest.values.first ?? "")
    }

    /// The lineage entry the node's envelope records for it.
    var lineage: LineagePredicate.Input {
        .init(name: name, kind: kind, digest: ["sha256": digest],
              source: .init(kind: source, name: sourceName))
    }

    /// What it is, for refusals: "it is workflow argument 'env'".
    var sourceDescription: String {
        let name = sourceName ?? "?"
        switch source {
        case "argument": return "it is workflow argument '\(name)'"
        case "resume": return "it was supplied on resume for '\(name)'"
        case "default": return "it is the default of '\(name)' (its node did not run)"
        default: return "it is a \(source) value"
        }
    }
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
                found.append(UnsignedInput(name: parameter.name, kind: .parameter, source: UnsignedInput.literal,
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
                if let input = UnsignedInput(name: artifact.name, kind: .artifact, source: source,
                                             digest: artifact.reference.digest)
                {
                    found.append(input)
                }
            }
        }
        return found
    }
}

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

    /// An entry as recorded in a lineage predicate.
    package init(name: String, kind: LineagePredicate.Input.Kind, source: String, sourceName: String?, digest: String) {
        self.name = name
        self.kind = kind
        self.source = source
        self.sourceName = sourceName
        self.digest = digest
    }

    /// The recorded form of a lineage entry that names a source, or nil for other entries.
    package init?(_ input: LineagePredicate.Input) {
        guard let source = input.source, input.producerNode == nil else { return nil }
        self.init(
            name: input.name, kind: input.kind, source: source.kind, sourceName: source.name,
            digest: input.digest["sha256"] ?? input.digest.values.first ?? "")
    }

    /// The lineage entry the node's envelope records for it.
    package var lineage: LineagePredicate.Input {
        .init(
            name: name, kind: kind, digest: ["sha256": digest],
            source: .init(kind: source, name: sourceName))
    }

    /// What it is, for refusals: "it is workflow argument 'env'".
    package var sourceDescription: String {
        let name = sourceName ?? "?"
        switch source {
        case "argument": return "it is workflow argument '\(name)'"
        case "resume": return "it was supplied on resume for '\(name)'"
        case "default": return "it is the default of '\(name)' (its node did not run)"
        default: return "it is a \(source) value"
        }
    }
}

/// One thing a value was derived from: a node's output (verified against its producer's envelope before any node
/// consumes the value), or a source no node signed.
///
/// A value's provenance is the set of its sources, carried with it wherever the engine copies or computes it:
/// through template inputs and outputs, loops and their aggregates, `globalName` outputs, expressions and resume
/// values. A value with an empty provenance is a literal: text of the submitted workflow.
package enum ValueSource: Sendable, Hashable {
    /// An output of a node (`outputs/parameters/NAME` or `outputs/result`).
    case output(ParameterOrigin)
    /// A workflow argument, `workflow.parameters.NAME`.
    case argument(String)
    /// A value supplied on `sluice resume` for an output of a suspend node.
    case resume(node: String, parameter: String)
    /// The `valueFrom.default` of an output of a node that did not run (Skipped, Omitted).
    case skippedDefault(node: String, template: String, parameter: String)

    /// The kind of source, as `require` expressions see it in `.source`.
    package var kind: String {
        switch self {
        case .output: "output"
        case .argument: "argument"
        case .resume: "resume"
        case .skippedDefault: "default"
        }
    }

    /// The node output this source is, when it is one.
    package var output: ParameterOrigin? {
        if case .output(let origin) = self { return origin }
        return nil
    }

    /// A stable order for lineage entries and refusals.
    package var sortKey: String {
        switch self {
        case .output(let origin): "0|\(origin.nodeID)|\(origin.subjectName)"
        case .argument(let name): "1|\(name)"
        case .resume(let node, let parameter): "2|\(node)|\(parameter)"
        case .skippedDefault(let node, _, let parameter): "3|\(node)|\(parameter)"
        }
    }
}

/// What the `provenance` of a set of sources says about its node outputs and its unsigned sources.
extension Set where Element == ValueSource {
    /// The node outputs among the sources.
    package var outputs: Set<ParameterOrigin> { Set<ParameterOrigin>(compactMap(\.output)) }
}

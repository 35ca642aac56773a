/// The lineage policy's verdict against a node: which node, which of its inputs, which check, and why.
///
/// One type for every caller of ``LineagePolicy``: the engine's gate records it as a denial and shows its
/// `description` as the node's message; offline verifiers show its `check` and `reason` against a bundle file.
package struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input name given to node-level refusals (the node's own image, a `require` over all inputs).
    package static let nodeLevel = "(node)"

    /// The refused node's display name.
    package var node: String
    /// The refused input (a name the node's lineage records), or ``nodeLevel``.
    package var input: String
    /// The failed check: `signature`, `trust-slope`, `constraint 'NAME'`, … (see docs/governance.md).
    package var check: String
    /// One sentence saying what is wrong, with the offending values.
    package var reason: String

    /// Creates a refusal.
    package init(node: String, input: String, check: String, reason: String) {
        self.node = node
        self.input = input
        self.check = check
        self.reason = reason
    }

    /// `node 'N' refused: input 'I': CHECK: REASON` (without the input for node-level refusals).
    package var description: String {
        input == Self.nodeLevel
            ? "node '\(node)' refused: \(check): \(reason)"
            : "node '\(node)' refused: input '\(input)': \(check): \(reason)"
    }
}

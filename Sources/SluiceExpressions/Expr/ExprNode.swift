/// The parsed form of an expr-lang expression; built once by `ExprParser`, evaluated many times.
indirect enum ExprNode: Sendable {
    case literal(ExpressionValue)
    /// A variable followed by constant member names (`a.b['c']`): looked up as a flat dotted name first.
    case path([String])
    /// `#` (name "") or `#index` / `#acc` inside a closure.
    case pointer(String)
    case member(ExprNode, ExprNode, optional: Bool)
    case slice(ExprNode, from: ExprNode?, to: ExprNode?)
    case unary(String, ExprNode)
    case binary(String, ExprNode, ExprNode)
    case conditional(ExprNode, ExprNode, ExprNode)
    case call(String, [ExprNode])
    case sprig(String, [ExprNode])
    case closure(ExprNode)
    case list([ExprNode])
    case map([ExprMapEntry])
}

/// One `key: value` entry of a map literal.
struct ExprMapEntry: Sendable {
    var key: ExprNode
    var value: ExprNode
}

extension ExprNode {
    /// Collects maximal dotted variable paths (`inputs.parameters.x`), the way Argo lists identifiers.
    func collectIdentifiers(into identifiers: inout Set<String>) {
        switch self {
        case .literal, .pointer: break
        case .path(let parts): identifiers.insert(parts.joined(separator: "."))
        case .member(let base, let key, _):
            base.collectIdentifiers(into: &identifiers)
            key.collectIdentifiers(into: &identifiers)
        case .slice(let base, let from, let to):
            base.collectIdentifiers(into: &identifiers)
            from?.collectIdentifiers(into: &identifiers)
            to?.collectIdentifiers(into: &identifiers)
        case .unary(_, let operand), .closure(let operand):
            operand.collectIdentifiers(into: &identifiers)
        case .binary(_, let lhs, let rhs):
            lhs.collectIdentifiers(into: &identifiers)
            rhs.collectIdentifiers(into: &identifiers)
        case .conditional(let condition, let then, let otherwise):
            condition.collectIdentifiers(into: &identifiers)
            then.collectIdentifiers(into: &identifiers)
            otherwise.collectIdentifiers(into: &identifiers)
        case .call(_, let arguments), .sprig(_, let arguments), .list(let arguments):
            for argument in arguments { argument.collectIdentifiers(into: &identifiers) }
        case .map(let entries):
            for entry in entries {
                entry.key.collectIdentifiers(into: &identifiers)
                entry.value.collectIdentifiers(into: &identifiers)
            }
        }
    }
}

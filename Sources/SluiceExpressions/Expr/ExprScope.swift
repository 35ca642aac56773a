/// The variables an `ExprProgram` can read, keyed by Argo's flat dotted names.
///
/// Argo's variables are flat strings such as `inputs.parameters.message` or `tasks.gen.outputs.result`; values
/// can also be nested maps (`item` with fields, `workflow.parameters`). A reference `a.b.c` resolves to the
/// longest flat key that prefixes it (`a.b.c`, then `a.b`, then `a`) and navigates the rest through maps; when
/// no flat key prefixes it, it navigates a tree built by splitting every key at its dots (so `inputs.parameters`
/// is a map of all input parameters unless a flat key of that name exists), as Argo's `expand.Expand` does.
package struct ExprScope: Sendable {
    /// The flat variables this scope was created with.
    package let variables: [String: ExpressionValue]
    private let tree: [String: ExpressionValue]

    /// Creates a scope from flat dotted names.
    package init(variables: [String: ExpressionValue]) {
        self.variables = variables
        var tree: [String: ExpressionValue] = [:]
        for key in variables.keys.sorted() where key.contains(".") {
            let parts = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            Self.insert(variables[key, default: .null], at: parts[...], into: &tree)
        }
        for (key, value) in variables where !key.contains(".") {
            // A nested map given directly merges with keys expanded from dotted names.
            if case .map(let given) = value, case .map(let expanded)? = tree[key] {
                tree[key] = .map(expanded.merging(given) { _, new in new })
            } else {
                tree[key] = value
            }
        }
        self.tree = tree
    }

    private static func insert(
        _ value: ExpressionValue, at parts: ArraySlice<String>, into map: inout [String: ExpressionValue]
    ) {
        guard let first = parts.first else { return }
        if parts.count == 1 {
            if case .map = map[first] { return }  // an expanded map wins; the flat key stays reachable
            map[first] = value
            return
        }
        var child: [String: ExpressionValue]
        if case .map(let existing)? = map[first] { child = existing } else { child = [:] }
        map[first] = nil
        insert(value, at: parts.dropFirst(), into: &child)
        map[first] = .map(child)
    }

    /// Whether `dottedName` resolves to a value (possibly `nil`) in this scope.
    package func contains(_ dottedName: String) -> Bool {
        (try? value(at: dottedName.split(separator: ".", omittingEmptySubsequences: false).map(String.init))) != nil
    }

    /// Resolves a reference given as its path components (`["tasks", "a", "outputs", "result"]`).
    ///
    /// A missing final map key resolves to `.null` (expr-lang semantics for map access).
    /// - Throws: `ExpressionError.unknownVariable` with the dotted name when the root or an intermediate step is
    ///   missing or not a map.
    package func value(at path: [String]) throws(ExpressionError) -> ExpressionValue {
        if path.count == 1, let value = variables[path[0]] { return value }
        if path.count > 1 {
            var key = path.joined(separator: ".")
            var length = path.count
            while length > 0 {
                if let value = variables[key] {
                    if let resolved = Self.navigate(value, path[length...]) { return resolved }
                    break
                }
                length -= 1
                if length > 0, let dot = key.lastIndex(of: ".") { key = String(key[..<dot]) }
            }
        }
        guard let root = tree[path[0]], let resolved = Self.navigate(root, path[1...]) else {
            throw .unknownVariable(name: path.joined(separator: "."))
        }
        return resolved
    }

    private static func navigate(_ value: ExpressionValue, _ rest: ArraySlice<String>) -> ExpressionValue? {
        var current = value
        for (offset, part) in zip(rest.indices, rest) {
            switch current {
            case .map(let entries):
                if let next = entries[part] {
                    current = next
                } else {
                    return offset == rest.endIndex - 1 ? .null : nil
                }
            case .list(let items):
                guard let index = Int(part), items.indices.contains(index) else { return nil }
                current = items[index]
            default:
                return nil
            }
        }
        return current
    }
}

/// A path to a value inside a workflow document, written the way Argo's docs name fields:
/// `spec.templates[0].steps[1][0].template`.
package struct SpecPath: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    package enum Component: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    package var components: [Component]

    package init(_ components: [Component] = []) { self.components = components }

    package init(stringLiteral value: String) {
        var result: [Component] = []
        for segment in value.split(separator: ".") {
            var name = Substring(segment)
            var indices: [Int] = []
            while let open = name.lastIndex(of: "["), name.hasSuffix("]"),
                let index = Int(name[name.index(after: open)..<name.index(before: name.endIndex)])
            {
                indices.insert(index, at: 0)
                name = name[..<open]
            }
            if !name.isEmpty { result.append(.key(String(name))) }
            result.append(contentsOf: indices.map(Component.index))
        }
        components = result
    }

    /// This path extended by a key.
    package func key(_ name: String) -> SpecPath { SpecPath(components + [.key(name)]) }
    /// This path extended by an index.
    package func index(_ index: Int) -> SpecPath { SpecPath(components + [.index(index)]) }

    /// The path without its last component, or nil at the root.
    package var parent: SpecPath? {
        components.isEmpty ? nil : SpecPath(Array(components.dropLast()))
    }

    package var description: String {
        var text = ""
        for component in components {
            switch component {
            case .key(let name): text += text.isEmpty ? name : ".\(name)"
            case .index(let index): text += "[\(index)]"
            }
        }
        return text.isEmpty ? "(document)" : text
    }
}

/// A YAML value with the position of every node: our own `Sendable` copy of the composed document.
///
/// Yams' `Node` stays inside the loader; everything after loading (field checks, positions for semantic errors,
/// the canonical digest of the submitted document) works on this tree.
package indirect enum YAMLValue: Sendable, Equatable {
    /// A scalar with its text as written and whether it was a plain (unquoted) scalar.
    case scalar(String, isPlain: Bool, at: SourceLocation)
    /// A mapping; keys keep their own positions, entries keep the document order.
    case mapping([Entry], at: SourceLocation)
    case sequence([YAMLValue], at: SourceLocation)

    package struct Entry: Sendable, Equatable {
        package var key: String
        package var keyLocation: SourceLocation
        package var value: YAMLValue
    }

    /// Where this value starts.
    package var location: SourceLocation {
        switch self {
        case .scalar(_, _, let at), .mapping(_, let at), .sequence(_, let at): at
        }
    }

    /// The YAML kind, for messages ("mapping", "sequence", "string").
    package var kindName: String {
        switch self {
        case .scalar(let text, let isPlain, _):
            if isPlain && (text.isEmpty || text == "~" || text == "null") { return "null" }
            return "scalar '\(text.count > 40 ? String(text.prefix(40)) + "…" : text)'"
        case .mapping: return "mapping"
        case .sequence: return "sequence"
        }
    }

    /// True for a plain `null`, `~` or empty scalar.
    package var isNull: Bool {
        if case .scalar(let text, true, _) = self { return text.isEmpty || text == "~" || text == "null" }
        return false
    }

    /// The scalar text, or nil for collections.
    package var scalarText: String? {
        if case .scalar(let text, _, _) = self { return text }
        return nil
    }

    /// The value stored under `key` in a mapping.
    package subscript(key: String) -> YAMLValue? {
        guard case .mapping(let entries, _) = self else { return nil }
        return entries.first { $0.key == key }?.value
    }

    /// The entries of a mapping (empty for other kinds).
    package var entries: [Entry] {
        if case .mapping(let entries, _) = self { return entries }
        return []
    }

    /// The elements of a sequence (empty for other kinds).
    package var elements: [YAMLValue] {
        if case .sequence(let elements, _) = self { return elements }
        return []
    }

    /// The value at `path` below this one, if present.
    package func value(at path: SpecPath) -> YAMLValue? {
        var current: YAMLValue = self
        for component in path.components {
            switch component {
            case .key(let key):
                guard let next = current[key] else { return nil }
                current = next
            case .index(let index):
                let elements = current.elements
                guard index >= 0, index < elements.count else { return nil }
                current = elements[index]
            }
        }
        return current
    }

    /// The position of `path`, or of its nearest ancestor present in the document.
    ///
    /// A path ending in a key points at the key itself when `preferKey` is set (for "unknown field" messages).
    package func location(of path: SpecPath, preferKey: Bool = false) -> SourceLocation {
        var candidate: SpecPath? = path
        while let current = candidate {
            if preferKey, case .key(let last)? = current.components.last, let parent = current.parent,
                let entry = value(at: parent)?.entries.first(where: { $0.key == last })
            {
                return entry.keyLocation
            }
            if let found = value(at: current) { return found.location }
            candidate = current.parent
        }
        return location
    }
}

package import SluiceSpec

/// A YAML tree Sluice writes for a cluster: the submitted document as written, with what rendering adds.
///
/// Scalars keep how they were written (a plain `3` stays a plain `3`, a quoted `"3"` stays a string), so any YAML
/// reader (kubectl, Argo, PyYAML) reads the rendered file with the types the author meant. Mappings keep their
/// order. ``text`` writes the tree deterministically: the same tree, the same bytes.
package indirect enum RenderedYAML: Sendable, Equatable {
    /// A scalar: `isPlain` when written without quotes (its text is then read by YAML's rules: numbers, booleans).
    case scalar(String, isPlain: Bool)
    case mapping([Entry])
    case sequence([RenderedYAML])

    /// One key and its value.
    package struct Entry: Sendable, Equatable {
        package var key: String
        package var value: RenderedYAML

        package init(_ key: String, _ value: RenderedYAML) {
            self.key = key
            self.value = value
        }
    }

    /// A string value (written quoted when YAML would read it as something else).
    package static func string(_ text: String) -> RenderedYAML { .scalar(text, isPlain: false) }

    /// An integer value.
    package static func integer(_ value: Int) -> RenderedYAML { .scalar(String(value), isPlain: true) }

    /// A boolean value.
    package static func boolean(_ value: Bool) -> RenderedYAML { .scalar(value ? "true" : "false", isPlain: true) }

    /// A sequence of strings.
    package static func strings(_ values: [String]) -> RenderedYAML { .sequence(values.map(RenderedYAML.string)) }

    /// A mapping from ordered pairs.
    package static func object(_ pairs: KeyValuePairs<String, RenderedYAML>) -> RenderedYAML {
        .mapping(pairs.map { Entry($0.key, $0.value) })
    }

    /// The tree of a loaded document, positions dropped.
    package init(_ value: YAMLValue) {
        switch value {
        case .scalar(let text, let isPlain, _): self = .scalar(text, isPlain: isPlain)
        case .mapping(let entries, _): self = .mapping(entries.map { Entry($0.key, RenderedYAML($0.value)) })
        case .sequence(let elements, _): self = .sequence(elements.map(RenderedYAML.init))
        }
    }

    /// The value under `key` in a mapping; setting nil removes the key, setting a new key appends it.
    package subscript(key: String) -> RenderedYAML? {
        get {
            guard case .mapping(let entries) = self else { return nil }
            return entries.first { $0.key == key }?.value
        }
        set {
            guard case .mapping(var entries) = self else {
                precondition(newValue == nil, "setting a key on a non-mapping")
                return
            }
            if let index = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[index].value = newValue } else { entries.remove(at: index) }
            } else if let newValue {
                entries.append(Entry(key, newValue))
            }
            self = .mapping(entries)
        }
    }

    /// The elements of a sequence (empty for other kinds).
    package var elements: [RenderedYAML] {
        if case .sequence(let elements) = self { return elements }
        return []
    }

    /// The scalar's text, or nil for collections.
    package var scalarText: String? {
        if case .scalar(let text, _) = self { return text }
        return nil
    }

    /// The sequence under `key` with `values` appended (created when absent).
    package mutating func append(_ values: [RenderedYAML], to key: String) {
        guard !values.isEmpty else { return }
        self[key] = .sequence((self[key]?.elements ?? []) + values)
    }
}

import Yams

extension YAMLValue {
    /// Lists whose elements Argo merges by their `name` (Kubernetes' `patchMergeKey: name`), not replaces.
    static let listsMergedByName: Set<String> = [
        "templates", "parameters", "artifacts", "env", "volumes", "volumeMounts",
    ]

    /// This value laid over `base` the way Argo joins specs (a strategic merge patch): mappings merge key by key
    /// with this value winning, lists of named objects under the keys in ``listsMergedByName`` merge by `name`,
    /// every other value replaces the base's.
    ///
    /// Positions are kept from whichever side a value comes from, so messages about the merged tree still point
    /// at the file and line that wrote the value.
    package func merged(over base: YAMLValue, key: String? = nil) -> YAMLValue {
        switch (self, base) {
        case (.mapping(let entries, let at), .mapping(let baseEntries, _)):
            var result: [Entry] = []
            for baseEntry in baseEntries {
                if let own = entries.first(where: { $0.key == baseEntry.key }) {
                    var entry = own
                    entry.value = own.value.merged(over: baseEntry.value, key: own.key)
                    result.append(entry)
                } else {
                    result.append(baseEntry)
                }
            }
            result += entries.filter { own in !baseEntries.contains { $0.key == own.key } }
            return .mapping(result, at: at)
        case (.sequence(let elements, let at), .sequence(let baseElements, _)):
            guard let key, Self.listsMergedByName.contains(key),
                elements.allSatisfy({ $0["name"]?.scalarText != nil }),
                baseElements.allSatisfy({ $0["name"]?.scalarText != nil })
            else { return self }
            var result: [YAMLValue] = []
            for baseElement in baseElements {
                let name = baseElement["name"]?.scalarText
                if let own = elements.first(where: { $0["name"]?.scalarText == name }) {
                    result.append(own.merged(over: baseElement))
                } else {
                    result.append(baseElement)
                }
            }
            result += elements.filter { own in
                !baseElements.contains { $0["name"]?.scalarText == own["name"]?.scalarText }
            }
            return .sequence(result, at: at)
        default:
            return isNull ? base : self
        }
    }

    /// This mapping without the entries named in `keys`.
    package func removing(keys: Set<String>) -> YAMLValue {
        guard case .mapping(let entries, let at) = self else { return self }
        return .mapping(entries.filter { !keys.contains($0.key) }, at: at)
    }

    /// This mapping with `value` stored under `key` (replacing an entry of that key, else appended).
    package func setting(_ key: String, to value: YAMLValue) -> YAMLValue {
        guard case .mapping(var entries, let at) = self else { return self }
        if let index = entries.firstIndex(where: { $0.key == key }) {
            entries[index].value = value
        } else {
            entries.append(Entry(key: key, keyLocation: value.location, value: value))
        }
        return .mapping(entries, at: at)
    }

    /// Decodes this tree as `type`, with the loader's rules (scalars keep their text, plain ones resolve tags).
    ///
    /// - Throws: ``SpecError`` located in this tree when the value does not have the shape of `type`.
    package func decode<T: Decodable>(_ type: T.Type) throws(SpecError) -> T {
        do {
            return try YAMLValueDecoder.decode(type, from: self)
        } catch {
            throw .invalidValue(message: "\(error)", at: location, path: SpecPath())
        }
    }

    /// The Yams node for this tree; stays inside SluiceSpec.
    var yamsNode: Yams.Node {
        switch self {
        case .scalar(let text, let isPlain, _):
            if isPlain { return .scalar(.init(text, Tag(.implicit), .plain)) }
            return .scalar(.init(text, Tag(.str), text.contains("\n") ? .literal : .singleQuoted))
        case .sequence(let elements, _):
            return .sequence(.init(elements.map(\.yamsNode)))
        case .mapping(let entries, _):
            return .mapping(.init(entries.map { (Yams.Node.scalar(.init($0.key)), $0.value.yamsNode) }))
        }
    }
}

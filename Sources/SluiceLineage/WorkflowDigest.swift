package import SluiceGovernance
import SluicePlan
package import SluiceSpec

extension YAMLValue {
    /// The document as canonical JSON: mappings become objects, sequences arrays, every scalar its text (a plain
    /// `null`/`~`/empty scalar becomes null). Two submissions of the same document have the same digest whatever
    /// their YAML formatting.
    package var canonicalJSON: CanonicalJSON {
        switch self {
        case .scalar(let text, _, _):
            return isNull ? .null : .string(text)
        case .sequence(let elements, _):
            return .array(elements.map(\.canonicalJSON))
        case .mapping(let entries, _):
            var object: [String: CanonicalJSON] = [:]
            for entry in entries { object[entry.key] = entry.value.canonicalJSON }
            return .object(object)
        }
    }
}

/// An optional value stored on the heap when present, so that a large, rarely set field costs one pointer (and no
/// allocation while `nil`) in the struct that holds it.
///
/// `DAGTask` and `WorkflowStep` hold an optional inline `Template` (over a kilobyte inline, nearly always `nil`): an
/// array of ten thousand tasks was 14 MB, and decoding it (the array doubling as it grows) peaked at 35 MB. Boxed,
/// a task is a few hundred bytes. Decodes as the optional value itself; its key may be missing.
@propertyWrapper
package struct Indirect<Wrapped: Sendable>: Sendable {
    private indirect enum Box: Sendable {
        case value(Wrapped)
    }

    private var box: Box?

    /// Boxes `wrappedValue` when it is not `nil`.
    package init(wrappedValue: Wrapped?) {
        box = wrappedValue.map(Box.value)
    }

    /// The boxed value, or `nil`.
    package var wrappedValue: Wrapped? {
        get {
            guard case .value(let value) = box else { return nil }
            return value
        }
        set { box = newValue.map(Box.value) }
    }
}

extension Indirect: Decodable where Wrapped: Decodable {
    /// Decodes the value itself, with nothing around it.
    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self.init(wrappedValue: container.decodeNil() ? nil : try container.decode(Wrapped.self))
    }
}

extension KeyedDecodingContainer {
    /// Decodes a boxed value whose key may be missing, as a plain optional property decodes.
    package func decode<Wrapped: Decodable & Sendable>(
        _ type: Indirect<Wrapped>.Type, forKey key: Key
    ) throws -> Indirect<Wrapped> {
        Indirect(wrappedValue: try decodeIfPresent(Wrapped.self, forKey: key))
    }
}

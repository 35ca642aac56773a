import Foundation
import Yams

/// Decodes `Decodable` values straight from a ``YAMLValue`` tree, with the results Yams' `YAMLDecoder` gives for
/// the same document, without its cost.
///
/// Yams' keyed container looks every key up by building a key node and comparing it with each key of the mapping,
/// resolving the new node's tag through the resolver's regular expressions (about seven ICU matches per lookup):
/// decoding a 10,000-task DAG took a second. Here a key is looked up by its text.
///
/// Scalars are constructed by Yams itself (its public `ScalarConstructible` conformances), on a scalar built the way
/// ``YAMLValue/yamsNode`` builds it (a plain scalar has an implicit tag, a quoted or block one the `str` tag), so
/// every value decodes as before: YAML 1.1 integers (`0x1f`, `1_000`, `0o17`, `1:30`) and booleans (`yes`, `off`),
/// quoted scalars staying strings, `~`/`null`/empty as nil only when plain. Mappings are flattened as Yams does
/// (`<<` merge keys: the mapping's own keys win over merged ones, earlier merged mappings over later ones; the last
/// of equal keys wins; the tree keeps no key style, so a quoted `"<<"` merges too, as it did when templates were
/// joined), and errors are Yams' `DecodingError`s with the same coding paths, so messages point at the
/// same field.
///
/// One difference, a fix: a quoted key whose text reads as another YAML type (`"1":`, `"true":`, `"":`), and a plain
/// `=` key (YAML's "value" type), are found by their text; Yams compared them with a key of another type and
/// reported them missing.
enum YAMLValueDecoder {
    /// `value` decoded as `type`.
    ///
    /// - Throws: `DecodingError` (type mismatch, missing key, unkeyed container at end), or what `type`'s own
    ///   `init(from:)` throws.
    static func decode<T: Decodable>(_ type: T.Type, from value: YAMLValue) throws -> T {
        try TreeDecoder(value: value, parent: nil, key: nil).decodeValue(type)
    }
}

// MARK: - Coding path

/// A coding path as a list from the leaf up, so that a container costs one small allocation (a scalar none), not a
/// copy of its parent's path; the array is built only when asked for (errors, and types that read `codingPath`).
private final class PathNode {
    let parent: PathNode?
    let key: any CodingKey

    init(parent: PathNode?, key: any CodingKey) {
        self.parent = parent
        self.key = key
    }

    static func codingPath(_ node: PathNode?) -> [any CodingKey] {
        var keys: [any CodingKey] = []
        var current = node
        while let node = current {
            keys.append(node.key)
            current = node.parent
        }
        return keys.reversed()
    }
}

/// The keys Yams puts in coding paths besides the decoded type's own: a sequence element (`Index 3`, int value 3)
/// and `super`.
private struct ElementKey: CodingKey {
    var stringValue: String
    var intValue: Int?

    init(index: Int) {
        stringValue = "Index \(index)"
        intValue = index
    }

    static let `super` = ElementKey(name: "super")

    private init(name: String) {
        stringValue = name
        intValue = nil
    }

    init?(stringValue: String) {
        self.stringValue = stringValue
        intValue = nil
    }

    init?(intValue: Int) {
        stringValue = "\(intValue)"
        self.intValue = intValue
    }
}

// MARK: - Decoder

private struct TreeDecoder: Decoder, SingleValueDecodingContainer {
    let value: YAMLValue
    /// The path of the container that holds this value, and the value's key there (both nil at the top).
    let parent: PathNode?
    let key: (any CodingKey)?

    /// This value's path, for the containers it opens.
    var path: PathNode? { key.map { PathNode(parent: parent, key: $0) } ?? parent }
    var codingPath: [any CodingKey] { PathNode.codingPath(path) }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .mapping(let entries, _) = value else {
            throw typeMismatch(expectation: Node.Mapping.self, reality: "Node")
        }
        return KeyedDecodingContainer(KeyedContainer<Key>(path: path, entries: Self.flattened(entries)))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .sequence(let elements, _) = value else {
            throw typeMismatch(expectation: Node.Sequence.self, reality: "Node")
        }
        return UnkeyedContainer(path: path, elements: elements)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    // MARK: Single value

    /// As Yams' `_Decoder.decodeNil` (`NSNull.construct(from:)`): a plain `""`, `~`, `null`, `Null` or `NULL`
    /// scalar. Written out: it is asked of every present optional field.
    func decodeNil() -> Bool {
        guard case .scalar(let text, true, _) = value else { return false }
        switch text {
        case "", "~", "null", "Null", "NULL": return true
        default: return false
        }
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try decodeValue(type)
    }

    /// As Yams' `_Decoder._construct`: a scalar type is constructed by Yams from the scalar, any other type decodes
    /// itself from this decoder.
    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        let isString = type == String.self
        guard isString || type is any ScalarConstructible.Type else { return try T(from: self) }
        let text: String
        let isPlain: Bool
        switch value {
        case .scalar(let scalarText, let scalarIsPlain, _):
            text = scalarText
            isPlain = scalarIsPlain
        case .mapping:
            throw typeMismatch(expectation: Node.Scalar.self, reality: "Mapping")
        case .sequence:
            throw typeMismatch(expectation: Node.Scalar.self, reality: "Sequence")
        }
        // `String.construct(from:)` is the scalar's text: skip building the scalar for the commonest type.
        if isString, let string = text as? T { return string }
        guard let constructible = type as? any ScalarConstructible.Type,
            let constructed = constructible.construct(from: Self.scalar(text, isPlain: isPlain))
        else {
            throw typeMismatch(expectation: type, reality: "Scalar")
        }
        guard let result = constructed as? T else {
            throw typeMismatch(expectation: type, reality: "\(Swift.type(of: constructed))")
        }
        return result
    }

    /// Yams' message for a value of the wrong kind ("Expected to decode Int but found Scalar instead.").
    func typeMismatch(expectation: Any.Type, reality: String) -> DecodingError {
        .typeMismatch(
            expectation,
            DecodingError.Context(
                codingPath: codingPath,
                debugDescription: "Expected to decode \(expectation) but found \(reality) instead."))
    }

    /// The Yams scalar ``YAMLValue/yamsNode`` builds for a scalar: what Yams' constructors read (style and tag).
    ///
    /// The tag gets the rule-less resolver: constructors never resolve a tag (Bool only asks whether it is `str`),
    /// and naming the default resolver would compile its regular expressions at start-up.
    static func scalar(_ text: String, isPlain: Bool) -> Node.Scalar {
        if isPlain { return Node.Scalar(text, Tag(.implicit, .basic), .plain) }
        return Node.Scalar(text, Tag(.str, .basic), text.contains("\n") ? .literal : .singleQuoted)
    }

    /// A mapping's entries with `<<` merge keys resolved as Yams' `Node.Mapping.flatten()` does: the merged entries
    /// first (a list of mappings merged in reverse, so that the earlier one is found last and wins), then the
    /// mapping's own; a merge value that is not a mapping or a list of them adds nothing.
    static func flattened(_ entries: [YAMLValue.Entry]) -> [YAMLValue.Entry] {
        guard entries.contains(where: { $0.key == "<<" }) else { return entries }
        var merged: [YAMLValue.Entry] = []
        var own: [YAMLValue.Entry] = []
        for entry in entries {
            guard entry.key == "<<" else {
                own.append(entry)
                continue
            }
            switch entry.value {
            case .mapping(let mergedEntries, _):
                merged += flattened(mergedEntries)
            case .sequence(let elements, _):
                for case .mapping(let mergedEntries, _) in elements.reversed() {
                    merged += flattened(mergedEntries)
                }
            case .scalar:
                break
            }
        }
        return merged + own
    }
}

// MARK: - Keyed

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let path: PathNode?
    let entries: [YAMLValue.Entry]

    var codingPath: [any CodingKey] { PathNode.codingPath(path) }
    var allKeys: [Key] { entries.compactMap { Key(stringValue: $0.key) } }

    /// The value of the last entry named `key` (as Yams' mapping subscript: a mapping's own keys follow merged ones).
    private func value(for key: String) -> YAMLValue? {
        entries.last { $0.key == key }?.value
    }

    func contains(_ key: Key) -> Bool { value(for: key.stringValue) != nil }

    func decodeNil(forKey key: Key) throws -> Bool {
        try decoder(for: key).decodeNil()
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decoder(for: key).decodeValue(type)
    }

    /// As the standard library's `contains`, `decodeNil(forKey:)`, `decode(_:forKey:)`, with one look-up.
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let found = value(for: key.stringValue) else { return nil }
        let decoder = TreeDecoder(value: found, parent: path, key: key)
        return decoder.decodeNil() ? nil : try decoder.decodeValue(type)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try decoder(for: key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder(for: key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        try decoder(for: ElementKey.super)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder { try decoder(for: key) }

    private func decoder(for key: any CodingKey) throws -> TreeDecoder {
        guard let found = value(for: key.stringValue) else {
            throw DecodingError.keyNotFound(
                key,
                DecodingError.Context(
                    codingPath: codingPath,
                    debugDescription: "No value associated with key \(key) (\"\(key.stringValue)\")."))
        }
        return TreeDecoder(value: found, parent: path, key: key)
    }
}

// MARK: - Unkeyed

private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let path: PathNode?
    let elements: [YAMLValue]
    private(set) var currentIndex = 0

    init(path: PathNode?, elements: [YAMLValue]) {
        self.path = path
        self.elements = elements
    }

    var codingPath: [any CodingKey] { PathNode.codingPath(path) }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    /// As Yams' unkeyed container, this moves past the element whether or not it is null.
    mutating func decodeNil() throws -> Bool {
        try next(Any?.self) { $0.decodeNil() }
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try next(T.self) { try $0.decodeValue(type) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try next(KeyedDecodingContainer<NestedKey>.self) { try $0.container(keyedBy: type) }
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try next((any UnkeyedDecodingContainer).self) { try $0.unkeyedContainer() }
    }

    mutating func superDecoder() throws -> any Decoder {
        try next((any Decoder).self) { $0 }
    }

    /// `body` applied to the current element's decoder, then the next element becomes current.
    ///
    /// - Throws: `DecodingError.valueNotFound` of `expected` when no element is left.
    private mutating func next<T>(_ expected: Any.Type, _ body: (TreeDecoder) throws -> T) throws -> T {
        let key = ElementKey(index: currentIndex)
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                expected,
                DecodingError.Context(
                    codingPath: codingPath + [key], debugDescription: "Unkeyed container is at end."))
        }
        let result = try body(TreeDecoder(value: elements[currentIndex], parent: path, key: key))
        currentIndex += 1
        return result
    }
}

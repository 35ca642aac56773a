/// A JSON value with one canonical serialisation: RFC 8785 (JCS) restricted to integers.
///
/// ``bytes`` sorts object keys by UTF-16 code units, writes no insignificant whitespace, escapes strings as JCS
/// does (only `"`, `\` and control characters) and writes integers in plain decimal. Floats do not exist in this
/// profile; convert them to strings before building a value. Integers must stay below 2^53 in magnitude to
/// interoperate (JavaScript and protobuf readers); ``bytes`` still writes larger ones deterministically, but
/// ``init(parsing:)`` refuses them, so callers building values from user input should call ``checkProfile()``.
///
/// Swift compares strings by canonical equivalence, so two values whose strings differ only in Unicode
/// normalisation compare equal although their ``bytes`` differ.
package indirect enum CanonicalJSON: Sendable, Hashable {
    case null
    case bool(Bool)
    case integer(Int64)
    case string(String)
    case array([CanonicalJSON])
    case object([String: CanonicalJSON])

    /// The largest magnitude an integer may have (2^53 − 1).
    package static let maxSafeInteger: Int64 = (1 << 53) - 1

    // MARK: - Accessors

    /// The member named `key` when this is an object, else nil.
    package subscript(key: String) -> CanonicalJSON? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The element at `index` when this is an array and the index is in range, else nil.
    package subscript(index: Int) -> CanonicalJSON? {
        if case .array(let elements) = self, elements.indices.contains(index) { return elements[index] }
        return nil
    }

    /// The string when this is `.string`, else nil.
    package var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The integer when this is `.integer`, else nil.
    package var integerValue: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    /// The Boolean when this is `.bool`, else nil.
    package var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The elements when this is `.array`, else nil.
    package var arrayValue: [CanonicalJSON]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The members when this is `.object`, else nil.
    package var objectValue: [String: CanonicalJSON]? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// Whether this is `.null`.
    package var isNull: Bool { self == .null }

    /// The SHA-256 digest of ``bytes``; `CanonicalJSON.null.digest` is the digest of the four bytes `null`.
    package var digest: Digest { .sha256(bytes) }

    /// Checks that every integer is within ±(2^53 − 1), the range ``init(parsing:)`` accepts.
    ///
    /// - Throws: `GovernanceError.malformedJSON` naming the first offending integer (offset 0).
    package func checkProfile() throws(GovernanceError) {
        switch self {
        case .null, .bool, .string: return
        case .integer(let value):
            guard value >= -Self.maxSafeInteger && value <= Self.maxSafeInteger else {
                throw .malformedJSON(reason: "integer \(value) is outside ±(2^53 − 1)", offset: 0)
            }
        case .array(let elements):
            for element in elements { try element.checkProfile() }
        case .object(let members):
            for value in members.values { try value.checkProfile() }
        }
    }
}

// MARK: - Literals

extension CanonicalJSON: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    /// `nil` is JSON `null`.
    package init(nilLiteral: ()) { self = .null }
    /// A Boolean literal.
    package init(booleanLiteral value: Bool) { self = .bool(value) }
    /// An integer literal.
    package init(integerLiteral value: Int64) { self = .integer(value) }
    /// A string literal.
    package init(stringLiteral value: String) { self = .string(value) }
    /// An array literal.
    package init(arrayLiteral elements: CanonicalJSON...) { self = .array(elements) }
    /// A dictionary literal; duplicate keys are a programming error.
    package init(dictionaryLiteral elements: (String, CanonicalJSON)...) {
        self = .object(Dictionary(uniqueKeysWithValues: elements))
    }
}

// MARK: - Codable

extension CanonicalJSON: Codable {
    /// Decodes any JSON value except non-integral numbers.
    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([CanonicalJSON].self) {
            self = .array(value)
        } else if let value = try? container.decode([String: CanonicalJSON].self) {
            self = .object(value)
        } else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "not a canonical JSON value (floats are not supported)"
            )
        }
    }

    /// Encodes the value structurally; use ``bytes`` when the exact serialisation matters.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

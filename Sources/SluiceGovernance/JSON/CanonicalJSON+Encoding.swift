import SluiceExpressions

// MARK: - Canonical serialisation (RFC 8785, integer profile)

extension CanonicalJSON {
    /// The canonical UTF-8 encoding of this value: the bytes that get hashed and signed.
    package var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(into: &out)
        return out
    }

    private func write(into out: inout [UInt8]) {
        switch self {
        case .null:
            out.append(contentsOf: "null".utf8)
        case .bool(let value):
            out.append(contentsOf: (value ? "true" : "false").utf8)
        case .integer(let value):
            out.append(contentsOf: String(value).utf8)
        case .string(let value):
            JSONStringWriter.append(value, to: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                element.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (index, key) in Self.sortedKeys(of: members).enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONStringWriter.append(key, to: &out)
                out.append(UInt8(ascii: ":"))
                members[key, default: .null].write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// An object's keys in JCS's order: by UTF-16 code units.
    ///
    /// For ASCII keys (every key the engine writes) that is the order of their bytes, which `String`'s `<` compares
    /// directly; the UTF-16 view is slower to walk, and it was most of the cost of writing a statement.
    static func sortedKeys(of members: [String: CanonicalJSON]) -> [String] {
        let keys = Array(members.keys)
        if keys.allSatisfy({ $0.utf8.allSatisfy { $0 < 0x80 } }) { return keys.sorted(by: <) }
        return keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) }
    }
}

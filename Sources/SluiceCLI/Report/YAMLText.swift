import Foundation

/// Writes JSON-compatible values (`JSONSerialization`'s output) as block-style YAML, like `argo get -o yaml`.
///
/// Keys are sorted; a string is written plain only when YAML would read it back as the same string, otherwise
/// double-quoted with JSON's escapes (a JSON string is a valid YAML double-quoted scalar).
enum YAMLText {
    /// The YAML document for `value`, ending in a newline.
    static func render(_ value: Any) -> String {
        var lines: [String] = []
        emit(value, indent: 0, into: &lines, prefix: nil)
        return lines.joined(separator: "\n") + "\n"
    }

    private static func emit(_ value: Any, indent: Int, into lines: inout [String], prefix: String?) {
        let pad = String(repeating: " ", count: indent)
        switch value {
        case let object as [String: Any] where !object.isEmpty:
            var first = true
            for key in object.keys.sorted() {
                let head = (first ? prefix ?? pad : pad) + scalar(key) + ":"
                first = false
                emitMember(object[key] as Any, head: head, indent: indent, into: &lines)
            }
        case let array as [Any] where !array.isEmpty:
            var first = true
            for element in array {
                let head = (first ? prefix ?? pad : pad) + "- "
                first = false
                if isCollection(element) {
                    emit(element, indent: indent + 2, into: &lines, prefix: head)
                } else {
                    lines.append(head + scalar(element))
                }
            }
        default:
            lines.append((prefix ?? pad) + scalar(value))
        }
    }

    private static func emitMember(_ value: Any, head: String, indent: Int, into lines: inout [String]) {
        switch value {
        case let object as [String: Any] where !object.isEmpty:
            lines.append(head)
            emit(object, indent: indent + 2, into: &lines, prefix: nil)
        case let array as [Any] where !array.isEmpty:
            lines.append(head)
            emit(array, indent: indent, into: &lines, prefix: nil)
        default:
            lines.append(head + " " + scalar(value))
        }
    }

    private static func isCollection(_ value: Any) -> Bool {
        if let object = value as? [String: Any] { return !object.isEmpty }
        if let array = value as? [Any] { return !array.isEmpty }
        return false
    }

    /// A scalar: null, a boolean, a number, or a string (plain or quoted).
    static func scalar(_ value: Any) -> String {
        switch value {
        case is NSNull: return "null"
        case let object as [String: Any] where object.isEmpty: return "{}"
        case let array as [Any] where array.isEmpty: return "[]"
        case let string as String: return string.isPlainSafe ? string : quoted(string)
        case let bool as Bool where !(value is NSNumber): return bool ? "true" : "false"
        case let number as NSNumber:
            // Booleans decoded by JSONSerialization are NSNumbers of ObjC type "c" (char).
            if String(cString: number.objCType) == "c" { return number.boolValue ? "true" : "false" }
            return number.stringValue
        default: return quoted("\(value)")
        }
    }

    private static func quoted(_ string: String) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: [string], options: [.withoutEscapingSlashes])
        else {
            return "\"\""
        }
        let array = String(decoding: data, as: UTF8.self)
        return String(array.dropFirst().dropLast())
    }
}

extension String {
    /// Whether YAML reads this string back unchanged when written without quotes.
    fileprivate var isPlainSafe: Bool {
        guard let first = unicodeScalars.first, !isEmpty else { return false }
        let reserved: Set<String> = ["true", "false", "yes", "no", "on", "off", "null", "~", "y", "n"]
        if reserved.contains(lowercased()) || Double(self) != nil || Int(self) != nil { return false }
        if hasPrefix(" ") || hasSuffix(" ") || contains(": ") || contains(" #") { return false }
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "._/:-@+= ,()"))
        guard unicodeScalars.allSatisfy({ allowed.contains($0) && $0.isASCII }) else { return false }
        // A leading digit could read as a number or a timestamp (YAML 1.1): those are quoted.
        return CharacterSet.letters.contains(first) || first == "/"
    }
}

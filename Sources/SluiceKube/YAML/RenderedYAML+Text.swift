/// Block-style YAML text of a ``RenderedYAML`` tree.
///
/// Deterministic: the same tree gives the same bytes. Sequences are indented under their key, multi-line strings
/// are literal blocks (`|`, `|-`, `|+`) when that reads back the same, other strings are plain only when no YAML
/// reader could take them for anything else (a number, a boolean, null), and double-quoted otherwise.
extension RenderedYAML {
    /// The document, ending in a newline.
    package var text: String {
        var lines: [String] = []
        Self.emit(self, indent: 0, firstPrefix: nil, into: &lines)
        return lines.joined(separator: "\n") + "\n"
    }

    private static func emit(_ value: RenderedYAML, indent: Int, firstPrefix: String?, into lines: inout [String]) {
        let pad = String(repeating: " ", count: indent)
        switch value {
        case .mapping(let entries) where !entries.isEmpty:
            for (index, entry) in entries.enumerated() {
                let head = (index == 0 ? firstPrefix ?? pad : pad) + key(entry.key) + ":"
                emitMember(entry.value, head: head, indent: indent, into: &lines)
            }
        case .sequence(let elements) where !elements.isEmpty:
            for (index, element) in elements.enumerated() {
                let head = (index == 0 ? firstPrefix ?? pad : pad) + "- "
                if element.isNonEmptyCollection {
                    emit(element, indent: indent + 2, firstPrefix: head, into: &lines)
                } else {
                    appendScalar(element, head: head, indent: indent + 2, into: &lines)
                }
            }
        default:
            appendScalar(value, head: firstPrefix ?? pad, indent: indent, into: &lines)
        }
    }

    private static func emitMember(_ value: RenderedYAML, head: String, indent: Int, into lines: inout [String]) {
        if value.isNonEmptyCollection {
            lines.append(head)
            emit(value, indent: indent + 2, firstPrefix: nil, into: &lines)
        } else {
            appendScalar(value, head: head + " ", indent: indent + 2, into: &lines)
        }
    }

    /// Appends a scalar (or an empty collection) after `head`; a literal block's lines are indented by `indent`.
    private static func appendScalar(_ value: RenderedYAML, head: String, indent: Int, into lines: inout [String]) {
        switch value {
        case .mapping: lines.append(head + "{}")
        case .sequence: lines.append(head + "[]")
        case .scalar(let text, let isPlain):
            if isPlain {
                lines.append(head + (text.isEmpty ? "null" : text))
            } else if let block = literalBlock(text) {
                lines.append(head + block.header)
                let pad = String(repeating: " ", count: indent)
                lines += block.lines.map { $0.isEmpty ? "" : pad + $0 }
            } else {
                lines.append(head + (isPlainSafe(text) ? text : quoted(text)))
            }
        }
    }

    private var isNonEmptyCollection: Bool {
        switch self {
        case .mapping(let entries): !entries.isEmpty
        case .sequence(let elements): !elements.isEmpty
        case .scalar: false
        }
    }

    private static func key(_ text: String) -> String { isPlainSafe(text) ? text : quoted(text) }

    /// A literal block for a multi-line string, or nil when the string cannot be one (control characters, a
    /// first line starting with a space, line breaks other than `\n`).
    private static func literalBlock(_ text: String) -> (header: String, lines: [String])? {
        guard text.contains("\n") else { return nil }
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value == 0x0A || value == 0x09 { continue }
            if value < 0x20 || value == 0x7F || value == 0x85 || value == 0x2028 || value == 0x2029
                || value == 0xFEFF || (0x80...0x9F).contains(value)
            {
                return nil
            }
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let first = lines.first, !first.isEmpty, !first.hasPrefix(" "), !first.hasPrefix("\t") else {
            return nil
        }
        // A line of only spaces or tabs would be read as indentation, not content.
        if lines.contains(where: { !$0.isEmpty && $0.allSatisfy { $0 == " " || $0 == "\t" } }) { return nil }
        var trailing = 0
        while lines.last == "" {
            lines.removeLast()
            trailing += 1
        }
        switch trailing {
        case 0: return ("|-", lines)
        case 1: return ("|", lines)
        default: return ("|+", lines + Array(repeating: "", count: trailing - 1))
        }
    }

    /// Whether `text` reads back as this very string when written without quotes, under YAML 1.1 and 1.2 alike.
    static func isPlainSafe(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first else { return false }
        let isLetter = ("a"..."z").contains(first) || ("A"..."Z").contains(first)
        guard isLetter || first == "/" else { return false }
        let reserved: Set<String> = ["true", "false", "yes", "no", "on", "off", "null", "y", "n"]
        if reserved.contains(text.lowercased()) { return false }
        if text.hasSuffix(" ") || text.contains(": ") || text.contains(" #") || text.hasSuffix(":") { return false }
        return text.unicodeScalars.allSatisfy { scalar in
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                || "._/-: ".unicodeScalars.contains(scalar)
        }
    }

    /// A double-quoted YAML scalar (JSON's escapes, plus YAML's own line breaks escaped).
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                let value = scalar.value
                if value < 0x20 || value == 0x7F || (0x80...0x9F).contains(value) || value == 0x2028
                    || value == 0x2029 || value == 0xFEFF
                {
                    out +=
                        "\\u" + String(repeating: "0", count: 4 - String(value, radix: 16).count)
                        + String(value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

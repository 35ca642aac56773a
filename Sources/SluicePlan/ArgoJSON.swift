package import SluiceSpec

/// JSON text as Argo's controller writes it with Go's `encoding/json`, for the variables that hold whole lists and
/// maps (`{{inputs.parameters}}`, `{{workflow.parameters.json}}`, `{{workflow.labels.json}}`, …).
package enum ArgoJSON {
    /// `text` as a Go JSON string: `"`, `\` and control characters escaped, and, as Go's HTML-safe encoder does,
    /// `<`, `>`, `&`, U+2028 and U+2029 as `\uXXXX`.
    package static func string(_ text: String) -> String {
        var output = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                output += unicodeEscape(scalar.value)
            default:
                if scalar.value < 0x20 {
                    output += unicodeEscape(scalar.value)
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        return output + "\""
    }

    /// A map as a Go JSON object: keys sorted, `{}` when empty.
    package static func object(_ map: [String: String]) -> String {
        "{" + map.sorted { $0.key < $1.key }.map { string($0.key) + ":" + string($0.value) }.joined(separator: ",")
            + "}"
    }

    /// Parameters as Argo marshals `[]Parameter`: `name`, then `default`, `value`, `enum` and `description` when set,
    /// in the field order of Argo's struct.
    ///
    /// - Parameters:
    ///   - declared: the declarations (for `default`, `enum`, `description`).
    ///   - values: the resolved value of each declared parameter, by name (absent: no `value` field).
    package static func parameters(_ declared: [Parameter], values: [String: String]) -> String {
        let items = declared.map { parameter -> String in
            var fields = ["\"name\":" + string(parameter.name)]
            if let defaultValue = parameter.default?.value { fields.append("\"default\":" + string(defaultValue)) }
            if let value = values[parameter.name] ?? parameter.value?.value {
                fields.append("\"value\":" + string(value))
            }
            if let allowed = parameter.enum, !allowed.isEmpty {
                fields.append("\"enum\":[" + allowed.map { string($0.value) }.joined(separator: ",") + "]")
            }
            if let description = parameter.description { fields.append("\"description\":" + string(description)) }
            return "{" + fields.joined(separator: ",") + "}"
        }
        return "[" + items.joined(separator: ",") + "]"
    }

    private static func unicodeEscape(_ value: UInt32) -> String {
        let hex = String(value, radix: 16)
        return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}

extension StringProtocol {
    /// This text as an error message may show it: at most `limit` characters, then `…(N more characters)`, with
    /// control characters, NUL and line breaks escaped (`\n`, `\t`, `\u{1B}`), so that one message stays one line
    /// and nothing a workflow or a node wrote reaches the terminal raw.
    ///
    /// Every message that embeds a value from a workflow file, a parameter or a node's output goes through this.
    package func excerpt(limit: Int = 200) -> String {
        var result = ""
        var shown = 0
        var index = startIndex
        while index < endIndex, shown < limit {
            result += Self.escaped(self[index])
            shown += 1
            index = self.index(after: index)
        }
        if index < endIndex {
            let remaining = self[index...].count
            result += "…(\(remaining) more character\(remaining == 1 ? "" : "s"))"
        }
        return result
    }

    private static func escaped(_ character: Character) -> String {
        var text = ""
        for scalar in character.unicodeScalars {
            switch scalar {
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case "\u{00}"..."\u{1F}", "\u{7F}"..."\u{9F}", "\u{2028}", "\u{2029}", "\u{202A}"..."\u{202E}",
                "\u{2066}"..."\u{2069}":
                text += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default: text.unicodeScalars.append(scalar)
            }
        }
        return text
    }
}

/// Escapes what a message line must not carry raw (control characters, NUL, line breaks) without shortening it:
/// the last guard, applied by the CLI to every error line it prints.
package func escapingControlCharacters(_ line: String) -> String {
    line.excerpt(limit: Int.max)
}

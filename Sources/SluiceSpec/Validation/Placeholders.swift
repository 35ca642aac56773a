import Foundation

/// A `{{...}}` placeholder found in a string of the document.
package struct Placeholder: Sendable, Equatable {
    /// The trimmed text between the braces (for expressions, without the leading `=`).
    package var text: String
    /// True for the `{{= expr }}` form.
    package var isExpression: Bool
}

extension Placeholder {
    /// Every placeholder in `text`, in order; an unterminated `{{` ends the scan.
    package static func all(in text: String) -> [Placeholder] {
        var found: [Placeholder] = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            guard let close = rest[open.upperBound...].range(of: "}}") else { break }
            var inner = rest[open.upperBound..<close.lowerBound].trimmingSpaces()
            let isExpression = inner.hasPrefix("=")
            if isExpression { inner = inner.dropFirst().trimmingSpaces() }
            found.append(Placeholder(text: String(inner), isExpression: isExpression))
            rest = rest[close.upperBound...]
        }
        return found
    }
}

extension String {
    /// Whether the text holds `{{`, as `contains("{{")` answers, but from a scan of its UTF-8 bytes when they hold no
    /// `{{` (most scalars of a document; `contains` matches characters, and costs a tenth of validating a large
    /// DAG). Two brace characters are always two brace bytes; when the bytes hold them, `contains` decides (a brace
    /// followed by a combining mark is another character).
    package var containsPlaceholderOpening: Bool {
        var previousIsBrace = false
        for byte in utf8 {
            if byte == UInt8(ascii: "{") {
                if previousIsBrace { return contains("{{") }
                previousIsBrace = true
            } else {
                previousIsBrace = false
            }
        }
        return false
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" || first == "\n" { result = result.dropFirst() }
        while let last = result.last, last == " " || last == "\t" || last == "\n" { result = result.dropLast() }
        return result
    }
}

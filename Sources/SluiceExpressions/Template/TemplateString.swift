/// A string split into literal text and `{{ name }}` / `{{= expr }}` placeholders, as Argo's templating parses it.
///
/// A placeholder runs from `{{` to the next `}}`; its content is trimmed of whitespace. Content starting with `=`
/// is an expression (the text after `=`, trimmed), anything else a variable name. No evaluation happens here.
package struct TemplateString: Sendable, Equatable {
    /// One piece of a template string.
    package enum Part: Sendable, Equatable {
        /// Text copied verbatim.
        case literal(String)
        /// `{{ name }}`: a simple variable reference, e.g. `inputs.parameters.message`.
        case variable(name: String)
        /// `{{= expr }}`: an expr-lang expression, source without the `=`.
        case expression(String)
    }

    /// The pieces in source order; adjacent literals are merged and empty literals omitted.
    package var parts: [Part]

    /// Whether the string contains any placeholder.
    package var hasPlaceholders: Bool {
        parts.contains { if case .literal = $0 { false } else { true } }
    }

    /// Parses `source`.
    ///
    /// - Throws: `ExpressionError.unterminatedPlaceholder` with the offset of a `{{` that has no `}}`.
    package init(parsing source: String) throws(ExpressionError) {
        let scalars = Array(source.unicodeScalars)
        var parts: [Part] = []
        var literal = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            guard scalars[index] == "{", index + 1 < scalars.count, scalars[index + 1] == "{" else {
                literal.append(scalars[index])
                index += 1
                continue
            }
            let open = index
            var close = index + 2
            while close + 1 < scalars.count, !(scalars[close] == "}" && scalars[close + 1] == "}") { close += 1 }
            guard close + 1 < scalars.count else { throw .unterminatedPlaceholder(offset: open, source: source) }
            if !literal.isEmpty {
                parts.append(.literal(String(literal)))
                literal = String.UnicodeScalarView()
            }
            var content = String.UnicodeScalarView()
            content.append(contentsOf: scalars[(open + 2)..<close])
            let tag = String(content).trimmingWhitespace()
            if tag.hasPrefix("=") {
                parts.append(.expression(String(tag.dropFirst()).trimmingWhitespace()))
            } else {
                parts.append(.variable(name: tag))
            }
            index = close + 2
        }
        if !literal.isEmpty { parts.append(.literal(String(literal))) }
        self.parts = parts
    }

    /// Renders with a resolver for variables and an evaluator for expressions.
    ///
    /// When `variable` returns nil, non-strict rendering keeps the placeholder as `{{name}}` (Argo leaves
    /// unresolved tags in place in some phases) and strict rendering throws. Errors from `expression` propagate.
    /// - Throws: `ExpressionError.unresolvedPlaceholder` (strict only) or whatever `expression` throws.
    package func render(
        strict: Bool, variable: (String) -> String?, expression: (String) throws(ExpressionError) -> String
    ) throws(ExpressionError) -> String {
        var output = ""
        for part in parts {
            switch part {
            case .literal(let text):
                output += text
            case .variable(let name):
                if let value = variable(name) {
                    output += value
                } else if strict {
                    throw .unresolvedPlaceholder(name: name)
                } else {
                    output += "{{\(name)}}"
                }
            case .expression(let source):
                output += try expression(source)
            }
        }
        return output
    }
}

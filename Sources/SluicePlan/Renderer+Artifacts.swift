import SluiceExpressions

extension Renderer {
    /// Evaluates an artifact's `fromExpression` (expr-lang) to the artifact it names, e.g.
    /// `tasks.flip.outputs.result == 'heads' ? tasks.heads.outputs.artifacts.result : tasks.tails.outputs.artifacts.result`.
    ///
    /// Artifacts in scope evaluate to opaque tokens, so comparisons and conditionals choose among them; parameters
    /// are strings, absent outputs `nil`.
    /// - Returns: the chosen artifact, or nil when the expression evaluates to `nil` (an absent artifact).
    /// - Throws: ``EngineError/badExpression(expression:reason:context:)`` when it does not parse or evaluates to
    ///   something that is not an artifact.
    package func artifact(fromExpression source: String, context: @autoclosure () -> String) throws(EngineError)
        -> ArtifactReference?
    {
        let marker = "\u{1}sluice-artifact:"
        var variables: [String: ExpressionValue] = [:]
        for (name, value) in scope.values {
            variables[name] = value.isAbsent ? .null : .string(value.text)
        }
        for name in scope.artifacts.keys { variables[name] = .string(marker + name) }
        let result: ExpressionValue
        do {
            result = try ExprProgram(parsing: source).evaluate(ExprScope(variables: variables))
        } catch {
            throw .badExpression(expression: source, reason: error.description, context: context())
        }
        switch result {
        case .null:
            return nil
        case .string(let text) where text.hasPrefix(marker):
            guard let reference = scope.artifacts[String(text.dropFirst(marker.count))] else {
                throw .badExpression(expression: source, reason: "names no artifact in scope", context: context())
            }
            return reference
        default:
            throw .badExpression(
                expression: source, reason: "evaluates to \(result.typeName) '\(result.asString)', not an artifact",
                context: context())
        }
    }
}

package import SluiceExpressions

/// Substitutes Argo's `{{name}}` and `{{= expression}}` placeholders from a ``VariableScope``.
///
/// The provenance of every variable a rendering read is remembered in `sources` (and of the last rendering in
/// `lastSources`), so the value carries it on and the gate can verify the node outputs among them against their
/// producers' signed envelopes before a node consumes the value. An expression that reads `tasks` or `steps`
/// as a whole (`tasks[lower('X')]`) counts as reading every output under it.
package struct Renderer {
    package var scope: VariableScope
    /// What every rendering so far read.
    package private(set) var sources: Set<ValueSource> = []
    /// What the last rendering read.
    package private(set) var lastSources: Set<ValueSource> = []

    /// The node outputs among ``sources``.
    package var origins: Set<ParameterOrigin> { sources.outputs }

    package init(scope: VariableScope) { self.scope = scope }

    /// Renders `text`; an unknown variable or a bad expression throws, naming `context` (e.g. "args of step 'x'").
    package mutating func render(_ text: String, context: @autoclosure () -> String) throws(EngineError) -> String {
        lastSources = []
        guard text.contains("{{") else { return text }
        let template: TemplateString
        do {
            template = try TemplateString(parsing: text)
        } catch {
            throw .badExpression(expression: text, reason: error.description, context: context())
        }
        var used: Set<ValueSource> = []
        var missing: String?
        let scope = self.scope
        let rendered: String
        do {
            rendered = try template.render(
                strict: false,
                variable: { name in
                    if let value = scope.value(name), !value.isAbsent {
                        used.formUnion(value.provenance)
                        return value.text
                    }
                    // Argo leaves a tag outside its own namespaces (`{{custom.variable}}`) as written.
                    if missing == nil, Self.isArgoVariable(name) { missing = name }
                    return nil
                },
                expression: { (source: String) throws(ExpressionError) -> String in
                    let program = try ExprProgram(parsing: source)
                    return try program.evaluate(scope.exprScope(for: program, used: &used)).asString
                })
        } catch {
            throw .badExpression(expression: text, reason: error.description, context: context())
        }
        if let missing { throw .unresolvedVariable(reference: missing, context: context()) }
        sources.formUnion(used)
        lastSources = used
        return rendered
    }

    /// The roots of the variables Argo itself defines; a tag under another root is not Argo's and stays as written
    /// (Argo's `GlobalVarValidWorkflowVariablePrefix` plus the retry and node variables).
    package static let argoVariableRoots: Set<String> = [
        "item", "steps", "inputs", "outputs", "pod", "workflow", "tasks", "retries", "lastRetry", "node",
    ]

    /// Whether `name` lies in one of Argo's variable namespaces (see ``argoVariableRoots``).
    package static func isArgoVariable(_ name: String) -> Bool {
        let root = name.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)
        return argoVariableRoots.contains(root ?? name)
    }

    /// Whether `text` refers, in a `{{name}}` placeholder, to an absent output (see ``VariableScope/markAbsent(_:)``).
    package func refersToAbsentValue(_ text: String) -> Bool {
        guard text.contains("{{"), let template = try? TemplateString(parsing: text) else { return false }
        var found = false
        let scope = self.scope
        _ = try? template.render(
            strict: false,
            variable: { name in
                if scope.value(name)?.isAbsent == true { found = true }
                return ""
            },
            expression: { (_: String) throws(ExpressionError) -> String in "" })
        return found
    }

    /// Renders an optional string.
    package mutating func renderOptional(_ text: String?, context: @autoclosure () -> String) throws(EngineError)
        -> String?
    {
        guard let text else { return nil }
        return try render(text, context: context())
    }

    /// Resolves an artifact reference such as `{{tasks.a.outputs.artifacts.model}}`.
    package func artifact(_ text: String, context: @autoclosure () -> String) throws(EngineError) -> ArtifactReference {
        let trimmed = text.trimmingCharacters(in: " ")
        guard trimmed.hasPrefix("{{"), trimmed.hasSuffix("}}") else {
            throw .unresolvedVariable(reference: text, context: context())
        }
        let name = String(trimmed.dropFirst(2).dropLast(2)).trimmingCharacters(in: " ")
        guard let reference = scope.artifacts[name] else {
            throw .unresolvedVariable(reference: name, context: context())
        }
        return reference
    }

    /// Evaluates a `when` condition: placeholders first, then the govaluate dialect Argo uses.
    package mutating func evaluateCondition(_ when: String, context: @autoclosure () -> String) throws(EngineError)
        -> Bool
    {
        let rendered = try render(when, context: context())
        do {
            return try GovaluateExpression.evaluateBool(rendered)
        } catch {
            throw .badExpression(expression: rendered, reason: error.description, context: context())
        }
    }
}

extension VariableScope {
    /// The expression environment for `program`: every scope variable as a string, by its dotted name.
    fileprivate func exprScope(for program: ExprProgram, used: inout Set<ValueSource>) -> ExprScope {
        var variables: [String: ExpressionValue] = [:]
        for (name, value) in values {
            if let item = value.structured {
                variables[name] = item
            } else {
                variables[name] = .string(value.text)
            }
        }
        for identifier in program.referencedIdentifiers { used.formUnion(provenance(under: identifier)) }
        return ExprScope(variables: variables)
    }
}

extension VariableScope.Value {
    /// Loop items keep their structure in expressions (`item.name`); absent outputs are `nil`; other values are
    /// strings.
    package var structured: ExpressionValue? { isAbsent ? .null : nil }
}

extension String {
    /// This string without `character` at either end (used for `{{ ... }}` and loop parameters).
    package func trimmingCharacters(in character: Character) -> String {
        var result = Substring(self)
        while result.first == character { result = result.dropFirst() }
        while result.last == character { result = result.dropLast() }
        return String(result)
    }
}

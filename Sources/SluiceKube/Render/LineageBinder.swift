import Foundation

/// Binds, at each call site of a wrapped pod template, the envelope of every input's producer: an argument
/// artifact `sluice-lineage-<kind>-<input>` taken from the producer's `sluice-envelope` output, and a parameter
/// `sluice-lineage-digest-<kind>-<input>` with Argo's record of its payload digest (`sluice-envelope-digest`).
///
/// A producer is a sibling task (DAG) or an earlier step (steps) named in the argument as
/// `{{tasks.P.outputs.…}}` / `{{steps.P.outputs.…}}`, whose template is itself wrapped and which is not a loop
/// (Argo does not aggregate artifacts of loops). Inputs from anything else carry no producer envelope; the
/// wrapper records them as unsigned inputs, as the local gate does for literals and workflow arguments.
struct LineageBinder {
    /// The workflow's own templates that are wrapped (by name).
    var wrapped: Set<String>

    /// The steps or DAG template `template` with its call sites bound.
    func bind(_ template: RenderedYAML) -> RenderedYAML {
        var template = template
        if var dag = template["dag"], let tasks = dag["tasks"] {
            let callees = calls(in: tasks.elements)
            dag["tasks"] = .sequence(tasks.elements.map { bind($0, scope: "tasks", callees: callees) })
            template["dag"] = dag
        }
        if let groups = template["steps"] {
            let callees = calls(in: groups.elements.flatMap(\.elements))
            template["steps"] = .sequence(
                groups.elements.map { group in
                    .sequence(group.elements.map { bind($0, scope: "steps", callees: callees) })
                })
        }
        return template
    }

    /// Whether a call site runs a wrapped pod template.
    private func isWrapped(_ call: RenderedYAML) -> Bool {
        if let name = call["template"]?.scalarText, call["templateRef"] == nil { return wrapped.contains(name) }
        if let inline = call["inline"] { return inline["container"] != nil || inline["script"] != nil }
        return false
    }

    /// Names of the calls whose template is wrapped and which are no loops: the producers envelopes come from.
    private func calls(in calls: [RenderedYAML]) -> Set<String> {
        Set(
            calls.compactMap { call in
                guard let name = call["name"]?.scalarText, isWrapped(call), call["withItems"] == nil,
                    call["withParam"] == nil, call["withSequence"] == nil
                else { return nil }
                return name
            })
    }

    private func bind(_ call: RenderedYAML, scope: String, callees: Set<String>) -> RenderedYAML {
        guard isWrapped(call) else { return call }
        var bindings: [RenderedYAML] = []
        var digests: [RenderedYAML] = []
        let arguments = call["arguments"]
        for (key, kind) in [("parameters", PodLayout.InputKind.parameter), ("artifacts", .artifact)] {
            for argument in arguments?[key]?.elements ?? [] {
                guard let name = argument["name"]?.scalarText else { continue }
                let text = [argument["value"], argument["from"], argument["fromExpression"]]
                    .compactMap { $0?.scalarText }.joined(separator: " ")
                guard let producer = Self.producer(in: text, scope: scope), callees.contains(producer) else {
                    if kind == .parameter, let source = Self.source(of: text) {
                        digests.append(
                            .object([
                                "name": .string(PodLayout.sourceParameter(for: name)), "value": .string(source),
                            ]))
                    }
                    continue
                }
                bindings.append(
                    .object([
                        "name": .string(PodLayout.lineageArtifact(for: name, kind: kind)),
                        "from": .string("{{\(scope).\(producer).outputs.artifacts.\(PodLayout.envelopeArtifact)}}"),
                    ]))
                digests.append(
                    .object([
                        "name": .string(PodLayout.lineageDigestParameter(for: name, kind: kind)),
                        "value": .string(
                            "{{\(scope).\(producer).outputs.parameters.\(PodLayout.envelopeDigestParameter)}}"),
                    ]))
            }
        }
        guard !bindings.isEmpty || !digests.isEmpty else { return call }
        var call = call
        var newArguments = arguments ?? .mapping([])
        newArguments.append(digests, to: "parameters")
        newArguments.append(bindings, to: "artifacts")
        call["arguments"] = newArguments
        return call
    }

    /// Where an argument's value comes from when no producer signs it, for the pod's lineage: nil for a literal (the
    /// input's default source), `argument:NAME` for exactly `{{workflow.parameters.NAME}}`, empty when it is derived
    /// from something else (not stated).
    static func source(of text: String) -> String? {
        guard text.contains("{{") else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let prefix = "{{workflow.parameters."
        if trimmed.hasPrefix(prefix), trimmed.hasSuffix("}}"), trimmed.components(separatedBy: "{{").count == 2 {
            return "argument:" + trimmed.dropFirst(prefix.count).dropLast(2)
        }
        return ""
    }

    /// The first `tasks.P.outputs` / `steps.P.outputs` reference in `text` (simple tags and expressions alike).
    static func producer(in text: String, scope: String) -> String? {
        let prefix = scope + "."
        var rest = Substring(text)
        while let range = rest.range(of: prefix) {
            let before = rest[..<range.lowerBound].last
            let isBoundary = before.map { !($0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "-") } ?? true
            let after = rest[range.upperBound...]
            let name = after.prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
            if isBoundary, !name.isEmpty, after.dropFirst(name.count).hasPrefix(".outputs.") { return String(name) }
            rest = after
        }
        return nil
    }
}

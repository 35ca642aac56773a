import Foundation

/// Binds, at each call site of a wrapped pod template, the envelope of every input's producer: an argument
/// artifact `sluice-lineage-<kind>-<input>` taken from the producer's envelope output, and a parameter
/// `sluice-lineage-digest-<kind>-<input>` with Argo's record of its payload digest.
///
/// A producer is a sibling task (DAG) or an earlier step (steps) named in the argument as
/// `{{tasks.P.outputs.…}}` / `{{steps.P.outputs.…}}` that is not a loop (Argo does not aggregate artifacts of loops)
/// and whose template is either a wrapped pod template (its `sluice-envelope` output signs all its outputs) or a
/// steps or DAG template that forwards the envelope of the node producing that output (``forwarding(_:)``: outputs
/// `sluice-envelope-<kind>-<output>` and `sluice-envelope-digest-<kind>-<output>`, the same envelope the local engine
/// links such an input to). Inputs from anything else carry no producer envelope; the wrapper records them as
/// unsigned inputs, as the local gate does for literals and workflow arguments.
struct LineageBinder {
    /// The workflow's own templates that are wrapped (by name).
    var wrapped: Set<String>
    /// Per steps or DAG template, the outputs whose producer's envelope it forwards, with the reference it takes
    /// the envelope from.
    private(set) var exports: [String: [Output: Reference]] = [:]

    /// An output of a template, by kind and name.
    struct Output: Hashable {
        var kind: PodLayout.InputKind
        var name: String
    }

    /// `{{SCOPE.CALL.outputs.(parameters|artifacts).NAME}}` (or `.result`, a parameter named `result`).
    struct Reference: Hashable {
        var scope: String
        var call: String
        var output: Output
    }

    /// A binder for `templates` (the rendered ones), with `wrapped` the pod templates that carry the wrapper; finds
    /// the outputs each steps or DAG template can forward, nested ones included.
    init(wrapped: Set<String>, templates: [RenderedYAML]) {
        self.wrapped = wrapped
        // A template forwards what its calls produce: repeat until nested templates add nothing more.
        for _ in 0..<max(1, templates.count) {
            var found: [String: [Output: Reference]] = [:]
            for template in templates {
                guard let name = template["name"]?.scalarText else { continue }
                let sources = sourcesOfOutputs(template)
                if !sources.isEmpty { found[name] = sources }
            }
            if found == exports { break }
            exports = found
        }
    }

    /// The steps or DAG template `template` with its call sites bound and its forwarded envelopes as outputs.
    func bind(_ template: RenderedYAML) -> RenderedYAML {
        var template = template
        if var dag = template["dag"], let tasks = dag["tasks"] {
            let callees = producers(in: tasks.elements)
            dag["tasks"] = .sequence(tasks.elements.map { bind($0, scope: "tasks", callees: callees) })
            template["dag"] = dag
        }
        if let groups = template["steps"] {
            let callees = producers(in: groups.elements.flatMap(\.elements))
            template["steps"] = .sequence(
                groups.elements.map { group in
                    .sequence(group.elements.map { bind($0, scope: "steps", callees: callees) })
                })
        }
        return forwarding(template)
    }

    // MARK: - Producers

    /// Whether a call site runs a wrapped pod template.
    private func isWrapped(_ call: RenderedYAML) -> Bool {
        if let name = call["template"]?.scalarText, call["templateRef"] == nil { return wrapped.contains(name) }
        if let inline = call["inline"] { return inline["container"] != nil || inline["script"] != nil }
        return false
    }

    /// The calls envelopes can come from (no loops), by call name: nil for a wrapped pod template, else the steps
    /// or DAG template whose forwarded envelopes they offer.
    private func producers(in calls: [RenderedYAML]) -> [String: String?] {
        var producers: [String: String?] = [:]
        for call in calls {
            guard let name = call["name"]?.scalarText, call["withItems"] == nil, call["withParam"] == nil,
                call["withSequence"] == nil
            else { continue }
            if isWrapped(call) {
                producers[name] = .some(nil)
            } else if call["templateRef"] == nil, let callee = call["template"]?.scalarText, exports[callee] != nil {
                producers[name] = .some(callee)
            }
        }
        return producers
    }

    /// The envelope artifact and digest parameter a producer offers for `output`, nil when it offers none.
    private func envelopeOutputs(of callee: String?, for output: Output) -> (artifact: String, digest: String)? {
        guard let callee else { return (PodLayout.envelopeArtifact, PodLayout.envelopeDigestParameter) }
        guard exports[callee]?[output] != nil else { return nil }
        return (
            PodLayout.forwardedEnvelopeArtifact(for: output.name, kind: output.kind),
            PodLayout.forwardedEnvelopeDigestParameter(for: output.name, kind: output.kind)
        )
    }

    /// The outputs of a steps or DAG template whose value is one of its calls' outputs that carries an envelope.
    private func sourcesOfOutputs(_ template: RenderedYAML) -> [Output: Reference] {
        let scope: String
        let calls: [RenderedYAML]
        if let tasks = template["dag"]?["tasks"] {
            (scope, calls) = ("tasks", tasks.elements)
        } else if let groups = template["steps"] {
            (scope, calls) = ("steps", groups.elements.flatMap(\.elements))
        } else {
            return [:]
        }
        let callees = producers(in: calls)
        var sources: [Output: Reference] = [:]
        let outputs = template["outputs"]
        let declared: [(PodLayout.InputKind, RenderedYAML, String?)] =
            (outputs?["parameters"]?.elements ?? []).map { (.parameter, $0, $0["valueFrom"]?["parameter"]?.scalarText) }
            + (outputs?["artifacts"]?.elements ?? []).map { (.artifact, $0, $0["from"]?.scalarText) }
        for (kind, output, text) in declared {
            guard let name = output["name"]?.scalarText, !name.hasPrefix(PodLayout.reservedPrefix), let text,
                let reference = Self.reference(in: text, scope: scope), let callee = callees[reference.call],
                envelopeOutputs(of: callee, for: reference.output) != nil
            else { continue }
            sources[Output(kind: kind, name: name)] = reference
        }
        return sources
    }

    /// `template` with an output artifact and parameter per forwarded envelope (``exports``).
    private func forwarding(_ template: RenderedYAML) -> RenderedYAML {
        guard let name = template["name"]?.scalarText, let sources = exports[name] else { return template }
        let callees = producers(
            in: (template["dag"]?["tasks"]?.elements ?? []) + (template["steps"]?.elements ?? []).flatMap(\.elements))
        var artifacts: [RenderedYAML] = []
        var parameters: [RenderedYAML] = []
        for (output, reference) in sources.sorted(by: {
            ($0.key.kind.rawValue, $0.key.name) < ($1.key.kind.rawValue, $1.key.name)
        }) {
            guard let callee = callees[reference.call],
                let offered = envelopeOutputs(of: callee, for: reference.output)
            else { continue }
            let producer = "\(reference.scope).\(reference.call).outputs"
            artifacts.append(
                .object([
                    "name": .string(PodLayout.forwardedEnvelopeArtifact(for: output.name, kind: output.kind)),
                    "from": .string("{{\(producer).artifacts.\(offered.artifact)}}"),
                ]))
            parameters.append(
                .object([
                    "name": .string(PodLayout.forwardedEnvelopeDigestParameter(for: output.name, kind: output.kind)),
                    "valueFrom": .object(["parameter": .string("{{\(producer).parameters.\(offered.digest)}}")]),
                ]))
        }
        var template = template
        var outputs = template["outputs"] ?? .mapping([])
        outputs.append(parameters, to: "parameters")
        outputs.append(artifacts, to: "artifacts")
        template["outputs"] = outputs
        return template
    }

    // MARK: - Call sites

    private func bind(_ call: RenderedYAML, scope: String, callees: [String: String?]) -> RenderedYAML {
        guard isWrapped(call) else { return call }
        var bindings: [RenderedYAML] = []
        var digests: [RenderedYAML] = []
        let arguments = call["arguments"]
        for (key, kind) in [("parameters", PodLayout.InputKind.parameter), ("artifacts", .artifact)] {
            for argument in arguments?[key]?.elements ?? [] {
                guard let name = argument["name"]?.scalarText else { continue }
                let text = [argument["value"], argument["from"], argument["fromExpression"]]
                    .compactMap { $0?.scalarText }.joined(separator: " ")
                guard let reference = Self.reference(in: text, scope: scope), let callee = callees[reference.call],
                    let offered = envelopeOutputs(of: callee, for: reference.output)
                else {
                    if kind == .parameter, let source = Self.source(of: text, items: call["withItems"] != nil) {
                        digests.append(
                            .object([
                                "name": .string(PodLayout.sourceParameter(for: name)), "value": .string(source),
                            ]))
                    }
                    continue
                }
                let producer = "\(scope).\(reference.call).outputs"
                bindings.append(
                    .object([
                        "name": .string(PodLayout.lineageArtifact(for: name, kind: kind)),
                        "from": .string("{{\(producer).artifacts.\(offered.artifact)}}"),
                    ]))
                digests.append(
                    .object([
                        "name": .string(PodLayout.lineageDigestParameter(for: name, kind: kind)),
                        "value": .string("{{\(producer).parameters.\(offered.digest)}}"),
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
    /// input's default source; also an item of a `withItems` list, written in the workflow, when `items`),
    /// `argument:NAME` for exactly `{{workflow.parameters.NAME}}`, empty when it is derived from something else (not
    /// stated).
    static func source(of text: String, items: Bool = false) -> String? {
        guard text.contains("{{") else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if items, Self.readsOnlyItems(trimmed) { return nil }
        let prefix = "{{workflow.parameters."
        if trimmed.hasPrefix(prefix), trimmed.hasSuffix("}}"), trimmed.components(separatedBy: "{{").count == 2 {
            return "argument:" + trimmed.dropFirst(prefix.count).dropLast(2)
        }
        return ""
    }

    /// Whether every `{{…}}` tag of `text` is `{{item}}` or `{{item.KEY}}` (and it has one).
    private static func readsOnlyItems(_ text: String) -> Bool {
        let tags = text.components(separatedBy: "{{").dropFirst()
        return !tags.isEmpty
            && tags.allSatisfy { tag in
                guard let end = tag.range(of: "}}") else { return false }
                let name = tag[..<end.lowerBound].trimmingCharacters(in: .whitespaces)
                return name == "item" || name.hasPrefix("item.")
            }
    }

    /// The first `tasks.P.outputs.…` / `steps.P.outputs.…` reference in `text` (simple tags and expressions alike) with the output it names (`parameters.X`, `artifacts.X`,
    /// or `result`, a parameter named `result`; anything else after `outputs.` names no output: `?`).
    static func reference(in text: String, scope: String) -> Reference? {
        let prefix = scope + "."
        var rest = Substring(text)
        while let range = rest.range(of: prefix) {
            let before = rest[..<range.lowerBound].last
            let isBoundary = before.map { !($0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "-") } ?? true
            let after = rest[range.upperBound...]
            let name = after.prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
            let tail = after.dropFirst(name.count)
            if isBoundary, !name.isEmpty, tail.hasPrefix(".outputs.") {
                let path = tail.dropFirst(".outputs.".count)
                let field = path.prefix { $0 != "." && $0 != "}" && $0 != " " }
                let output = path.dropFirst(field.count).dropFirst().prefix {
                    $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_"
                }
                let named: Output
                switch field {
                case "parameters": named = Output(kind: .parameter, name: String(output))
                case "artifacts": named = Output(kind: .artifact, name: String(output))
                case "result": named = Output(kind: .parameter, name: "result")
                default: named = Output(kind: .parameter, name: "?")
                }
                return Reference(scope: scope, call: String(name), output: named)
            }
            rest = after
        }
        return nil
    }
}

package import SluiceGovernance

/// The Workflow object of a simulated run as `argo get -o json` prints it: the rendered metadata (name,
/// annotations) and spec, `metadata.uid` (the run id), and `status` with every node (type, phase, message,
/// children, inputs, outputs; artifacts by their repository key under `s3.key`, as with Argo's default S3
/// repository, whose bucket the directory stands in for).
package enum WorkflowStatus {
    /// The object for `workflow` (the rendered document) after `walk`.
    package static func json(
        workflow: RenderedYAML, runID: String, phase: WalkPhase, nodes: [WalkedNode], startedAt: String,
        finishedAt: String
    ) -> CanonicalJSON {
        var metadata = (workflow["metadata"].map(json(of:)) ?? .object([:])).objectValue ?? [:]
        metadata["uid"] = .string(runID)
        var status: [String: CanonicalJSON] = [
            "phase": .string(phase.rawValue), "startedAt": .string(startedAt), "finishedAt": .string(finishedAt),
            "nodes": .object(Dictionary(nodes.map { ($0.id, json(of: $0)) }, uniquingKeysWith: { first, _ in first })),
        ]
        if let failed = nodes.last(where: { $0.kind == .pod && ($0.phase == .failed || $0.phase == .error) }),
            phase != .succeeded
        {
            status["message"] = .string("child '\(failed.id)' failed")
        }
        return .object([
            "apiVersion": .string("argoproj.io/v1alpha1"), "kind": .string("Workflow"),
            "metadata": .object(metadata), "spec": workflow["spec"].map(json(of:)) ?? .object([:]),
            "status": .object(status),
        ])
    }

    private static func json(of node: WalkedNode) -> CanonicalJSON {
        var object: [String: CanonicalJSON] = [
            "id": .string(node.id), "name": .string(node.name), "displayName": .string(node.displayName),
            "type": .string(node.kind.rawValue), "phase": .string(node.phase.rawValue),
        ]
        if let template = node.templateName { object["templateName"] = .string(template) }
        if let message = node.message { object["message"] = .string(message) }
        if !node.children.isEmpty { object["children"] = .array(node.children.map { .string($0) }) }
        if let started = node.startedAt { object["startedAt"] = .string(started) }
        if let finished = node.finishedAt { object["finishedAt"] = .string(finished) }
        if !node.inputParameters.isEmpty || !node.inputArtifacts.isEmpty {
            object["inputs"] = .object([
                "parameters": .array(node.inputParameters.map(json(of:))),
                "artifacts": .array(node.inputArtifacts.map(json(of:))),
            ])
        }
        if let outputs = node.outputs {
            var members: [String: CanonicalJSON] = [:]
            if !outputs.parameters.isEmpty { members["parameters"] = .array(outputs.parameters.map(json(of:))) }
            if !outputs.artifacts.isEmpty { members["artifacts"] = .array(outputs.artifacts.map(json(of:))) }
            if let result = outputs.result { members["result"] = .string(result) }
            if let code = outputs.exitCode { members["exitCode"] = .string(String(code)) }
            if !members.isEmpty { object["outputs"] = .object(members) }
        }
        return .object(object)
    }

    private static func json(of value: NamedValue) -> CanonicalJSON {
        ["name": .string(value.name), "value": .string(value.value)]
    }

    private static func json(of artifact: RepositoryArtifact) -> CanonicalJSON {
        var object: [String: CanonicalJSON] = ["name": .string(artifact.name), "s3": ["key": .string(artifact.key)]]
        if !artifact.isArchive { object["archive"] = ["none": .object([:])] }
        return .object(object)
    }

    /// A rendered YAML tree as JSON: plain `true`/`false` as booleans, plain integers as numbers, plain `null`/`~`
    /// as null, everything else as strings.
    package static func json(of value: RenderedYAML) -> CanonicalJSON {
        switch value {
        case .scalar(let text, let isPlain):
            guard isPlain else { return .string(text) }
            if text == "true" || text == "false" { return .bool(text == "true") }
            if text == "null" || text == "~" { return .null }
            if let number = Int64(text), abs(number) <= CanonicalJSON.maxSafeInteger { return .integer(number) }
            return .string(text)
        case .sequence(let elements): return .array(elements.map(json(of:)))
        case .mapping(let entries):
            return .object(
                Dictionary(entries.map { ($0.key, json(of: $0.value)) }, uniquingKeysWith: { first, _ in first }))
        }
    }
}

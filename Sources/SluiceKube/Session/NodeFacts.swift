package import SluiceGovernance

/// The node a pod runs, as the signer knows it: from its own arguments and the pod's environment (`ARGO_NODE_ID`),
/// never from the wrapper.
package struct NodeFacts: Sendable, Equatable {
    /// Argo's node id (`ARGO_NODE_ID`; else computed from the node name as Argo does).
    package var id: String
    /// Argo's node name (`{{node.name}}`).
    package var name: String
    /// The last component of the name (the task or step, with its loop or retry suffix).
    package var displayName: String
    /// The template's identity and content digest, as rendered.
    package var templateName: String
    package var templateDigest: Digest?
    /// The attempt (`{{retries}}` + 1 when the template retries; else 1).
    package var attempt: Int
    /// The main container's image, and the pod's other containers as the template declares them.
    package var image: String?
    package var containers: [LineagePredicate.Producer.Container]

    package init(
        id: String, name: String, displayName: String, templateName: String, templateDigest: Digest?,
        attempt: Int, image: String?, containers: [LineagePredicate.Producer.Container]
    ) {
        self.id = id
        self.name = name
        self.displayName = displayName
        self.templateName = templateName
        self.templateDigest = templateDigest
        self.attempt = attempt
        self.image = image
        self.containers = containers
    }

    /// The display name of node `name`: its last `.`-separated component outside brackets and parentheses
    /// (`wf.train` → `train`, `wf[0].step(1:a.b)` → `step(1:a.b)`); the whole name for the workflow's root.
    package static func displayName(of name: String) -> String {
        var depth = 0
        var start = name.startIndex
        for index in name.indices {
            switch name[index] {
            case "(", "[": depth += 1
            case ")", "]": depth = max(0, depth - 1)
            case "." where depth == 0: start = name.index(after: index)
            default: break
            }
        }
        return String(name[start...])
    }

    /// The task or step that called the node: its display name without a loop or retry suffix (`task(0)`).
    package var task: String {
        String(displayName.prefix { $0 != "(" })
    }

    /// The canonical JSON form sent to the wrapper.
    package var json: CanonicalJSON {
        var object: [String: CanonicalJSON] = [
            "id": .string(id), "name": .string(name), "displayName": .string(displayName),
            "templateName": .string(templateName), "attempt": .integer(Int64(attempt)),
            "containers": .array(
                containers.map { container in
                    var members: [String: CanonicalJSON] = [
                        "kind": .string(container.kind.rawValue), "name": .string(container.name),
                    ]
                    if let image = container.image { members["image"] = .string(image) }
                    return .object(members)
                }),
        ]
        if let templateDigest { object["templateDigest"] = .string(templateDigest.description) }
        if let image { object["image"] = .string(image) }
        return .object(object)
    }

    /// Reads the JSON form back.
    ///
    /// - Throws: ``KubeError/session(reason:)`` naming what is malformed.
    package init(json: CanonicalJSON) throws(KubeError) {
        guard let id = json["id"]?.stringValue, let name = json["name"]?.stringValue,
            let displayName = json["displayName"]?.stringValue, let template = json["templateName"]?.stringValue,
            let attempt = json["attempt"]?.integerValue
        else { throw .session(reason: "the node facts are malformed") }
        var digest: Digest?
        if let text = json["templateDigest"]?.stringValue {
            guard text.hasPrefix("sha256:"), let parsed = try? Digest(hex: String(text.dropFirst(7))) else {
                throw .session(reason: "the node's templateDigest is malformed")
            }
            digest = parsed
        }
        var containers: [LineagePredicate.Producer.Container] = []
        for entry in json["containers"]?.arrayValue ?? [] {
            guard let kindText = entry["kind"]?.stringValue,
                let kind = LineagePredicate.Producer.Container.Kind(rawValue: kindText),
                let containerName = entry["name"]?.stringValue
            else { throw .session(reason: "a container of the node facts is malformed") }
            containers.append(.init(kind: kind, name: containerName, image: entry["image"]?.stringValue))
        }
        self.init(
            id: id, name: name, displayName: displayName, templateName: template, templateDigest: digest,
            attempt: Int(attempt), image: json["image"]?.stringValue, containers: containers)
    }
}

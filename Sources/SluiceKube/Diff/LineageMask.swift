package import SluiceGovernance

/// The fields of a lineage predicate that must differ between two runs of the same workflow (a local run and a
/// cluster run, or two runs anywhere), replaced by placeholders so that what remains can be compared as is.
/// Specified in docs/envelope-format.md ("Comparing envelopes across runs"); `sluice kube diff` applies it.
///
/// | field | masked as |
/// |---|---|
/// | `workflow.name`, `workflow.runId` | `<workflow>`, `<run>` |
/// | `node.id` | `<node NAME>` (NAME: the node name below) |
/// | `node.name`, `node.within[].task` | the workflow name, where it begins them, becomes `<workflow>` |
/// | `invocationId` | `<invocation>` |
/// | `producer.id`, `producer.runtime`, `producer.version` | `<runtime>` |
/// | `producer.image` | the image reference without `@digest` (a cluster's signer does not see the image id) |
/// | `producer.signer.keyid`, `producer.signer.publicKeyDigest` | `<key>` |
/// | `trustSlope[].keyid`, `trustSlope[].attestation` | `<key>`, `<attestation>` (authority and role are compared) |
/// | `timing.startedOn`, `timing.finishedOn` | `<time>` |
/// | `inputs[].producerNode`, `inputs[].envelopePayloadDigest` | `<node NAME>`, `<envelope of NAME>`: upstream links compared by structure (which node's envelope, by its masked name) |
/// | `inputs` (order) | sorted by kind, then name (the gate orders signed values by producer node id) |
///
/// Everything else is compared byte for byte: the workflow digest, node's template name and digest, attempt,
/// producer command and isolation and containers, governance digests, inputs' names, kinds and digests and
/// subject names, chain depth, outcome, replay facts.
package struct LineageMask: Sendable {
    /// The run's workflow name.
    package var workflowName: String
    /// Node names by node id, and by envelope payload digest (hex), from the run's envelopes.
    package var nodeNames: [String: String]
    package var envelopeNodes: [String: String]

    package init(workflowName: String, nodeNames: [String: String], envelopeNodes: [String: String]) {
        self.workflowName = workflowName
        self.nodeNames = nodeNames
        self.envelopeNodes = envelopeNodes
    }

    /// `name` with the workflow name, where it begins it, replaced by `<workflow>`.
    package func maskedName(_ name: String) -> String {
        guard name.hasPrefix(workflowName) else { return name }
        return "<workflow>" + name.dropFirst(workflowName.count)
    }

    /// The predicate with the masked fields replaced.
    package func masked(_ predicate: CanonicalJSON) -> CanonicalJSON {
        guard var object = predicate.objectValue else { return predicate }
        if var workflow = object["workflow"]?.objectValue {
            if workflow["name"] != nil { workflow["name"] = "<workflow>" }
            if workflow["runId"] != nil { workflow["runId"] = "<run>" }
            object["workflow"] = .object(workflow)
        }
        if var node = object["node"]?.objectValue {
            let name = node["name"]?.stringValue.map(maskedName) ?? "?"
            node["id"] = .string("<node \(name)>")
            node["name"] = .string(name)
            if let within = node["within"]?.arrayValue {
                node["within"] = .array(
                    within.map { entry in
                        guard var members = entry.objectValue, let task = members["task"]?.stringValue else {
                            return entry
                        }
                        members["task"] = .string(maskedName(task))
                        return .object(members)
                    })
            }
            object["node"] = .object(node)
        }
        if object["invocationId"] != nil { object["invocationId"] = "<invocation>" }
        if var producer = object["producer"]?.objectValue {
            for field in ["id", "runtime", "version"] where producer[field] != nil { producer[field] = "<runtime>" }
            if let image = producer["image"]?.stringValue {
                producer["image"] = .string(String(image.prefix { $0 != "@" }))
            }
            if producer["signer"] != nil { producer["signer"] = ["keyid": "<key>", "publicKeyDigest": "<key>"] }
            object["producer"] = .object(producer)
        }
        if let slope = object["trustSlope"]?.arrayValue {
            object["trustSlope"] = .array(
                slope.map { hop in
                    guard var members = hop.objectValue else { return hop }
                    members["keyid"] = "<key>"
                    members["attestation"] = "<attestation>"
                    return .object(members)
                })
        }
        if object["timing"] != nil { object["timing"] = ["startedOn": "<time>", "finishedOn": "<time>"] }
        if let inputs = object["inputs"]?.arrayValue {
            object["inputs"] = .array(
                inputs.map { input in
                    guard var members = input.objectValue else { return input }
                    if let producer = members["producerNode"]?.stringValue {
                        members["producerNode"] = .string(
                            "<node \(nodeNames[producer].map(maskedName) ?? "unknown \(producer)")>")
                    }
                    if let digest = members["envelopePayloadDigest"]?["sha256"]?.stringValue {
                        members["envelopePayloadDigest"] = .string(
                            "<envelope of \(envelopeNodes[digest].map(maskedName) ?? "no envelope of this run")>")
                    }
                    return .object(members)
                }
                // Compared by kind and masked name: the gate orders signed values by producer node id, which
                // differs between runs.
                .sorted { lhs, rhs in
                    let left = String(decoding: lhs.bytes, as: UTF8.self)
                    let right = String(decoding: rhs.bytes, as: UTF8.self)
                    return (lhs["kind"]?.stringValue ?? "", lhs["name"]?.stringValue ?? "", left)
                        < (rhs["kind"]?.stringValue ?? "", rhs["name"]?.stringValue ?? "", right)
                })
        }
        return .object(object)
    }

    /// One difference: the dotted path (`inputs[1].digest.sha256`) and each side's value as JSON (`absent`).
    package struct Difference: Sendable, Equatable, CustomStringConvertible {
        package var path: String
        package var left: String
        package var right: String

        package var description: String { "\(path) (\(left) / \(right))" }
    }

    /// Where two JSON values differ, in path order.
    package static func differences(_ left: CanonicalJSON?, _ right: CanonicalJSON?, at path: String = "")
        -> [Difference]
    {
        if left == right { return [] }
        if let lhs = left?.objectValue, let rhs = right?.objectValue {
            return Set(lhs.keys).union(rhs.keys).sorted().flatMap { key in
                differences(lhs[key], rhs[key], at: path.isEmpty ? key : path + "." + key)
            }
        }
        if let lhs = left?.arrayValue, let rhs = right?.arrayValue, lhs.count == rhs.count {
            return zip(lhs, rhs).enumerated().flatMap { index, pair in
                differences(pair.0, pair.1, at: "\(path)[\(index)]")
            }
        }
        func text(_ value: CanonicalJSON?) -> String {
            guard let value else { return "absent" }
            let json = String(decoding: value.bytes, as: UTF8.self)
            return json.count > 120 ? String(json.prefix(120)) + "…" : json
        }
        return [Difference(path: path.isEmpty ? "(the whole predicate)" : path, left: text(left), right: text(right))]
    }
}

import Foundation
import SluiceSpec
package import SluiceStore

/// Renders a recorded run as an Argo `Workflow` object (`argo get -o json` shape).
package enum ArgoStatus {
    /// The Workflow object as JSON-compatible values.
    package static func workflowObject(run: RunRecord, nodes: [NodeRecord]) -> [String: Any] {
        var nodeObjects: [String: Any] = [:]
        let byID = Dictionary(nodes.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for node in nodes {
            var object: [String: Any] = [
                "id": node.id, "name": node.name, "displayName": node.displayName, "type": node.type.rawValue,
                "phase": node.phase.rawValue, "children": decodeArray(node.childrenJSON),
                "progress": progress(of: node.id, in: byID),
            ]
            object["templateName"] = node.templateName
            object["message"] = node.message
            object["boundaryID"] = node.boundaryID
            object["startedAt"] = node.startedAt.map(format)
            object["finishedAt"] = node.finishedAt.map(format)
            if let inputs = node.inputsJSON.flatMap(decodeObject), !inputs.isEmpty { object["inputs"] = inputs }
            if let outputs = node.outputsJSON.flatMap(decodeObject), !outputs.isEmpty { object["outputs"] = outputs }
            if let digest = node.envelopeDigest { object["lineageEnvelope"] = "sha256:" + digest }
            if let memoization = MemoizationStatus(message: node.message) {
                object["memoizationStatus"] =
                    [
                        "hit": memoization.hit, "key": memoization.key, "cacheName": memoization.cacheName,
                    ] as [String: Any]
            }
            nodeObjects[node.id] = object
        }
        let pods = nodes.filter { $0.type == .pod }.map(podProgress)
        var status: [String: Any] = [
            "phase": run.phase.rawValue, "nodes": nodeObjects,
            "progress": "\(pods.map(\.done).reduce(0, +))/\(pods.map(\.total).reduce(0, +))",
        ]
        status["startedAt"] = run.startedAt.map(format)
        status["finishedAt"] = run.finishedAt.map(format)
        status["message"] = run.message
        if let outputs = run.outputsJSON.flatMap(decodeObject) { status["outputs"] = outputs }
        let parameters = (decodeObject(run.parametersJSON) ?? [:]).sorted { $0.key < $1.key }
            .map { ["name": $0.key, "value": $0.value] }
        return [
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "Workflow",
            "metadata": [
                "name": run.name, "namespace": "default", "uid": run.id,
                "creationTimestamp": format(run.createdAt),
                "labels": ["workflows.argoproj.io/phase": run.phase.rawValue],
                "annotations": [
                    "sluice.dev/workflow-digest": "sha256:" + run.workflowDigest,
                    "sluice.dev/governance-digest": "sha256:" + run.governanceDigest,
                    "sluice.dev/signer-keyid": run.signerKeyID, "sluice.dev/runtime": run.runtime,
                ],
            ] as [String: Any],
            "spec": ["arguments": ["parameters": parameters]],
            "status": status,
        ]
    }

    /// The object as pretty, key-sorted JSON text.
    package static func json(run: RunRecord, nodes: [NodeRecord]) -> String {
        let object = workflowObject(run: run, nodes: nodes)
        guard
            let data = try? JSONSerialization.data(
                withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// A pod's own progress: what it reported through `ARGO_PROGRESS_FILE`, else `1/1` once it Succeeded and
    /// `0/1` before.
    static func podProgress(_ node: NodeRecord) -> (done: Int, total: Int) {
        if let reported = node.progress {
            let parts = reported.split(separator: "/")
            if parts.count == 2, let done = Int(parts[0]), let total = Int(parts[1]) { return (done, total) }
        }
        return (node.phase == .succeeded ? 1 : 0, 1)
    }

    /// Argo's `progress`: the sum of the pods' progress at or below a node.
    static func progress(of id: String, in nodes: [String: NodeRecord]) -> String {
        var seen: Set<String> = []
        var succeeded = 0
        var total = 0
        var stack = [id]
        while let current = stack.popLast() {
            guard seen.insert(current).inserted, let node = nodes[current] else { continue }
            if node.type == .pod {
                let own = podProgress(node)
                total += own.total
                succeeded += own.done
            }
            // Follow children inside this node's boundary only (DAG task children are siblings, not descendants).
            for child in decodeArray(node.childrenJSON).compactMap({ $0 as? String }) {
                if let next = nodes[child], next.boundaryID == node.id || node.type == .stepGroup {
                    stack.append(next.id)
                }
            }
        }
        return "\(succeeded)/\(total)"
    }

    static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: false, timeZone: .gmt))
    }

    static func decodeArray(_ text: String) -> [Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [Any] ?? []
    }

    static func decodeObject(_ text: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
    }

}

import Foundation
import SluiceExpressions
import SluiceGovernance
package import SluicePlan
import SluiceSpec
package import SluiceStore

extension ArgoWorkflow {
    /// The Workflow object of a recorded run: the run's metadata and parameters, every node, the pods' progress.
    package init(run: RunRecord, nodes: [NodeRecord]) {
        let byID = Dictionary(nodes.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var nodeStatuses: [String: Node] = [:]
        nodeStatuses.reserveCapacity(byID.count)
        for node in byID.values {
            nodeStatuses[node.id] = Node(record: node, progress: Self.progress(of: node.id, in: byID))
        }
        let pods = nodes.filter { $0.type == .pod }.map(Self.podProgress)
        let parameters = [ParameterValue](parsingObject: run.parametersJSON)
        self.init(
            metadata: Metadata(
                name: run.name, namespace: "default", uid: run.id, creationTimestamp: ArgoTime.format(run.createdAt),
                labels: ["workflows.argoproj.io/phase": run.phase.rawValue],
                annotations: [
                    "sluice.dev/workflow-digest": "sha256:" + run.workflowDigest,
                    "sluice.dev/governance-digest": "sha256:" + run.governanceDigest,
                    "sluice.dev/signer-keyid": run.signerKeyID, "sluice.dev/runtime": run.runtime,
                ]),
            spec: Spec(arguments: Spec.Arguments(parameters: parameters)),
            status: Status(
                phase: run.phase.rawValue, startedAt: run.startedAt.map(ArgoTime.format),
                finishedAt: run.finishedAt.map(ArgoTime.format), message: run.message,
                progress: "\(pods.map(\.done).reduce(0, +))/\(pods.map(\.total).reduce(0, +))", nodes: nodeStatuses,
                outputs: run.outputsJSON.flatMap(Values.init(storedJSON:))))
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
            for child in Node.children(node.childrenJSON) {
                if let next = nodes[child], next.boundaryID == node.id || node.type == .stepGroup {
                    stack.append(next.id)
                }
            }
        }
        return "\(succeeded)/\(total)"
    }
}

extension ArgoWorkflow.Node {
    /// A recorded node as the status shows it.
    init(record node: NodeRecord, progress: String) {
        let inputs = node.inputsJSON.flatMap(ArgoWorkflow.Values.init(storedJSON:))
        let outputs = node.outputsJSON.flatMap(ArgoWorkflow.Values.init(storedJSON:))
        self.init(
            id: node.id, name: node.name, displayName: node.displayName, type: node.type, phase: node.phase,
            templateName: node.templateName, message: node.message, boundaryID: node.boundaryID,
            children: Self.children(node.childrenJSON), progress: progress,
            startedAt: node.startedAt.map(ArgoTime.format), finishedAt: node.finishedAt.map(ArgoTime.format),
            inputs: inputs?.isEmpty == false ? inputs : nil, outputs: outputs?.isEmpty == false ? outputs : nil,
            lineageEnvelope: node.envelopeDigest.map { "sha256:" + $0 },
            memoizationStatus: node.memoization.map {
                ArgoWorkflow.Memoization(hit: $0.hit, key: $0.key, cacheName: $0.cacheName)
            })
    }

    /// The child ids a node row records (a JSON array of strings; anything else is no children).
    static func children(_ json: String) -> [String] {
        (try? JSONDecoder().decode([String].self, from: Data(json.utf8))) ?? []
    }
}

extension ArgoWorkflow.Values {
    /// Inputs or outputs as the store records them (`NodeInputs`/`NodeOutputs` JSON), nil when unreadable.
    init?(storedJSON: String) {
        guard let values = try? JSONDecoder().decode(Self.self, from: Data(storedJSON.utf8)) else { return nil }
        self = values
    }
}

extension NodeOutputs {
    /// A pod's outputs as its status shows them, with Sluice's artifact members.
    ///
    /// - Throws: `DecodingError` when an artifact lacks what Sluice records for one (its digest, where it is stored).
    package init(_ values: ArgoWorkflow.Values) throws {
        self.init()
        parameters = values.parameters ?? []
        artifacts = try JSONDecoder().decode(
            [OutputArtifact].self, from: Data(CanonicalJSON.array(values.artifacts ?? []).bytes))
        result = values.result
        exitCode = values.exitCode
    }
}

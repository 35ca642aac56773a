import Foundation

/// The pods that Succeeded in a recorded Workflow object (`argo get -o json`), with their outputs: what
/// `kube simulate --resume` keeps instead of running them again, as `argo retry` does.
struct RecordedPods {
    /// Recorded results by node id.
    var succeeded: [String: PodResult] = [:]

    init() {}

    /// Reads the Workflow object at `statusPath`.
    ///
    /// - Throws: ``KubeError/simulation(reason:)`` when it is missing or is not a Workflow object.
    init(statusPath: String) throws(KubeError) {
        guard let data = FileManager.default.contents(atPath: statusPath),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { throw .simulation(reason: "--resume: no Workflow object at '\(statusPath)' to continue") }
        let nodes = (object["status"] as? [String: Any])?["nodes"] as? [String: Any] ?? [:]
        for (id, value) in nodes {
            guard let node = value as? [String: Any], node["type"] as? String == "Pod",
                node["phase"] as? String == WalkPhase.succeeded.rawValue
            else { continue }
            let recorded = node["outputs"] as? [String: Any] ?? [:]
            var outputs = PodOutputs()
            for parameter in recorded["parameters"] as? [[String: Any]] ?? [] {
                if let name = parameter["name"] as? String, let value = parameter["value"] as? String {
                    outputs.parameters.append(NamedValue(name: name, value: value))
                }
            }
            for artifact in recorded["artifacts"] as? [[String: Any]] ?? [] {
                guard let name = artifact["name"] as? String, let key = ClusterCollector.key(of: artifact) else {
                    continue
                }
                outputs.artifacts.append(
                    RepositoryArtifact(name: name, key: key, isArchive: ClusterCollector.isArchive(artifact, key: key)))
            }
            outputs.result = recorded["result"] as? String
            outputs.exitCode = (recorded["exitCode"] as? String).flatMap { Int32($0) }
            var result = PodResult(phase: .succeeded, message: node["message"] as? String, outputs: outputs)
            result.startedAt = node["startedAt"] as? String
            result.finishedAt = node["finishedAt"] as? String
            succeeded[id] = result
        }
    }
}

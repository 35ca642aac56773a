import Foundation
import SluiceGovernance
import SluiceSpec

/// `sluice kube simulate`: runs a rendered Workflow's pods for real under podman, in the order Argo would, with a
/// directory standing in for the artifact repository; leaves in that directory what a cluster run leaves (the
/// artifacts and envelopes under Argo's keys, and the Workflow object as `argo get -o json` prints it).
package struct KubeSimulator {
    /// What a simulation left.
    package struct Outcome: Sendable {
        package var workflowName: String
        package var runID: String
        package var phase: WalkPhase
        package var nodes: [WalkedNode]
        /// The Workflow object written into the repository directory.
        package var statusPath: String
    }

    /// The rendered Workflow file.
    package var renderedPath: String
    /// The repository directory.
    package var repository: String
    /// The lineage key file the signer Secret stands for.
    package var signerKeyPath: String
    /// Where the Workflow object goes (default `<repository>/<workflow>.workflow.json`).
    package var statusPath: String?
    /// Continue the run recorded in the Workflow object at the status path, as `argo retry` does: pods that
    /// Succeeded there keep their outputs (nothing is re-run); the others run again.
    package var resume = false
    /// A signed revocation list (`sluice revocations export`) standing in for the `sluice-revocations` ConfigMap.
    package var revocationList: String?
    /// Seconds a pod may run when its template sets no `activeDeadlineSeconds`.
    package var podDeadline = 600
    /// Reports each pod as it ends.
    package var progress: @Sendable (WalkedNode) -> Void = { _ in }

    package init(renderedPath: String, repository: String, signerKeyPath: String) {
        self.renderedPath = renderedPath
        self.repository = repository.absolutePath
        self.signerKeyPath = signerKeyPath.absolutePath
    }

    /// Runs the workflow to its end.
    ///
    /// - Throws: ``KubeError/invalidWorkflow(_:)`` for a file that does not load, ``KubeError/simulation(reason:)``
    ///   for what cannot be simulated or when podman fails around a pod.
    package func run() async throws(KubeError) -> Outcome {
        let loaded: LoadedFile
        do {
            loaded = try SpecLoader.load(path: renderedPath, clusterFeatures: true)
        } catch {
            throw .invalidWorkflow(error)
        }
        guard let document = loaded.documents.first else {
            throw .simulation(reason: "'\(renderedPath)' holds no Workflow")
        }
        let workflow = RenderedYAML(document.tree)
        guard let runID = workflow["metadata"]?["annotations"]?[KubeRenderer.Annotation.runID]?.scalarText else {
            throw .simulation(
                reason:
                    "'\(renderedPath)' has no annotation \(KubeRenderer.Annotation.runID): render it with sluice kube render first"
            )
        }
        var walk = try ArgoWalk(workflow: workflow, runID: runID)
        let scratch = NSTemporaryDirectory() + "sluice-simulate-\(UUID().uuidString)"
        do {
            try FileManager.default.createDirectory(atPath: repository, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        } catch {
            throw .simulation(reason: "cannot create '\(repository)': \(error.localizedDescription)")
        }
        defer {
            if ProcessInfo.processInfo.environment["SLUICE_SIMULATE_KEEP"] == nil {
                try? FileManager.default.removeItem(atPath: scratch)
            }
        }
        // Every Secret a pod mounts (templates' and inline templates' volumes) stands for the signer's key.
        var secrets: [String: String] = [:]
        func collect(_ value: RenderedYAML) {
            if let name = value["secret"]?["secretName"]?.scalarText { secrets[name] = signerKeyPath }
            switch value {
            case .mapping(let entries): entries.forEach { collect($0.value) }
            case .sequence(let elements): elements.forEach(collect)
            case .scalar: break
            }
        }
        collect(workflow["spec"] ?? .mapping([]))
        var pods = PodmanPods(
            repository: repository, scratch: scratch, workflowName: walk.workflowName, secretKeys: secrets)
        pods.revocationList = revocationList?.absolutePath
        pods.podDeadline = podDeadline
        let startedAt = PodmanPods.timestamp()
        let progress = self.progress
        let statusPath = self.statusPath ?? repository + "/\(walk.workflowName).workflow.json"
        let recorded = resume ? try RecordedPods(statusPath: statusPath) : RecordedPods()
        let phase = try await walk.run { (call: PodCall) async throws(KubeError) -> PodResult in
            if let kept = recorded.succeeded[call.nodeID] { return kept }
            let result = try await pods.run(call)
            var node = WalkedNode(
                id: call.nodeID, name: call.nodeName, displayName: call.displayName, kind: .pod,
                templateName: call.templateName, phase: result.phase)
            node.message = result.message
            progress(node)
            return result
        }
        let status = WorkflowStatus.json(
            workflow: workflow, runID: runID, phase: phase, nodes: walk.nodes, startedAt: startedAt,
            finishedAt: PodmanPods.timestamp())
        do {
            try Data(status.bytes + [0x0A]).write(to: URL(fileURLWithPath: statusPath))
        } catch {
            throw .simulation(reason: "cannot write '\(statusPath)': \(error.localizedDescription)")
        }
        return Outcome(
            workflowName: walk.workflowName, runID: runID, phase: phase, nodes: walk.nodes, statusPath: statusPath)
    }
}

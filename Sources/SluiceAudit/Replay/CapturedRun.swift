import Foundation
import SluiceEngine
import SluiceExpressions
import SluiceGovernance
import SluiceSpec

/// The run a verified bundle captured, read from its files: what a replay runs again and what it may reuse.
struct CapturedRun {
    /// A pod that succeeded and recorded a lineage envelope.
    struct Node {
        var id: String
        /// The node name without the run name (`.produce`): the same in the replay run.
        var relativeName: String
        var displayName: String
        var outputs: NodeOutputs
        var envelopeDigest: Digest
        var predicate: LineagePredicate
        var subjects: [Statement.Subject]
    }

    var runID: String
    var runName: String
    var phase: String
    var workflowText: String
    var parametersText: String
    var parameters: [ParameterValue]
    var workflowDigest: Digest
    var governance: GovernanceDocument
    var submission: Envelope
    var manifestDigest: Digest
    var envelopes: [(digest: Digest, nodeID: String, keyID: String, bytes: [UInt8])]
    var nodes: [Node]

    /// Reads a bundle directory that verified.
    ///
    /// - Throws: `ExportError.bundleUnreadable` naming the file that cannot be read as expected.
    init(directory root: String) throws(ExportError) {
        func bytes(_ relative: String) throws(ExportError) -> [UInt8] {
            guard let data = FileManager.default.contents(atPath: root + "/" + relative) else {
                throw .bundleUnreadable(path: root, reason: "'\(relative)' cannot be read")
            }
            return [UInt8](data)
        }
        func unreadable(_ relative: String, _ reason: String) -> ExportError {
            .bundleUnreadable(path: root, reason: "'\(relative)' \(reason)")
        }
        manifestDigest = Digest.sha256(try bytes(BundleLayout.manifest))
        workflowText = String(decoding: try bytes(BundleLayout.workflow), as: UTF8.self)
        workflowDigest = try SubmittedWorkflow(text: workflowText, file: BundleLayout.workflow).digest
        let parametersBytes = try bytes(BundleLayout.parameters)
        parametersText = String(decoding: parametersBytes, as: UTF8.self)
        guard let object = (try? CanonicalJSON(parsing: parametersBytes))?.objectValue else {
            throw unreadable(BundleLayout.parameters, "is not a JSON object")
        }
        parameters = [ParameterValue](object: object)
        do {
            governance = try GovernanceDocument(json: try CanonicalJSON(parsing: try bytes(BundleLayout.governance)))
            submission = try Envelope(jsonBytes: try bytes(BundleLayout.submission))
        } catch let error as ExportError {
            throw error
        } catch {
            throw unreadable(BundleLayout.governance, "or the submission attestation is unusable: \(error)")
        }

        let workflow: ArgoWorkflow
        do {
            workflow = try ArgoWorkflow(json: Data(try bytes(BundleLayout.status)))
        } catch let error as ExportError {
            throw error
        } catch {
            throw unreadable(BundleLayout.status, "cannot be read: \(error)")
        }
        runID = workflow.metadata.uid
        runName = workflow.metadata.name
        phase = workflow.status?.phase ?? "Failed"

        envelopes = []
        var byDigest: [Digest: (envelope: Envelope, file: String)] = [:]
        let paths = (try? BundleFiles(root: root).relativePaths()) ?? []
        for file in paths where BundleLayout.isLineageEnvelope(file) {
            let content = try bytes(file)
            guard let envelope = try? Envelope(jsonBytes: content),
                let keyID = envelope.signatures.first?.keyID,
                let statement = try? Statement(payloadBytes: envelope.payload),
                let predicate = try? LineagePredicate(json: statement.predicate)
            else { throw unreadable(file, "is not a lineage envelope") }
            envelopes.append((envelope.payloadDigest, predicate.node.id, keyID, content))
            byDigest[envelope.payloadDigest] = (envelope, file)
        }

        nodes = []
        for (id, node) in workflow.status?.nodes ?? [:] {
            guard node.type == .pod, node.phase == .succeeded, let hex = node.envelopeHex,
                let digest = try? Digest(hex: hex), let (envelope, file) = byDigest[digest]
            else { continue }
            let outputs: NodeOutputs
            do {
                outputs = try NodeOutputs(node.outputs ?? ArgoWorkflow.Values())
            } catch {
                throw unreadable(BundleLayout.status, "node '\(id)' has outputs that cannot be read: \(error)")
            }
            guard let statement = try? Statement(payloadBytes: envelope.payload),
                let predicate = try? LineagePredicate(json: statement.predicate)
            else { throw unreadable(file, "is not a lineage envelope") }
            nodes.append(
                Node(
                    id: id,
                    relativeName: node.name.hasPrefix(runName) ? String(node.name.dropFirst(runName.count)) : node.name,
                    displayName: node.displayName ?? id, outputs: outputs, envelopeDigest: digest,
                    predicate: predicate, subjects: statement.subjects))
        }
        nodes.sort { $0.relativeName < $1.relativeName }
    }

    /// The nodes to run again for `--from name`: the named node (display name, task name, node name or id) and
    /// every node whose recorded inputs come, transitively, from one of them.
    ///
    /// - Throws: `ExportError.replayNodeUnknown` when no captured node matches.
    func rerun(from name: String) throws(ExportError) -> Set<String> {
        let roots = nodes.filter { node in
            let task = node.displayName.firstIndex(of: "(").map { String(node.displayName[..<$0]) } ?? node.displayName
            return node.displayName == name || task == name || node.relativeName == name
                || node.relativeName == "." + name || node.id == name
        }
        guard !roots.isEmpty else { throw .replayNodeUnknown(name: name, known: nodes.map(\.displayName)) }
        var rerun = Set(roots.map(\.id))
        var digests = Set(roots.map(\.envelopeDigest))
        var changed = true
        while changed {
            changed = false
            for node in nodes where !rerun.contains(node.id) {
                if node.predicate.inputs.contains(where: { $0.envelopePayloadDigest.map(digests.contains) == true }) {
                    rerun.insert(node.id)
                    digests.insert(node.envelopeDigest)
                    changed = true
                }
            }
        }
        return rerun
    }
}

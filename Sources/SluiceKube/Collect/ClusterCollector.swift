import Foundation
import SluiceAudit
import SluiceEngine
package import SluiceGovernance

/// `sluice kube collect`: turns what a cluster run left, its Workflow object (`argo get -o json`) and the objects
/// in its artifact repository, into the bundle `sluice export` writes, so that `sluice verify BUNDLE` checks it
/// offline with no cluster.
///
/// From the Workflow's annotations (written by `kube render`): `workflow.yaml` (the submitted Workflow document,
/// as its canonical JSON, which YAML reads back to the same digest), `parameters.json`, `governance.json` and the
/// submission attestation. From its signer sidecars' run facts: the submitting key. From each Pod node: its
/// envelope (output artifact `sluice-envelope`, recorded by `sluice-envelope-digest`), its output artifacts (Argo's
/// tar.gz archives unpacked and stored by digest) and its parameters and `result` (in `status.json`). The run
/// attestation (the outcome: phases, messages, envelopes) is signed by the collector with `key`, which must be a
/// key the governance admits to sign (the lineage key): on a cluster no pod sees the whole run.
package struct ClusterCollector {
    /// What collecting wrote.
    package struct Summary: Sendable, Equatable {
        package var path: String
        package var envelopes: Int
        package var artifacts: Int
        package var files: Int
    }

    /// The repository directory (the bucket: keys are paths below it).
    package var repository: String
    /// The Workflow object's path.
    package var statusPath: String
    /// Signs the run attestation; its public key and the submitter's are the bundle's trusted keys.
    package var key: SigningKey
    /// The lineage key when it is not `key` (public).
    package var lineageKey: PublicKey?

    package init(repository: String, statusPath: String, key: SigningKey, lineageKey: PublicKey? = nil) {
        self.repository = repository.absolutePath
        self.statusPath = statusPath
        self.key = key
        self.lineageKey = lineageKey
    }

    /// Writes the bundle directory `output` (which must not exist).
    ///
    /// - Throws: ``KubeError/collect(reason:)`` naming what is missing or unreadable.
    package func collect(to output: String) async throws(KubeError) -> Summary {
        let workflow = try readStatus()
        guard !FileManager.default.fileExists(atPath: output) else {
            throw .collect(reason: "'\(output)' already exists: give a new directory for the bundle")
        }
        guard make(output) else { throw .collect(reason: "cannot create the bundle directory '\(output)'") }
        let metadata = workflow["metadata"] as? [String: Any] ?? [:]
        let annotations = metadata["annotations"] as? [String: String] ?? [:]
        func annotation(_ name: String) throws(KubeError) -> String {
            guard let value = annotations[name], !value.isEmpty else {
                throw .collect(
                    reason: "the Workflow has no annotation '\(name)': was it rendered by sluice kube render?")
            }
            return value
        }
        guard let runID = metadata["uid"] as? String ?? annotations[KubeRenderer.Annotation.runID] else {
            throw .collect(reason: "the Workflow has no metadata.uid")
        }
        let submission: Envelope
        do {
            submission = try Envelope(jsonBytes: Array(try annotation(KubeRenderer.Annotation.submission).utf8))
        } catch let error as KubeError {
            throw error
        } catch {
            throw .collect(reason: "the submission annotation is not a DSSE envelope: \(error)")
        }
        let facts = try runFacts(workflow)
        let files = BundleFiles(root: output)
        do {
            try files.write(
                BundleLayout.workflow,
                Data(try Self.workflowYAML(try annotation(KubeRenderer.Annotation.workflow)).utf8))
            try files.write(BundleLayout.parameters, Data(try annotation(KubeRenderer.Annotation.parameters).utf8))
            try files.write(
                BundleLayout.governance, Data((annotations[KubeRenderer.Annotation.governance] ?? "null").utf8))
            try files.write(BundleLayout.submission, Data(submission.jsonBytes()))
        } catch let error as KubeError {
            throw error
        } catch {
            throw .collect(reason: "\(error)")
        }

        // Nodes: envelopes, artifacts, the envelope each node's status records.
        let status = workflow["status"] as? [String: Any] ?? [:]
        var nodes = status["nodes"] as? [String: Any] ?? [:]
        var envelopeLines: [UInt8] = []
        var envelopeCount = 0
        var stored = Set<String>()
        var outcomeNodes: [String: RunOutcome.Node] = [:]
        var envelopeDigests = Set<String>()
        var denials: [CanonicalJSON] = []
        for id in nodes.keys.sorted() {
            guard var node = nodes[id] as? [String: Any] else { continue }
            let outputs = node["outputs"] as? [String: Any] ?? [:]
            let parameters = outputs["parameters"] as? [[String: Any]] ?? []
            let recorded =
                parameters.first { $0["name"] as? String == PodLayout.envelopeDigestParameter }?["value"]
                as? String
            var envelopeHex: String?
            for artifact in outputs["artifacts"] as? [[String: Any]] ?? [] {
                guard let name = artifact["name"] as? String, let key = Self.key(of: artifact) else { continue }
                let object = repository + "/" + key
                if name.hasPrefix(PodLayout.envelopeArtifact), node["type"] as? String != "Pod" {
                    // A copy of a pod's envelope on the node above it (a Retry node's outputs are its last attempt's;
                    // a steps or DAG node forwards its producers'): the pod's own record holds it.
                    continue
                } else if name == PodLayout.envelopeArtifact {
                    guard let bytes = FileManager.default.contents(atPath: object) else {
                        throw .collect(reason: "node '\(id)': its envelope '\(key)' is not in the repository")
                    }
                    var line = [UInt8](bytes)
                    while line.last == 0x0A { line.removeLast() }
                    guard let envelope = try? Envelope(jsonBytes: line) else {
                        throw .collect(reason: "node '\(id)': '\(key)' is not a DSSE envelope")
                    }
                    let isRecorded = recorded == envelope.payloadDigest.description
                    let stem = isRecorded ? id : "\(id)-\(envelope.payloadDigest.hex.prefix(16))"
                    try write(files, BundleLayout.envelopes + "/" + stem + BundleLayout.envelopeSuffix, Data(line))
                    envelopeLines += line + [0x0A]
                    envelopeCount += 1
                    envelopeDigests.insert(envelope.payloadDigest.hex)
                    if isRecorded { envelopeHex = envelope.payloadDigest.hex }

                } else {
                    try await store(
                        object, key: key, isArchive: Self.isArchive(artifact, key: key), files: files, stored: &stored)
                }
            }
            if let envelopeHex { node["lineageEnvelope"] = "sha256:" + envelopeHex }
            nodes[id] = node
            let phase = node["phase"] as? String ?? ""
            let message = node["message"] as? String
            outcomeNodes[id] = RunOutcome.Node(phase: phase, message: message, envelope: envelopeHex)
            if let message, let denial = Self.denial(nodeID: id, message: message, at: node["finishedAt"] as? String) {
                denials.append(denial)
            }
        }
        var bundleStatus = workflow
        var statusObject = status
        statusObject["nodes"] = nodes
        bundleStatus["status"] = statusObject
        let denialsJSON = CanonicalJSON.array(denials)
        do {
            let statusData = try JSONSerialization.data(
                withJSONObject: bundleStatus, options: [.sortedKeys, .prettyPrinted])
            try write(files, BundleLayout.status, statusData + Data("\n".utf8))
        } catch let error as KubeError {
            throw error
        } catch {
            throw .collect(reason: "cannot write status.json: \(error)")
        }
        try write(files, BundleLayout.envelopeLines, Data(envelopeLines))
        try write(files, BundleLayout.denials, Data(denialsJSON.bytes))
        let lineage = lineageKey ?? key.publicKey
        let submitter = facts.submitterKey
        var trusted = [submitter]
        for candidate in [lineage, key.publicKey] where !trusted.contains(where: { $0.keyID == candidate.keyID }) {
            trusted.append(candidate)
        }
        try write(files, BundleLayout.signerKey, Data(lineage.pem.utf8))
        try write(files, BundleLayout.trustedKeys, Data(trusted.map(\.pem).joined().utf8))
        let exportedAt = Self.date(status["finishedAt"] as? String) ?? Date(timeIntervalSince1970: 0)
        try write(
            files, BundleLayout.revocations,
            Data(RevocationList(entries: []).json(issuer: nil, exportedAt: exportedAt).bytes))

        let outcome = RunOutcome(
            runID: runID, phase: status["phase"] as? String ?? "", message: status["message"] as? String,
            nodes: outcomeNodes, denials: denialsJSON, envelopes: envelopeDigests)
        try write(files, BundleLayout.outcome, Data(outcome.statement.signed(with: key).jsonBytes()))

        let listed: [BundleFiles.Entry]
        do {
            listed = try files.manifestEntries()
        } catch {
            throw .collect(reason: error.description)
        }
        let manifest: CanonicalJSON = [
            "format": .string(BundleLayout.format),
            "run": [
                "id": .string(runID), "name": .string(metadata["name"] as? String ?? ""),
                "phase": .string(status["phase"] as? String ?? ""),
                "workflowDigest": ["sha256": .string(facts.workflowDigest.hex)],
                "signerKeyid": .string(lineage.keyID),
            ],
            "files": .array(
                listed.map { entry in
                    ["path": .string(entry.path), "sha256": .string(entry.sha256), "size": .integer(entry.size)]
                }),
        ]
        try write(files, BundleLayout.manifest, Data(manifest.bytes))
        return Summary(path: output, envelopes: envelopeCount, artifacts: stored.count, files: listed.count + 1)
    }

    // MARK: - Reading

    private func readStatus() throws(KubeError) -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: statusPath) else {
            throw .collect(reason: "cannot read the Workflow object '\(statusPath)'")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            object["kind"] as? String == "Workflow"
        else {
            throw .collect(reason: "'\(statusPath)' is not a Workflow object as `argo get -o json` prints it")
        }
        return object
    }

    /// The run facts a signer sidecar of the Workflow carries (`--run-facts`), in a template or an inline one.
    private func runFacts(_ workflow: [String: Any]) throws(KubeError) -> RunFacts {
        func search(_ value: Any) -> CanonicalJSON? {
            if let object = value as? [String: Any] {
                if object["name"] as? String == PodLayout.signerContainer, let command = object["command"] as? [String],
                    let index = command.firstIndex(of: "--run-facts"), index + 1 < command.count,
                    let json = try? CanonicalJSON(parsing: Array(command[index + 1].utf8))
                {
                    return json
                }
                for member in object.values { if let found = search(member) { return found } }
            } else if let array = value as? [Any] {
                for element in array { if let found = search(element) { return found } }
            }
            return nil
        }
        guard let json = search(workflow["spec"] ?? [:]) else {
            throw .collect(reason: "no template of the Workflow has a sluice-signer sidecar with --run-facts")
        }
        return try RunFacts(json: json)
    }

    /// The submitted Workflow document as YAML, from the canonical JSON the annotation carries (every scalar as its
    /// text): integers and booleans written plain, so that the typed model reads them as such, and every scalar with
    /// the same text, so that the document's digest is the one the submission signed.
    static func workflowYAML(_ json: String) throws(KubeError) -> String {
        guard let document = try? CanonicalJSON(parsing: Array(json.utf8)) else {
            throw .collect(reason: "the sluice.dev/workflow annotation is not canonical JSON")
        }
        func yaml(_ value: CanonicalJSON) -> RenderedYAML {
            if let text = value.stringValue {
                let isInteger = Int64(text).map { String($0) == text } ?? false
                return isInteger || text == "true" || text == "false" ? .scalar(text, isPlain: true) : .string(text)
            }
            if let elements = value.arrayValue { return .sequence(elements.map(yaml)) }
            if let members = value.objectValue {
                return .mapping(members.sorted { $0.key < $1.key }.map { RenderedYAML.Entry($0.key, yaml($0.value)) })
            }
            if let number = value.integerValue { return .scalar(String(number), isPlain: true) }
            if let flag = value.boolValue { return .scalar(flag ? "true" : "false", isPlain: true) }
            return .scalar("null", isPlain: true)
        }
        return yaml(document).text
    }

    /// The repository key an artifact record names (`s3`, `gcs`, `oss`: `key`; `azure`: `blob`).
    static func key(of artifact: [String: Any]) -> String? {
        for store in ["s3", "gcs", "oss", "hdfs"] {
            if let key = (artifact[store] as? [String: Any])?["key"] as? String { return key }
        }
        return ((artifact["azure"] as? [String: Any])?["blob"] as? String)
    }

    /// Whether the object is Argo's default tar.gz archive (not `archive: {none: {}}`).
    static func isArchive(_ artifact: [String: Any], key: String) -> Bool {
        if (artifact["archive"] as? [String: Any])?["none"] != nil { return false }
        return key.hasSuffix(".tgz") || key.hasSuffix(".tar.gz")
    }

    /// A denial for a node the wrapper refused (`node 'X' refused: [input 'Y': ]CHECK: reason`).
    static func denial(nodeID: String, message: String, at time: String?) -> CanonicalJSON? {
        guard let range = message.range(of: " refused: ") else { return nil }
        var rest = Substring(message[range.upperBound...])
        var object: [String: CanonicalJSON] = [
            "nodeId": .string(nodeID), "message": .string(message), "createdAt": .string(time ?? ""),
        ]
        if rest.hasPrefix("input '"), let end = rest.dropFirst(7).firstIndex(of: "'") {
            object["input"] = .string(String(rest[rest.index(rest.startIndex, offsetBy: 7)..<end]))
            rest = rest[rest.index(after: end)...].drop { $0 == ":" || $0 == " " }
        }
        object["check"] = .string(String(rest.prefix { $0 != ":" }))
        return .object(object)
    }

    private static func date(_ text: String?) -> Date? {
        text.flatMap { ISO8601DateFormatter().date(from: $0) }
    }

    // MARK: - Writing

    /// Stores one output artifact under its digest (unpacking an archive first).
    private func store(
        _ object: String, key: String, isArchive: Bool, files: BundleFiles, stored: inout Set<String>
    ) async throws(KubeError) {
        guard FileManager.default.fileExists(atPath: object) else {
            throw .collect(reason: "artifact '\(key)' is not in the repository")
        }
        var path = object
        let scratch = NSTemporaryDirectory() + "sluice-collect-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        if isArchive {
            _ = make(scratch)
            let ended = try await HostTool.run(["tar", "-xzf", object, "-C", scratch], in: scratch)
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: scratch)) ?? []
            guard ended.status == 0, entries.count == 1 else {
                throw .collect(reason: "artifact '\(key)' is not a tar.gz archive of one file or directory")
            }
            path = scratch + "/" + entries[0]
        }
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        do {
            let digest = isDirectory.boolValue ? try Digest.directoryHash(at: path) : try Digest.sha256(fileAt: path)
            let relative =
                (isDirectory.boolValue ? BundleLayout.treeArtifacts : BundleLayout.fileArtifacts) + "/" + digest.hex
            guard stored.insert(relative).inserted else { return }
            try files.copy(from: path, to: relative, isDirectory: isDirectory.boolValue)
        } catch {
            throw .collect(reason: "artifact '\(key)': \(error)")
        }
    }

    private func write(_ files: BundleFiles, _ relative: String, _ data: Data) throws(KubeError) {
        do {
            try files.write(relative, data)
        } catch {
            throw .collect(reason: error.description)
        }
    }

    private func make(_ directory: String) -> Bool {
        (try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)) != nil
    }
}

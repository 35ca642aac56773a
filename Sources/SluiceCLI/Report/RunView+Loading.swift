import Foundation
import SluiceExpressions
import SluiceGovernance
import SluiceSpec
import SluiceStatus

/// A governance refusal as read from the store or a bundle's `denials.json`.
struct DenialFact: Sendable, Equatable {
    var nodeID: String
    var input: String?
    var check: String
    var message: String
}

extension RunView {
    /// Longest parameter value kept in a report.
    static let valueLimit = 2_000

    /// Builds the view from a Workflow object (`sluice get -o json`, a bundle's `status.json`).
    ///
    /// - Parameters:
    ///   - workflow: the run's Workflow object.
    ///   - envelopes: each node's DSSE envelope (JSON bytes), by node id.
    ///   - denials: the run's governance refusals.
    ///   - logs: each node's output, by node id.
    init(workflow: ArgoWorkflow, envelopes: [String: Data], denials: [DenialFact], logs: [String: String]) {
        let annotations = workflow.metadata.annotations ?? [:]
        let status = workflow.status
        name = workflow.metadata.name
        id = workflow.metadata.uid
        phase = status?.phase ?? "Unknown"
        message = status?.message
        startedAt = status?.startedAt.flatMap(Self.date)
        finishedAt = status?.finishedAt.flatMap(Self.date)
        runtime = annotations["sluice.dev/runtime"]
        workflowDigest = annotations["sluice.dev/workflow-digest"]
        governanceDigest = annotations["sluice.dev/governance-digest"]
        signer = annotations["sluice.dev/signer-keyid"]
        let refusals = Dictionary(grouping: denials, by: \.nodeID)
        nodes = (status?.nodes ?? [:]).values.compactMap { status in
            guard var node = NodeView(argo: status) else { return nil }
            node.refusals = (refusals[node.id] ?? []).map {
                RefusalView(check: $0.check, input: $0.input, message: $0.message)
            }
            node.logs = logs[node.id]
            if let data = envelopes[node.id], let envelope = EnvelopeReading(json: data) {
                node.envelope = envelope.view
                node.attachLineage(envelope.inputs)
                node.attachOutputDigests(envelope.subjects)
            }
            return node
        }.sorted { ($0.startedAt ?? .distantFuture, $0.id) < ($1.startedAt ?? .distantFuture, $1.id) }
    }

    /// Parses Argo's RFC 3339 timestamps.
    static func date(_ text: String) -> Date? {
        try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: false, timeZone: .gmt))
    }

    /// `text` cut to `valueLimit` characters, saying how much was left out.
    static func clipped(_ text: String) -> String {
        guard text.count > valueLimit else { return text }
        return String(text.prefix(valueLimit)) + "… (\(text.count - valueLimit) more characters)"
    }
}

extension NodeView {
    /// Reads one entry of Argo's `status.nodes`; nil without an id.
    init?(argo node: ArgoWorkflow.Node) {
        guard !node.id.isEmpty else { return nil }
        id = node.id
        name = node.name
        displayName = node.displayName ?? node.name
        type = node.type.rawValue
        templateName = node.templateName
        phase = node.phase?.rawValue ?? "Pending"
        message = node.message
        boundaryID = node.boundaryID
        children = node.children ?? []
        startedAt = node.startedAt.flatMap(RunView.date)
        finishedAt = node.finishedAt.flatMap(RunView.date)
        inputs = Self.ports(node.inputs)
        outputs = Self.ports(node.outputs)
        if let digest = node.lineageEnvelope {
            envelope = EnvelopeView(payloadDigest: digest, trustSlope: [], command: [])
        }
    }

    /// Parameters, artifacts and the result of an Argo `inputs`/`outputs` object.
    private static func ports(_ values: ArgoWorkflow.Values?) -> [PortView] {
        guard let values else { return [] }
        var ports = (values.parameters ?? []).map {
            PortView(kind: .parameter, name: $0.name, value: RunView.clipped($0.value))
        }
        for artifact in values.artifacts ?? [] {
            guard let name = artifact["name"]?.stringValue else { continue }
            let digest = artifact["digest"]?.stringValue.map { digest in
                digest.contains(":")
                    ? digest : (artifact["kind"]?.stringValue == "directory" ? "dirHash:" : "sha256:") + digest
            }
            ports.append(
                PortView(
                    kind: .artifact, name: name, value: artifact["path"]?.stringValue, digest: digest,
                    producerNodeID: artifact["producerNodeID"]?.stringValue))
        }
        if let result = values.result {
            ports.append(PortView(kind: .result, name: "result", value: RunView.clipped(result)))
        }
        return ports
    }

    /// Sets each output's digest from the envelope's subjects (`outputs/artifacts/NAME`, `outputs/parameters/NAME`,
    /// `outputs/result`).
    mutating func attachOutputDigests(_ subjects: [String: String]) {
        for index in outputs.indices {
            let port = outputs[index]
            let subject =
                switch port.kind {
                case .artifact: "outputs/artifacts/" + port.name
                case .parameter: "outputs/parameters/" + port.name
                case .result: "outputs/result"
                }
            if let digest = subjects[subject] { outputs[index].digest = digest }
        }
    }

    /// Sets each input's digest and producer from the envelope's signed inputs (which name them exactly).
    mutating func attachLineage(_ signed: [EnvelopeReading.Input]) {
        for input in signed {
            let kind: PortView.Kind = input.kind == "artifact" ? .artifact : .parameter
            if let index = inputs.firstIndex(where: { $0.name == input.name && $0.kind == kind }) {
                inputs[index].digest = input.digest ?? inputs[index].digest
                inputs[index].producerNodeID = input.producerNode ?? inputs[index].producerNodeID
                inputs[index].producerSubject = input.subjectName
            } else {
                inputs.append(
                    PortView(
                        kind: kind, name: input.name, digest: input.digest, producerNodeID: input.producerNode,
                        producerSubject: input.subjectName))
            }
        }
    }
}

/// The parts of a DSSE lineage envelope a report shows; read without verifying (the verdict says whether it holds).
struct EnvelopeReading {
    struct Input {
        var name: String
        var kind: String
        var digest: String?
        var producerNode: String?
        var subjectName: String?
    }
    var view: EnvelopeView
    var inputs: [Input]
    /// Output digests by subject name (`outputs/artifacts/model` → `sha256:…`).
    var subjects: [String: String]

    /// Decodes an envelope's payload statement; nil when it is not a DSSE envelope over JSON.
    init?(json: Data) {
        guard let envelope = (try? JSONSerialization.jsonObject(with: json)) as? [String: Any],
            let payload = (envelope["payload"] as? String).flatMap({ Data(base64Encoded: $0) }),
            let statement = (try? JSONSerialization.jsonObject(with: payload)) as? [String: Any]
        else { return nil }
        let predicate = statement["predicate"] as? [String: Any] ?? [:]
        let producer = predicate["producer"] as? [String: Any] ?? [:]
        let governance = predicate["governance"] as? [String: Any] ?? [:]
        let slope = (predicate["trustSlope"] as? [Any] ?? []).compactMap { $0 as? [String: Any] }.map { link in
            let keyID = (link["keyid"] as? String).map { " (" + $0.prefix(12) + "…)" } ?? ""
            return "\(link["authority"] as? String ?? "?")/\(link["role"] as? String ?? "?")\(keyID)"
        }
        view = EnvelopeView(
            payloadDigest: Digest.sha256(payload).description,
            signerKeyID: (producer["signer"] as? [String: Any])?["keyid"] as? String, trustSlope: slope,
            constraintsDigest: Self.digest(governance["constraintsDigest"]),
            governanceDigest: Self.digest(governance["specDigest"]), chainDepth: predicate["chainDepth"] as? Int,
            command: (producer["command"] as? [Any] ?? []).compactMap { $0 as? String },
            image: producer["image"] as? String)
        inputs = (predicate["inputs"] as? [Any] ?? []).compactMap { $0 as? [String: Any] }.compactMap { input in
            guard let name = input["name"] as? String else { return nil }
            return Input(
                name: name, kind: input["kind"] as? String ?? "parameter", digest: Self.digest(input["digest"]),
                producerNode: input["producerNode"] as? String, subjectName: input["subjectName"] as? String)
        }
        var subjects: [String: String] = [:]
        for subject in (statement["subject"] as? [Any] ?? []).compactMap({ $0 as? [String: Any] }) {
            if let name = subject["name"] as? String, let digest = Self.digest(subject["digest"]) {
                subjects[name] = digest
            }
        }
        self.subjects = subjects
    }

    /// `{"sha256": hex}` or `{"dirHash": hex}` as `algorithm:hex`.
    private static func digest(_ value: Any?) -> String? {
        guard let set = value as? [String: Any], let (algorithm, hex) = set.sorted(by: { $0.key < $1.key }).first,
            let text = hex as? String
        else { return nil }
        return "\(algorithm):\(text)"
    }
}

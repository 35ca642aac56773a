import SluiceExpressions
import SluiceSpec

/// Where a parameter value came from, when it is another node's signed output.
package struct ParameterOrigin: Sendable, Hashable {
    package var nodeID: String
    package var nodeDisplayName: String
    /// The statement subject that carries the value, e.g. `outputs/parameters/accuracy` or `outputs/result`.
    package var subjectName: String
    /// Payload digest of the producer's lineage envelope.
    package var envelopeDigest: String?

    package init(
        nodeID: String, nodeDisplayName: String, subjectName: String, envelopeDigest: String? = nil
    ) {
        self.nodeID = nodeID
        self.nodeDisplayName = nodeDisplayName
        self.subjectName = subjectName
        self.envelopeDigest = envelopeDigest
    }
}

/// An output artifact as the engine knows it: stored in the artifact store under its digest.
package struct ArtifactReference: Sendable, Hashable {
    package enum Kind: String, Sendable, Codable { case file, directory }
    package var name: String
    package var kind: Kind
    package var digest: String
    package var storedPath: String
    /// The node that produced it (nil for `raw` artifacts, which the workflow itself carries).
    package var producerNodeID: String?
    package var producerDisplayName: String?
    package var envelopeDigest: String?

    package init(
        name: String, kind: Kind, digest: String, storedPath: String, producerNodeID: String? = nil,
        producerDisplayName: String? = nil, envelopeDigest: String? = nil
    ) {
        self.name = name
        self.kind = kind
        self.digest = digest
        self.storedPath = storedPath
        self.producerNodeID = producerNodeID
        self.producerDisplayName = producerDisplayName
        self.envelopeDigest = envelopeDigest
    }
}

/// The variables visible while rendering a template field (Argo's `{{...}}` names).
package struct VariableScope: Sendable {
    package struct Value: Sendable, Equatable {
        package var text: String
        /// What the value was derived from (empty for a literal of the submitted workflow).
        package var provenance: Set<ValueSource> = []
        /// An output of a node that did not run and has no default: `nil` in expressions, unresolved in `{{...}}`.
        package var isAbsent = false
    }

    package private(set) var values: [String: Value] = [:]
    package private(set) var artifacts: [String: ArtifactReference] = [:]

    package init() {}

    package mutating func set(_ name: String, _ text: String, provenance: Set<ValueSource> = []) {
        values[name] = Value(text: text, provenance: provenance)
    }

    /// Records `name` as absent: an output of a skipped or omitted node without a `valueFrom.default`.
    package mutating func markAbsent(_ name: String) {
        values[name] = Value(text: "", isAbsent: true)
    }

    package mutating func setArtifact(_ name: String, _ reference: ArtifactReference) {
        artifacts[name] = reference
    }

    package func value(_ name: String) -> Value? { values[name] }

    /// This scope with every variable of `other` added (other wins on conflicts).
    ///
    /// When `other` adds or changes nothing, this scope is returned as it is, its storage still shared: a DAG's scope
    /// holds every published task's results, and the executor merges the run's global variables (`workflow.status`,
    /// already in that scope) into each node's caller scope, which copied the whole scope per node.
    package func merging(_ other: VariableScope) -> VariableScope {
        let newValues = other.values.filter { name, value in values[name] != value }
        let newArtifacts = other.artifacts.filter { name, reference in artifacts[name] != reference }
        if newValues.isEmpty && newArtifacts.isEmpty { return self }
        var merged = self
        merged.values.merge(newValues) { _, new in new }
        merged.artifacts.merge(newArtifacts) { _, new in new }
        return merged
    }

    /// Publishes a finished node's results under `prefix` (`steps.NAME` or `tasks.NAME`), as Argo does.
    package mutating func publish(_ node: NodeState, as prefix: String) {
        set("\(prefix).id", node.id)
        set("\(prefix).status", node.phase.rawValue)
        // A pod's IP (daemons, `{{steps.X.ip}}`): its container's own address, else the host's network.
        if node.type == .pod { set("\(prefix).ip", node.podIP ?? "127.0.0.1") }
        if let started = node.startedAt { set("\(prefix).startedAt", ArgoTime.format(started)) }
        if let finished = node.finishedAt { set("\(prefix).finishedAt", ArgoTime.format(finished)) }
        guard let outputs = node.outputs else { return }
        for parameter in outputs.parameters {
            set(
                "\(prefix).outputs.parameters.\(parameter.name)", parameter.value,
                provenance: node.provenance(of: "outputs/parameters/\(parameter.name)"))
        }
        if let result = outputs.result {
            set("\(prefix).outputs.result", result, provenance: node.provenance(of: "outputs/result"))
        }
        if let exitCode = outputs.exitCode { set("\(prefix).exitCode", exitCode) }
        for artifact in outputs.artifacts {
            setArtifact("\(prefix).outputs.artifacts.\(artifact.name)", artifact.reference)
        }
    }

    /// The provenance of every variable named `name` or under it (`tasks` covers `tasks.a.outputs.result`): what an
    /// expression that reads `name`, or indexes into it, may have read.
    package func provenance(under name: String) -> Set<ValueSource> {
        var sources: Set<ValueSource> = values[name]?.provenance ?? []
        let prefix = name + "."
        for (key, value) in values where key.hasPrefix(prefix) { sources.formUnion(value.provenance) }
        return sources
    }
}

extension NodeState {
    /// What the output `subject` (`outputs/parameters/NAME`, `outputs/result`) of this node was derived from: the
    /// sources the engine computed it from (steps/DAG outputs, suspend values), else this node's own signed output.
    package func provenance(of subject: String) -> Set<ValueSource> {
        if let computed = outputProvenance { return computed[subject] ?? [] }
        return [
            .output(
                ParameterOrigin(
                    nodeID: lineageNodeID ?? id, nodeDisplayName: displayName,
                    subjectName: subject, envelopeDigest: envelopeDigest))
        ]
    }
}

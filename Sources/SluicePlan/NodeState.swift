package import Foundation
package import SluiceExpressions
package import SluiceSpec

/// An output artifact of a node.
package struct OutputArtifact: Sendable, Codable, Equatable {
    package var name: String
    package var path: String?
    package var digest: String
    package var kind: ArtifactReference.Kind
    package var storedPath: String
    package var producerNodeID: String
    package var producerDisplayName: String
    package var envelopeDigest: String?

    package var reference: ArtifactReference {
        ArtifactReference(
            name: name, kind: kind, digest: digest, storedPath: storedPath,
            producerNodeID: producerNodeID, producerDisplayName: producerDisplayName,
            envelopeDigest: envelopeDigest)
    }

    package init(
        name: String, path: String? = nil, digest: String, kind: ArtifactReference.Kind, storedPath: String,
        producerNodeID: String, producerDisplayName: String, envelopeDigest: String? = nil
    ) {
        self.name = name
        self.path = path
        self.digest = digest
        self.kind = kind
        self.storedPath = storedPath
        self.producerNodeID = producerNodeID
        self.producerDisplayName = producerDisplayName
        self.envelopeDigest = envelopeDigest
    }
}

/// An input artifact as given to a node.
package struct InputArtifact: Sendable, Codable, Equatable {
    package var name: String
    package var path: String?
    package var digest: String
    package var from: String?

    package init(
        name: String, path: String? = nil, digest: String, from: String? = nil
    ) {
        self.name = name
        self.path = path
        self.digest = digest
        self.from = from
    }
}

/// A node's inputs, Argo-shaped.
package struct NodeInputs: Sendable, Codable, Equatable {
    package var parameters: [ParameterValue] = []
    package var artifacts: [InputArtifact] = []

    package init(
        parameters: [ParameterValue] = [], artifacts: [InputArtifact] = []
    ) {
        self.parameters = parameters
        self.artifacts = artifacts
    }
}

/// A node's outputs, Argo-shaped.
package struct NodeOutputs: Sendable, Codable, Equatable {
    package var parameters: [ParameterValue] = []
    package var artifacts: [OutputArtifact] = []
    package var result: String?
    package var exitCode: String?

    package init() {}
}

/// One node of a run's status tree (Argo's `NodeStatus`), as the engine tracks it.
package struct NodeState: Sendable, Equatable {
    package var id: String
    package var name: String
    package var displayName: String
    package var type: NodeType
    package var templateName: String?
    package var phase: NodePhase
    package var message: String?
    package var boundaryID: String?
    package var children: [String] = []
    package var inputs: NodeInputs?
    package var outputs: NodeOutputs?
    package var startedAt: Date?
    package var finishedAt: Date?
    package var envelopeDigest: String?
    package var sequence: Int
    /// The node whose envelope signs these outputs, when it is not this node (a Retry node's last attempt).
    package var lineageNodeID: String? = nil
    /// A pod's own progress `N/M`, from its `ARGO_PROGRESS_FILE` (nil: it reported none).
    package var progress: String? = nil
    /// For outputs the engine computed rather than a node signed (steps/DAG outputs, suspend values): what each
    /// output subject was derived from. Nil for a pod's own outputs, whose source is the pod's envelope.
    package var outputProvenance: [String: Set<ValueSource>]? = nil
    /// Whether a memoized node's outputs came from the cache, under which key (Argo's `memoizationStatus`).
    package var memoization: MemoizationStatus? = nil
    /// A pod's own IP address when it has one other than the host's (a daemon's container): `{{steps.X.ip}}`.
    /// Kept in memory only: a resumed run starts its daemons again.
    package var podIP: String? = nil

    package init(
        id: String, name: String, displayName: String, type: NodeType, templateName: String? = nil, phase: NodePhase,
        message: String? = nil, boundaryID: String? = nil, children: [String] = [], inputs: NodeInputs? = nil,
        outputs: NodeOutputs? = nil, startedAt: Date? = nil, finishedAt: Date? = nil, envelopeDigest: String? = nil,
        sequence: Int, lineageNodeID: String? = nil, progress: String? = nil,
        outputProvenance: [String: Set<ValueSource>]? = nil, podIP: String? = nil,
        memoization: MemoizationStatus? = nil
    ) {
        self.id = id
        self.name = name
        self.displayName = displayName
        self.type = type
        self.templateName = templateName
        self.phase = phase
        self.message = message
        self.boundaryID = boundaryID
        self.children = children
        self.inputs = inputs
        self.outputs = outputs
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.envelopeDigest = envelopeDigest
        self.sequence = sequence
        self.lineageNodeID = lineageNodeID
        self.progress = progress
        self.outputProvenance = outputProvenance
        self.podIP = podIP
        self.memoization = memoization
    }
}

/// Argo's timestamp format (RFC 3339, seconds, UTC).
package enum ArgoTime {
    package static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: false, timeZone: .gmt))
    }

    /// Argo's `{{workflow.creationTimestamp.<STRFTIMECHAR>}}` variables (UTC): each strftime conversion character
    /// with its value, plus `RFC3339`.
    package static func strftimeVariables(_ date: Date) -> [(String, String)] {
        var seconds = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var variables: [(String, String)] = [("RFC3339", format(date))]
        for character in "aAbBcCdDeFgGhHIjklmMnprRsStTuUVwWxXyYzZ%" {
            var buffer = [Int8](repeating: 0, count: 64)
            let count = strftime(&buffer, buffer.count, "%\(character)", &parts)
            let bytes = buffer.prefix(count).map { UInt8(bitPattern: $0) }
            variables.append((String(character), String(decoding: bytes, as: UTF8.self)))
        }
        return variables
    }

    /// RFC 3339 with milliseconds, for lineage timing.
    package static func formatPrecise(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt))
    }
}

extension NodePhase {
    /// The workflow's status (`workflow.status`) once its entrypoint node ended in this phase: Argo's Succeeded,
    /// Failed, or Error for anything else.
    package var workflowStatus: String {
        switch self {
        case .succeeded, .failed: rawValue
        default: NodePhase.error.rawValue
        }
    }
}

import Foundation

/// Everything the JUnit and HTML reports show about one run, gathered from a state directory or an export bundle.
///
/// Built from the Argo-shaped Workflow object (`sluice get -o json`, a bundle's `status.json`), the nodes' lineage
/// envelopes, the governance refusals and, for a recorded run, the nodes' logs. Every field comes from data a node
/// or a bundle author could have written: renderers escape all of it.
struct RunView: Sendable, Equatable {
    var name: String
    var id: String
    var phase: String
    var message: String?
    var startedAt: Date?
    var finishedAt: Date?
    var runtime: String?
    var workflowDigest: String?
    var governanceDigest: String?
    var signer: String?
    /// The nodes in the order Argo's status lists them (by id).
    var nodes: [NodeView]
    /// The verification verdict, when it was computed.
    var verification: Verification?

    /// Seconds from start to end (to now for a run without an end), when it started.
    var duration: TimeInterval? {
        guard let startedAt else { return nil }
        return (finishedAt ?? Date()).timeIntervalSince(startedAt)
    }
}

/// One node of a run, with its lineage.
struct NodeView: Sendable, Equatable {
    var id: String
    var name: String
    var displayName: String
    var type: String
    var templateName: String?
    var phase: String
    var message: String?
    var boundaryID: String?
    var children: [String]
    var startedAt: Date?
    var finishedAt: Date?
    var inputs: [PortView] = []
    var outputs: [PortView] = []
    var envelope: EnvelopeView?
    var refusals: [RefusalView] = []
    /// The node's stdout and stderr (possibly cut to their tail), when known.
    var logs: String?

    /// Seconds the node ran, when it started and ended.
    var duration: TimeInterval? {
        guard let startedAt, let finishedAt else { return nil }
        return max(0, finishedAt.timeIntervalSince(startedAt))
    }

    /// Node types that group others and do no work of their own.
    static let groupTypes: Set<String> = ["Steps", "StepGroup", "DAG", "TaskGroup", "Retry"]

    /// Whether the node is a unit of work (a pod, a skipped or suspended step), not a group of others.
    var isLeaf: Bool { !Self.groupTypes.contains(type) || (children.isEmpty && !refusals.isEmpty) }

    /// Whether the gate refused the node.
    var isRefused: Bool { !refusals.isEmpty }
}

/// An input or output of a node: a parameter value or an artifact, with its digest when one was signed.
struct PortView: Sendable, Equatable {
    enum Kind: String, Sendable { case parameter, artifact, result }
    var kind: Kind
    var name: String
    /// A parameter's value (cut to a readable length).
    var value: String?
    /// `sha256:<hex>` or `dirHash:<hex>`, when known.
    var digest: String?
    /// The node that produced this input, from the lineage envelope.
    var producerNodeID: String?
    /// The output of the producer it was (`outputs/artifacts/model`).
    var producerSubject: String?
}

/// What a node's lineage envelope says about how it was signed.
struct EnvelopeView: Sendable, Equatable {
    /// `sha256:<hex>` of the envelope's payload.
    var payloadDigest: String
    var signerKeyID: String?
    /// Each link of the trust slope, e.g. `run-key/submit (fa4b87db…)`.
    var trustSlope: [String]
    var constraintsDigest: String?
    var governanceDigest: String?
    var chainDepth: Int?
    var command: [String]
    var image: String?
}

/// A governance refusal of a node: the check that refused it and why.
struct RefusalView: Sendable, Equatable {
    var check: String
    var input: String?
    var message: String
}

/// The verification verdict of a whole run or bundle.
struct Verification: Sendable, Equatable {
    struct Finding: Sendable, Equatable {
        var subject: String
        var ok: Bool
        var detail: String
    }
    var findings: [Finding]
    var isVerified: Bool { findings.allSatisfy(\.ok) }
    var failures: Int { findings.filter { !$0.ok }.count }
}

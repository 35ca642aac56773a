import Foundation
import SluiceExpressions
import SluiceGovernance
import SluiceRuntimes
import SluiceSpec
import SluiceStore

/// Outputs another node recorded and signed (an earlier run's memoized node, a node captured in an export bundle),
/// about to be reused instead of running this node.
struct RecordedOutputs: Sendable {
    var outputs: NodeOutputs
    /// The node that produced them, and the payload digest of its envelope.
    var nodeID: String
    var nodeName: String
    var envelopeDigest: String
}

extension WorkflowExecutor {
    /// Re-verifies recorded outputs against the envelope that signed them, the way the gate verifies inputs: the
    /// envelope's signature by a key `gate` trusts, its run and workflow, trust slope and revocations, and every
    /// output's digest recomputed from the stored bytes (artifacts) or values (parameters, result).
    ///
    /// - Returns: what was admitted (lineage entries naming the recorded envelope), or the gate's refusal.
    func verify(_ recorded: RecordedOutputs, node: NodeState, template: Template, gate: InputGate)
        async -> Result<Admission, Refusal>
    {
        var origins: Set<ParameterOrigin> = []
        var values: [String: String] = [:]
        var subjects = recorded.outputs.parameters.map { ("outputs/parameters/\($0.name)", $0.value) }
        if let result = recorded.outputs.result { subjects.append(("outputs/result", result)) }
        for (subject, value) in subjects {
            origins.insert(
                ParameterOrigin(
                    nodeID: recorded.nodeID, nodeDisplayName: recorded.nodeName, subjectName: subject,
                    envelopeDigest: recorded.envelopeDigest))
            values["\(recorded.nodeID)|\(subject)"] = value
        }
        let artifacts = recorded.outputs.artifacts.map { artifact in
            var reference = artifact.reference
            reference.producerNodeID = recorded.nodeID
            reference.producerDisplayName = recorded.nodeName
            reference.envelopeDigest = recorded.envelopeDigest
            return ResolvedArtifact(name: artifact.name, path: artifact.path, reference: reference, from: nil)
        }
        return await gate.admit(
            node: GatedNode(
                displayName: node.displayName, templateName: template.identity, runtime: runtime.kind,
                within: enclosingCalls(of: node)),
            artifacts: artifacts, origins: origins, parameterValues: values)
    }

    /// The lineage predicate of a stored envelope (one the gate has just verified), or nil when it cannot be read.
    func recordedPredicate(envelopeDigest: String) -> LineagePredicate? {
        guard let record = try? coordinator.store.envelope(payloadDigest: envelopeDigest),
            let envelope = try? Envelope(jsonBytes: [UInt8](record.envelopeJSON)),
            let statement = try? Statement(payloadBytes: envelope.payload)
        else { return nil }
        return try? LineagePredicate(json: statement.predicate)
    }

    /// The values of the upstream outputs a node's parameters were rendered from, keyed `NODE-ID|SUBJECT`, for the
    /// gate to re-hash.
    func upstreamValues(of inputs: ResolvedInputs) async -> [String: String] {
        await upstreamValues(of: inputs.origins)
    }

    /// The producer section and chain depth of a stored envelope (one the gate has just verified), or nil when it
    /// cannot be read.
    func recordedProducer(envelopeDigest: String) -> (command: [String], image: String?, chainDepth: Int)? {
        guard let record = try? coordinator.store.envelope(payloadDigest: envelopeDigest),
            let envelope = try? Envelope(jsonBytes: [UInt8](record.envelopeJSON)),
            let statement = try? Statement(payloadBytes: envelope.payload),
            let predicate = try? LineagePredicate(json: statement.predicate)
        else { return nil }
        return (predicate.producer.command, predicate.producer.image, predicate.chainDepth)
    }

    /// Signs verified recorded outputs as `node`'s own: the envelope's inputs are `admission`'s lineage, naming the
    /// recorded envelope, so the reuse is part of the signed record.
    ///
    /// - Returns: the outputs, now produced by `node` under the new envelope, and that envelope's record.
    func resign(
        _ outputs: NodeOutputs, node: NodeState, template: Template, admission: Admission, chainDepth: Int,
        command: [String] = [], image: String? = nil, replayed: LineagePredicate.Replayed? = nil
    ) -> (outputs: NodeOutputs, envelope: EnvelopeRecord) {
        var outputs = outputs
        let now = Date()
        for index in outputs.artifacts.indices {
            outputs.artifacts[index].producerNodeID = node.id
            outputs.artifacts[index].producerDisplayName = node.displayName
        }
        let signed = lineage.sign(
            node: node, templateName: template.identity, attempt: 1, command: command, image: image,
            inputs: admission.lineage, chainDepth: chainDepth, outputs: outputs, startedAt: now, finishedAt: now,
            within: admission.within, containers: admission.containers,
            templateDigest: templateDigests[template.identity], replayed: replayed)
        for index in outputs.artifacts.indices {
            outputs.artifacts[index].envelopeDigest = signed.record.payloadDigest
        }
        return (outputs, signed.record)
    }
}

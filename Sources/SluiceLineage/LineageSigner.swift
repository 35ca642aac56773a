package import Foundation
import SluiceExpressions
package import SluiceGovernance
package import SluicePlan
package import SluiceStore

/// Hashes a node's outputs and signs its lineage envelope (DSSE over an in-toto Statement v1).
package struct LineageSigner: Sendable {
    /// The key that signs node lineage (`--lineage-key`, else the submitting key).
    package let key: SigningKey
    package let runID: String
    package let workflowName: String
    package let workflowDigest: Digest
    package let governanceDigest: Digest
    package let constraintsDigest: Digest
    /// The runtime recorded as the producer's; the executor sets each node's own (`sluice.dev/runtime`).
    package var runtimeKind: String
    /// The isolation of the runtime that runs the node (`bubblewrap`, `container`, `none`), signed into the predicate.
    package var isolation: String? = nil
    /// The chain from the run's submission to ``key``, carried by every envelope.
    package let trustSlope: [LineagePredicate.TrustHop]
    /// ``key``'s signer section, hashed once rather than per envelope.
    private let signerSection: LineagePredicate.Signer

    /// The producer identity of local runs; in-cluster runs use a different id, as SLSA requires.
    package static let producerID = "https://sluice.dev/engine/local"
    package static let version = "0.1.0"

    /// sha256 of a file.
    package func digest(ofFile path: String) throws(EngineError) -> String {
        do {
            return try Digest.sha256(fileAt: path).hex
        } catch {
            throw .artifactUnavailable(name: path, reason: error.description)
        }
    }

    /// The directory hash of a tree.
    package func digest(ofDirectory path: String) throws(EngineError) -> String {
        do {
            return try Digest.directoryHash(at: path).hex
        } catch {
            throw .artifactUnavailable(name: path, reason: error.description)
        }
    }

    /// The statement subjects for a node's outputs: `outputs/artifacts/NAME`, `outputs/parameters/NAME`,
    /// `outputs/result`.
    package static func subjects(of outputs: NodeOutputs) -> [Statement.Subject] {
        var subjects: [Statement.Subject] = []
        for artifact in outputs.artifacts {
            let algorithm = artifact.kind == .directory ? "dirHash" : "sha256"
            subjects.append(
                Statement.Subject(
                    name: "outputs/artifacts/\(artifact.name)",
                    digest: [algorithm: artifact.digest]))
        }
        for parameter in outputs.parameters {
            subjects.append(
                Statement.Subject(
                    name: "outputs/parameters/\(parameter.name)",
                    digest: ["sha256": Digest.sha256(Array(parameter.value.utf8)).hex]))
        }
        if let result = outputs.result {
            subjects.append(
                Statement.Subject(
                    name: "outputs/result",
                    digest: ["sha256": Digest.sha256(Array(result.utf8)).hex]))
        }
        return subjects
    }

    /// The runtime recorded for outputs the engine computed itself (a steps or DAG template's outputs): no
    /// process ran, the envelope records the values and the signed outputs they were derived from.
    package static let computedRuntime = LineagePolicy.computedRuntime

    /// Signs the outputs of a steps or DAG template, computed by the engine from `inputs` (one entry per source,
    /// named by the output subject it feeds).
    package func signComputed(
        node: NodeState, templateName: String, inputs: [LineagePredicate.Input], chainDepth: Int, outputs: NodeOutputs,
        templateDigest: Digest? = nil
    ) -> (envelope: Envelope, record: EnvelopeRecord) {
        var signer = self
        signer.runtimeKind = Self.computedRuntime
        let now = Date()
        return signer.sign(
            node: node, templateName: templateName, attempt: 1, command: [], image: nil, inputs: inputs,
            chainDepth: chainDepth, outputs: outputs, startedAt: node.startedAt ?? now, finishedAt: now,
            templateDigest: templateDigest)
    }

    /// Signs the envelope of a node that ran (succeeded, or Failed with `outcome`).
    ///
    /// `templateName` is the template's identity (``Template/identity``), `templateDigest` its content digest.
    package func sign(
        node: NodeState, templateName: String, attempt: Int, command: [String], image: String?,
        inputs: [LineagePredicate.Input], chainDepth: Int = 1, outputs: NodeOutputs, startedAt: Date, finishedAt: Date,
        within: [LineagePredicate.Node.Call] = [], containers: [LineagePredicate.Producer.Container] = [],
        templateDigest: Digest? = nil, replayed: LineagePredicate.Replayed? = nil, outcome: String? = nil
    ) -> (envelope: Envelope, record: EnvelopeRecord) {
        var predicate = LineagePredicate(
            workflow: .init(name: workflowName, runID: runID, specDigest: workflowDigest),
            node: .init(
                id: node.id, name: node.name, templateName: templateName, displayName: node.displayName,
                attempt: attempt, within: within, templateDigest: templateDigest),
            invocationID: Self.invocationID(),
            producer: .init(
                id: Self.producerID, version: Self.version, runtime: runtimeKind, command: command,
                image: image, signer: signerSection, containers: containers,
                isolation: isolation),
            governance: .init(specDigest: governanceDigest, constraintsDigest: constraintsDigest),
            inputs: inputs,
            trustSlope: trustSlope,
            chainDepth: chainDepth,
            timing: .init(startedOn: startedAt, finishedOn: finishedAt),
            replayed: replayed)
        predicate.outcome = outcome
        let statement = Statement(
            subjects: Self.subjects(of: outputs), predicateType: LineagePredicate.type,
            predicate: predicate.json)
        let envelope = Envelope.sign(
            payload: statement.payloadBytes(), payloadType: Envelope.inTotoPayloadType,
            with: key)
        let record = EnvelopeRecord(
            payloadDigest: envelope.payloadDigest.hex, runID: runID, nodeID: node.id, keyID: key.publicKey.keyID,
            envelopeJSON: Data(envelope.jsonBytes()), createdAt: Date())
        return (envelope, record)
    }

    package init(
        key: SigningKey, runID: String, workflowName: String, workflowDigest: Digest, governanceDigest: Digest,
        constraintsDigest: Digest, runtimeKind: String, isolation: String? = nil,
        trustSlope: [LineagePredicate.TrustHop]
    ) {
        self.key = key
        self.runID = runID
        self.workflowName = workflowName
        self.workflowDigest = workflowDigest
        self.governanceDigest = governanceDigest
        self.constraintsDigest = constraintsDigest
        self.runtimeKind = runtimeKind
        self.isolation = isolation
        self.trustSlope = trustSlope
        self.signerSection = LineagePredicate.Signer(key: key.publicKey)
    }

    /// A fresh random (version 4) UUID in lowercase, from the system's generator (`getrandom`): Foundation's
    /// `UUID()` opened `/dev/urandom` at every envelope.
    static func invocationID() -> String {
        var generator = SystemRandomNumberGenerator()
        let (high, low) = (generator.next() as UInt64, generator.next() as UInt64)
        var bytes = (0..<16).map { UInt8(truncatingIfNeeded: ($0 < 8 ? high : low) >> (8 * UInt64($0 % 8))) }
        bytes[6] = (bytes[6] & 0x0f) | 0x40
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        let uuid = UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9],
                bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
        return uuid.uuidString.lowercased()
    }
}

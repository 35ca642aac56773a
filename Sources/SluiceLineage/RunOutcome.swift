import Foundation
package import SluiceGovernance
import SluicePlan
import SluiceSpec
package import SluiceStore

/// How a run ended, as the run attestation (`https://sluice.dev/attestation/run/v0.1`) signs it: the run's final
/// phase and message, every node's phase, message and envelope, the denials, and the set of this run's envelopes.
///
/// The engine builds it from the store when the run ends and signs it with the lineage key; `verify BUNDLE` builds
/// it again from `status.json`, `denials.json` and `envelopes/`, so an edited status (a refused run turned
/// Succeeded, a refused node or its denial removed) no longer matches the signed subjects.
package struct RunOutcome: Sendable, Equatable {
    /// The predicateType of run attestations.
    package static let predicateType = "https://sluice.dev/attestation/run/v0.1"

    /// One node as the outcome records it.
    package struct Node: Sendable, Equatable {
        package var phase: String
        package var message: String?
        /// The payload digest hex of its recorded envelope.
        package var envelope: String?

        package init(phase: String, message: String?, envelope: String?) {
            self.phase = phase
            self.message = message
            self.envelope = envelope
        }
    }

    package var runID: String
    package var phase: String
    package var message: String?
    /// By node id.
    package var nodes: [String: Node]
    /// The denials, exactly as `denials.json` holds them.
    package var denials: CanonicalJSON
    /// Payload digests (hex) of every envelope of the run.
    package var envelopes: Set<String>

    package init(
        runID: String, phase: String, message: String?, nodes: [String: Node], denials: CanonicalJSON,
        envelopes: Set<String>
    ) {
        self.runID = runID
        self.phase = phase
        self.message = message
        self.nodes = nodes
        self.denials = denials
        self.envelopes = envelopes
    }

    /// The outcome of a recorded run, read from its records: the run, each node's ending
    /// (``Store/nodeEndings(runID:)``), the denials and the payload digests of its envelopes.
    package init(run: RunRecord, nodes: [NodeEnding], denials: [DenialRecord], envelopeDigests: [String]) {
        self.init(
            runID: run.id, phase: run.phase.rawValue, message: run.message,
            nodes: Dictionary(
                nodes.map { ($0.id, Node(phase: $0.phase.rawValue, message: $0.message, envelope: $0.envelopeDigest)) },
                uniquingKeysWith: { first, _ in first }),
            denials: Self.json(denials: denials), envelopes: Set(envelopeDigests))
    }

    /// The denials as `denials.json` holds them.
    package static func json(denials: [DenialRecord]) -> CanonicalJSON {
        .array(
            denials.map { denial in
                var object: [String: CanonicalJSON] = [
                    "nodeId": .string(denial.nodeID), "check": .string(denial.check),
                    "message": .string(denial.message),
                    "createdAt": .string(StoreTimestamp.string(from: denial.createdAt)),
                ]
                if let input = denial.input { object["input"] = .string(input) }
                return .object(object)
            })
    }

    /// The status the `status` subject covers: `{phase, message?, nodes: {id: {phase, message?, envelope?}}}`.
    package var statusJSON: CanonicalJSON {
        var object: [String: CanonicalJSON] = [
            "phase": .string(phase),
            "nodes": .object(
                nodes.mapValues { node in
                    var members: [String: CanonicalJSON] = ["phase": .string(node.phase)]
                    if let message = node.message { members["message"] = .string(message) }
                    if let envelope = node.envelope { members["envelope"] = .string(envelope) }
                    return .object(members)
                }),
        ]
        if let message { object["message"] = .string(message) }
        return .object(object)
    }

    /// The in-toto statement: subjects `status`, `denials` and `envelopes` (the sorted payload digests).
    package var statement: Statement {
        Statement(
            subjects: [
                Statement.Subject(name: "status", sha256: statusJSON.digest),
                Statement.Subject(name: "denials", sha256: denials.digest),
                Statement.Subject(
                    name: "envelopes", sha256: CanonicalJSON.array(envelopes.sorted().map { .string($0) }).digest),
            ],
            predicateType: Self.predicateType,
            predicate: [
                "runId": .string(runID), "phase": .string(phase), "nodes": .integer(Int64(nodes.count)),
                "denials": .integer(Int64(denialCount)), "envelopes": .integer(Int64(envelopes.count)),
                "status": statusJSON,
            ])
    }

    /// The first difference between the status a predicate signed and ``statusJSON``, as a clause for messages.
    private func statusDifference(from signed: CanonicalJSON?) -> String? {
        guard let signed, let signedNodes = signed["nodes"]?.objectValue else { return nil }
        if signed["phase"]?.stringValue != phase {
            return "it signed phase \(signed["phase"]?.stringValue ?? "?"), status.json says \(phase)"
        }
        if signed["message"]?.stringValue != message {
            return "it signed the run message \(signed["message"]?.stringValue.map { "'\($0)'" } ?? "none"), "
                + "status.json says \(message.map { "'\($0)'" } ?? "none")"
        }
        let current = statusJSON["nodes"]?.objectValue ?? [:]
        for id in Set(signedNodes.keys).union(current.keys).sorted() where signedNodes[id] != current[id] {
            guard let was = signedNodes[id] else { return "node '\(id)' is not in the outcome it signed" }
            guard let now = current[id] else { return "node '\(id)' (\(was["phase"]?.stringValue ?? "?")) is missing" }
            for field in ["phase", "envelope", "message"] where was[field] != now[field] {
                let show = { (value: CanonicalJSON?) in value?.stringValue.map { "'\($0)'" } ?? "none" }
                return "node '\(id)': it signed \(field) \(show(was[field])), status.json says \(show(now[field]))"
            }
        }
        return nil
    }

    private var denialCount: Int { denials.arrayValue?.count ?? 0 }

    /// `phase P, N node(s), D denial(s), E envelope(s)` of a signed predicate or of this outcome.
    private static func summary(_ predicate: CanonicalJSON) -> String {
        let count = { (key: String) in predicate[key]?.integerValue.map(String.init) ?? "?" }
        return "phase \(predicate["phase"]?.stringValue ?? "?"), \(count("nodes")) node(s), \(count("denials")) "
            + "denial(s), \(count("envelopes")) envelope(s)"
    }

    /// What differs between a signed outcome statement and this outcome (read from a bundle), or nil when the
    /// statement covers it.
    package func problem(with signed: Statement) -> String? {
        guard signed.predicateType == Self.predicateType else {
            return "its predicateType is '\(signed.predicateType)', not \(Self.predicateType)"
        }
        if let signedRun = signed.predicate["runId"]?.stringValue, signedRun != runID {
            return "it is the outcome of run \(signedRun), not \(runID)"
        }
        let expected = statement.subjects
        for (subject, file) in zip(expected, ["status.json", "denials.json", "envelopes/"]) {
            guard let covered = signed.subjects.first(where: { $0.name == subject.name }) else {
                return "it has no subject '\(subject.name)'"
            }
            if covered.digest != subject.digest {
                if subject.name == "status", let difference = statusDifference(from: signed.predicate["status"]) {
                    return "\(file) is not what it signed (subject 'status'): \(difference)"
                }
                return "\(file) is not what it signed (subject '\(subject.name)'): it signed "
                    + "\(Self.summary(signed.predicate)); the bundle has \(Self.summary(statement.predicate))"
            }
        }
        return nil
    }
}

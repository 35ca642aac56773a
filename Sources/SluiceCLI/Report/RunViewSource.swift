import Foundation
import SluiceAudit
import SluiceEngine
import SluiceStore

/// Gathers a ``RunView`` from a state directory (a recorded run) or from an export bundle (directory or `.tar.gz`).
enum RunViewSource {
    /// Bytes of a node's log kept in a view (the tail; CI pages and reports show the end of a log).
    static let logLimit = 64 * 1024

    /// Why a view could not be gathered, in one line.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The view of a recorded run; with `verify`, its verification verdict (as `sluice verify RUN` computes it).
    static func load(run record: RunRecord, store: Store, stateDirectory: String, verify: Bool) throws(Failure)
        -> RunView
    {
        let nodes: [NodeRecord]
        let envelopes: [EnvelopeRecord]
        let denials: [DenialRecord]
        let attempts: [AttemptRecord]
        do {
            nodes = try store.nodes(runID: record.id)
            envelopes = try store.envelopes(runID: record.id)
            denials = try store.denials(runID: record.id)
            attempts = try store.attempts(runID: record.id)
        } catch {
            throw Failure(description: error.description)
        }
        let byDigest = Dictionary(
            envelopes.map { ($0.payloadDigest, $0.envelopeJSON) }, uniquingKeysWith: { a, _ in a })
        var envelopeByNode: [String: Data] = [:]
        for node in nodes {
            if let digest = node.envelopeDigest, let data = byDigest[digest] { envelopeByNode[node.id] = data }
        }
        var logs: [String: String] = [:]
        for (nodeID, nodeAttempts) in Dictionary(grouping: attempts, by: \.nodeID) {
            let text = nodeAttempts.sorted { $0.number < $1.number }.flatMap { attempt in
                [attempt.stdoutPath, attempt.stderrPath].compactMap { $0 }.compactMap(tail)
            }.joined()
            if !text.isEmpty { logs[nodeID] = text }
        }
        var view = RunView(
            workflow: ArgoWorkflow(run: record, nodes: nodes), envelopes: envelopeByNode,
            denials: denials.map {
                DenialFact(nodeID: $0.nodeID, input: $0.input, check: $0.check, message: $0.message)
            },
            logs: logs)
        // The Argo object has whole seconds; the records keep milliseconds.
        let times = Dictionary(nodes.map { ($0.id, ($0.startedAt, $0.finishedAt)) }, uniquingKeysWith: { a, _ in a })
        for index in view.nodes.indices {
            guard let (started, finished) = times[view.nodes[index].id] else { continue }
            view.nodes[index].startedAt = started
            view.nodes[index].finishedAt = finished
        }
        view.nodes.sort { ($0.startedAt ?? .distantFuture, $0.id) < ($1.startedAt ?? .distantFuture, $1.id) }
        view.startedAt = record.startedAt
        view.finishedAt = record.finishedAt
        if verify {
            do {
                let findings = try RunVerifier(store: store, stateDirectory: stateDirectory).verify(run: record)
                view.verification = Verification(
                    findings: findings.map {
                        Verification.Finding(subject: $0.node, ok: $0.ok, detail: $0.detail)
                    })
            } catch {
                view.verification = Verification(findings: [
                    Verification.Finding(subject: record.name, ok: false, detail: error.description)
                ])
            }
        }
        return view
    }

    /// The view of an export bundle; with `verify`, its offline verification verdict (`sluice verify BUNDLE`).
    static func load(bundle path: String, verify: Bool) throws(Failure) -> RunView {
        do {
            return try BundleReading.read(path) { root in try load(bundleDirectory: root, verify: verify) }
        } catch let error as Failure {
            throw error
        } catch {
            throw Failure(description: "\(error)")
        }
    }

    private static func load(bundleDirectory root: String, verify: Bool) throws(Failure) -> RunView {
        guard let statusData = FileManager.default.contents(atPath: root + "/status.json") else {
            throw Failure(description: "bundle '\(root)' has no readable status.json")
        }
        let workflow: ArgoWorkflow
        do {
            workflow = try ArgoWorkflow(json: statusData)
        } catch {
            throw Failure(description: "bundle '\(root)': status.json: \(error.description)")
        }
        var envelopes: [String: Data] = [:]
        let envelopeDirectory = root + "/envelopes"
        for file in (try? FileManager.default.contentsOfDirectory(atPath: envelopeDirectory)) ?? []
        where file.hasSuffix(".intoto.json") && !file.hasSuffix(".slsa.intoto.json") {
            let nodeID = String(file.dropLast(".intoto.json".count))
            envelopes[nodeID] = FileManager.default.contents(atPath: envelopeDirectory + "/" + file)
        }
        var denials: [DenialFact] = []
        if let data = FileManager.default.contents(atPath: root + "/denials.json"),
            let list = (try? JSONSerialization.jsonObject(with: data)) as? [Any]
        {
            denials = list.compactMap { $0 as? [String: Any] }.compactMap { object in
                guard let nodeID = object["nodeID"] as? String else { return nil }
                return DenialFact(
                    nodeID: nodeID, input: object["input"] as? String, check: object["check"] as? String ?? "?",
                    message: object["message"] as? String ?? "")
            }
        }
        var view = RunView(workflow: workflow, envelopes: envelopes, denials: denials, logs: [:])
        if verify {
            do {
                let report = try BundleVerifier().verify(directory: root)
                view.verification = Verification(
                    findings: report.findings.map {
                        Verification.Finding(subject: $0.file, ok: $0.ok, detail: $0.detail)
                    })
            } catch {
                view.verification = Verification(findings: [
                    Verification.Finding(subject: root, ok: false, detail: error.description)
                ])
            }
        }
        return view
    }

    /// The last `logLimit` bytes of a file, as text; nil when it is missing or empty.
    private static func tail(_ path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let size = try? handle.seekToEnd(), size > 0 else { return nil }
        let start = size > UInt64(logLimit) ? size - UInt64(logLimit) : 0
        try? handle.seek(toOffset: start)
        guard let data = try? handle.readToEnd() else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        return start > 0 ? "… (\(start) earlier bytes not shown)\n" + text : text
    }
}

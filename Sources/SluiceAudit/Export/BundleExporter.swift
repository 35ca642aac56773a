import Foundation
import SluiceEngine
package import SluiceGovernance
package import SluiceStore

/// Writes a run's evidence to a self-contained bundle that `sluice verify BUNDLE` checks offline.
///
/// See ``BundleLayout`` for the files. A path ending in `.tar.gz` (or `.tgz`) gets a reproducible gzip-compressed
/// tar of the same tree; any other path becomes a new directory. Existing paths are never overwritten.
///
/// ```swift
/// let summary = try BundleExporter(store: store, stateDirectory: home).export(run: run, to: "run.tar.gz")
/// ```
package struct BundleExporter: Sendable {
    /// What an export wrote.
    package struct Summary: Sendable, Equatable {
        /// The bundle path (directory or archive).
        package var path: String
        /// Number of envelopes.
        package var envelopes: Int
        /// Number of distinct artifacts (files and directories).
        package var artifacts: Int
        /// Number of files listed in the manifest.
        package var files: Int
        /// Number of earlier runs' envelopes included because this run's envelopes name them (reused outputs).
        package var externalEnvelopes = 0
        /// Number of SLSA Provenance envelopes written.
        package var provenanceEnvelopes = 0
    }

    /// The state directory's store.
    package let store: Store
    /// The state directory (for the run's key files).
    package let stateDirectory: String
    /// When set, the run's lineage key: each succeeded node also gets an SLSA Provenance v1 envelope
    /// (`envelopes/<node-id>.slsa.intoto.json`) derived from its lineage envelope and signed by this key.
    package var provenanceKey: SigningKey?

    /// Creates an exporter over a state directory.
    package init(store: Store, stateDirectory: String) {
        self.store = store
        self.stateDirectory = stateDirectory
    }

    /// Exports `run` to `path`.
    ///
    /// - Throws: `ExportError.bundleExists` when `path` exists, `.provenanceKeyMismatch` when ``provenanceKey`` is
    ///   not the run's lineage key, `.state` when the store cannot be read,
    ///   `.bundleUnreadable` when the run's workflow no longer loads, `.bundleWriteFailed` when a file cannot be written or copied (the partial bundle is removed).
    package func export(run: RunRecord, to path: String) throws(ExportError) -> Summary {
        guard !FileManager.default.fileExists(atPath: path) else { throw .bundleExists(path: path) }
        if let key = provenanceKey, key.publicKey.keyID != run.signerKeyID {
            throw .provenanceKeyMismatch(run: run.name, signer: run.signerKeyID, given: key.publicKey.keyID)
        }
        let isArchive = BundleLayout.isArchive(path)
        let directory = isArchive ? NSTemporaryDirectory() + "/sluice-export-\(UUID().uuidString)" : path
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        } catch {
            throw .bundleWriteFailed(path: directory, reason: error.localizedDescription)
        }
        var succeeded = false
        defer {
            if isArchive || !succeeded { BundleFiles.removeTree(directory) }
        }
        var summary = try write(run: run, into: directory)
        if isArchive {
            try TarArchive.create(path, from: directory)
        }
        summary.path = path
        succeeded = true
        return summary
    }

    private func write(run: RunRecord, into root: String) throws(ExportError) -> Summary {
        let nodes: [NodeRecord]
        let envelopes: [EnvelopeRecord]
        let denials: [DenialRecord]
        let submission: AttestationRecord?
        let outcome: AttestationRecord?
        let revocations: RevocationList
        do {
            nodes = try store.nodes(runID: run.id)
            envelopes = try store.envelopes(runID: run.id)
            denials = try store.denials(runID: run.id)
            let attestations = try store.attestations(runID: run.id)
            submission = attestations.first { $0.kind == .submission }
            outcome = attestations.last { $0.kind == .outcome }
        } catch {
            throw .state(reason: error.description)
        }
        revocations = try Revocations(store: store).list()
        let files = BundleFiles(root: root)

        try files.write(BundleLayout.workflow, Data(run.workflowYAML.utf8))
        try files.write(BundleLayout.parameters, Data(run.parametersJSON.utf8))
        // The governance as the engine digested it; a run recorded before submissions has no attestation to copy
        // (verification then reports it missing).
        let governance = try SubmittedWorkflow(text: run.workflowYAML, file: run.sourcePath).governance
        try files.write(BundleLayout.governance, Data(governance.bytes))
        if let submission { try files.write(BundleLayout.submission, submission.envelopeJSON) }
        if let outcome { try files.write(BundleLayout.outcome, outcome.envelopeJSON) }
        try files.write(BundleLayout.status, Data((ArgoWorkflow(run: run, nodes: nodes).jsonText() + "\n").utf8))

        // Envelopes: the node's recorded envelope is `<node-id>.intoto.json`; any other one of the same node
        // (an earlier attempt) gets its payload digest appended.
        // A Retry node records its last attempt's envelope too: the file is the attempt's, the node that signed it.
        let recorded = Dictionary(
            nodes.compactMap { node in node.envelopeDigest.map { (node.id, $0) } }, uniquingKeysWith: { a, _ in a })
        var lines: [UInt8] = []
        for envelope in envelopes {
            let isRecorded = recorded[envelope.nodeID] == envelope.payloadDigest
            let stem = isRecorded ? envelope.nodeID : "\(envelope.nodeID)-\(envelope.payloadDigest.prefix(16))"
            guard (try? validateRelativeName(stem)) != nil, !stem.contains("/") else {
                throw .bundleWriteFailed(path: root, reason: "node id '\(stem)' is not a safe file name")
            }
            try files.write(BundleLayout.envelopes + "/" + stem + BundleLayout.envelopeSuffix, envelope.envelopeJSON)
            lines.append(contentsOf: envelope.envelopeJSON)
            lines.append(UInt8(ascii: "\n"))
        }
        try files.write(BundleLayout.envelopeLines, Data(lines))
        let provenance = try provenanceKey.map { key throws(ExportError) in
            try writeProvenance(run: run, nodes: nodes, envelopes: envelopes, key: key, files: files)
        }
        let externalRuns = try externalRuns(referencedBy: envelopes, runID: run.id)
        for external in externalRuns { try write(external, files: files) }

        // Artifacts, once per digest.
        let decoder = JSONDecoder()
        var copied = Set<String>()
        for node in nodes {
            guard let json = node.outputsJSON,
                let outputs = try? decoder.decode(NodeOutputs.self, from: Data(json.utf8))
            else { continue }
            for artifact in outputs.artifacts {
                let isTree = artifact.kind == .directory
                let relative =
                    (isTree ? BundleLayout.treeArtifacts : BundleLayout.fileArtifacts) + "/" + artifact.digest
                guard copied.insert(relative).inserted else { continue }
                guard (try? Digest(hex: artifact.digest)) != nil else {
                    throw .bundleWriteFailed(
                        path: root, reason: "artifact digest '\(artifact.digest)' is not sha256 hex")
                }
                try files.copy(from: artifact.storedPath, to: relative, isDirectory: isTree)
            }
        }

        let runKeys = StateLayout.runDirectory(in: stateDirectory, runName: run.name)
        if FileManager.default.fileExists(atPath: runKeys + "/templates.json") {
            try files.copy(from: runKeys + "/templates.json", to: BundleLayout.templates, isDirectory: false)
        }
        try files.copy(from: runKeys + "/signer.pub.pem", to: BundleLayout.signerKey, isDirectory: false)
        try files.copy(from: runKeys + "/trusted-keys.pem", to: BundleLayout.trustedKeys, isDirectory: false)
        // The list's time is that of its newest entry (or the run's creation), so that exporting the same run with
        // the same revocations twice gives byte-identical bundles.
        let snapshotTime = revocations.entries.map(\.revokedAt).max() ?? run.createdAt
        try files.write(BundleLayout.revocations, Data(revocations.json(issuer: nil, exportedAt: snapshotTime).bytes))
        try files.write(BundleLayout.denials, Data(RunOutcome.json(denials: denials).bytes))

        let listed = try files.manifestEntries()
        var manifest: [String: CanonicalJSON] = [
            "format": .string(BundleLayout.format),
            "run": [
                "id": .string(run.id), "name": .string(run.name), "phase": .string(run.phase.rawValue),
                "workflowDigest": ["sha256": .string(run.workflowDigest)],
                "signerKeyid": .string(run.signerKeyID),
            ],
            "files": .array(
                listed.map { entry in
                    ["path": .string(entry.path), "sha256": .string(entry.sha256), "size": .integer(entry.size)]
                }),
        ]
        if !externalRuns.isEmpty {
            manifest["externalRuns"] = .array(
                externalRuns.map { external in
                    [
                        "id": .string(external.run.id), "name": .string(external.run.name),
                        "workflowDigest": ["sha256": .string(external.run.workflowDigest)],
                        "envelopes": .integer(Int64(external.envelopes.count)),
                    ]
                })
        }
        try files.write(BundleLayout.manifest, Data(CanonicalJSON.object(manifest).bytes))
        var summary = Summary(path: root, envelopes: envelopes.count, artifacts: copied.count, files: listed.count)
        summary.externalEnvelopes = externalRuns.reduce(0) { $0 + $1.envelopes.count }
        summary.provenanceEnvelopes = provenance ?? 0
        return summary
    }
}

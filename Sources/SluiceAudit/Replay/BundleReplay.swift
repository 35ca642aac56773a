import Foundation
package import SluiceEngine
package import SluiceGovernance
package import SluiceStore

/// `sluice replay BUNDLE [--from NODE]`: runs a verified bundle's workflow again, with its captured parameters, as a
/// new run in a state directory, and compares what it produces with what was captured.
///
/// 1. ``open(bundleAt:trustedKeys:revocationListPath:)`` verifies the bundle exactly as `sluice verify` does; a
///    replay of a bundle that does not verify must be refused before anything runs.
/// 2. ``plan(from:stateDirectory:)`` imports the captured run (its run record, envelopes, submission attestation and
///    the artifacts of the nodes to reuse) into the state directory and builds the ``RunRequest``. Without `from`,
///    every node runs again. With it, the named node and every node downstream of it in the captured lineage run;
///    the others reuse their captured outputs, re-verified and re-signed (see ``ReplaySource``).
/// 3. After the run, ``reproducibility(of:in:plan:)`` compares each captured subject with the replay's.
///
/// Limits: the replay submits with this machine's key, so a governance that lists authorities must admit it to
/// submit; a workflow that names a `workflowTemplateRef` cannot be replayed from the bundle alone; nodes are
/// matched by their name within the run, so a replay that takes other branches (`when`, loops over changed data)
/// reports captured nodes it did not produce as missing.
///
/// ```swift
/// let replay = try BundleReplay.open(bundleAt: "run.tar.gz")
/// defer { replay.close() }
/// guard replay.verification.isVerified else { return }
/// let plan = try replay.plan(from: "train", stateDirectory: home)
/// let summary = try await WorkflowEngine().run(plan.request)
/// ```
package struct BundleReplay: Sendable {
    /// What a replay will run and reuse.
    package struct Plan: Sendable {
        /// The request to give the engine (workflow, captured parameters, state directory, ``ReplaySource``).
        package var request: RunRequest
        /// Display names of the captured nodes that are reused rather than run.
        package var reused: [String]
        fileprivate var captured: CapturedRun
    }

    /// The bundle as given.
    package let path: String
    /// The unpacked bundle tree.
    package let directory: String
    /// What verifying the bundle found.
    package let verification: BundleVerifier.Report
    private let scratch: String?
    /// Whether the bundle was verified against keys the user gave (`--trust`), not only its own: only then does a
    /// verified bundle prove where its outputs come from.
    package let isOriginTrusted: Bool

    /// Unpacks (for `.tar.gz`) and verifies a bundle; call ``close()`` when done.
    ///
    /// - Throws: `ExportError.bundleUnreadable` when the bundle cannot be opened. A bundle that does not verify is
    ///   not an error: see ``verification``.
    package static func open(
        bundleAt path: String, trustedKeys: [PublicKey]? = nil,
        revocationListPath: String? = nil
    ) throws(ExportError) -> BundleReplay {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .bundleUnreadable(path: path, reason: "no such file or directory")
        }
        var scratch: String?
        var directory = path
        if !isDirectory.boolValue {
            guard BundleLayout.isArchive(path) else {
                throw .bundleUnreadable(path: path, reason: "it is neither a directory nor a .tar.gz archive")
            }
            let unpacked = try ScratchDirectories.make(prefix: "sluice-replay", for: path)
            do throws(ExportError) {
                try BundleUnpacker.extract(path, into: unpacked)
            } catch {
                ScratchDirectories.remove(unpacked)
                throw error
            }
            scratch = unpacked
            directory = unpacked
        }
        let verifier = BundleVerifier(trustedKeys: trustedKeys, revocationListPath: revocationListPath)
        let report: BundleVerifier.Report
        do throws(ExportError) {
            report = try verifier.verify(directory: directory)
        } catch {
            if let scratch { ScratchDirectories.remove(scratch) }
            throw error
        }
        return BundleReplay(
            path: path, directory: directory, verification: report, scratch: scratch,
            isOriginTrusted: trustedKeys != nil)
    }

    /// Removes the unpacked copy of an archive bundle.
    package func close() {
        if let scratch { ScratchDirectories.remove(scratch) }
    }

    // MARK: - Plan

    /// Imports the captured run into `stateDirectory` and builds the replay's request.
    ///
    /// - Parameters:
    ///   - from: the node to run again with everything downstream of it; nil runs every node.
    ///   - resigningUntrusted: re-sign captured outputs even when the bundle was verified against its own keys
    ///     only (`--resign-untrusted`); the re-signed lineage records that its origin was not verified.
    /// - Throws: `ExportError.replayUntrusted` when outputs would be reused from a bundle whose origin was not
    ///   verified and `resigningUntrusted` is false, `.replayNodeUnknown` when `from` names no captured node,
    ///   `.replayImportFailed` when the state directory cannot take the captured run, `.bundleUnreadable` when a
    ///   file cannot be read.
    package func plan(from: String?, stateDirectory: String, resigningUntrusted: Bool = false)
        throws(ExportError) -> Plan
    {
        precondition(verification.isVerified, "replay plans are made only for bundles that verified")
        let captured = try CapturedRun(directory: directory)
        let rerun = try from.map { name throws(ExportError) in try captured.rerun(from: name) }
        let reused = rerun.map { rerun in captured.nodes.filter { !rerun.contains($0.id) } } ?? []
        if !reused.isEmpty && !isOriginTrusted && !resigningUntrusted { throw .replayUntrusted(bundle: path) }
        guard let submitterKey = verification.submitterKey else {
            preconditionFailure("a verified bundle has a verified submission attestation")
        }
        let chain = TrustChain(governance: captured.governance, runKey: submitterKey)
        let nodes = try importCaptured(
            captured, reusing: reused, into: stateDirectory, submitterKey: submitterKey, chain: chain)

        var request = RunRequest(
            workflowPath: directory + "/" + BundleLayout.workflow, parameters: captured.parameters,
            stateDirectory: stateDirectory)
        if !reused.isEmpty {
            request.replay = ReplaySource(
                runID: captured.runID, workflowDigest: captured.workflowDigest,
                submissionDigest: captured.submission.payloadDigest, chain: chain,
                reusable: Dictionary(nodes, uniquingKeysWith: { first, _ in first }),
                label: "bundle \(captured.manifestDigest)", isOriginTrusted: isOriginTrusted)
        }
        return Plan(request: request, reused: reused.map(\.displayName), captured: captured)
    }

    /// Records the captured run, its envelopes and submission attestation, and the reused nodes' artifacts in the
    /// state directory, so that the gate can re-verify reused outputs as it verifies any input; the captured run's
    /// key files (the keys its governance admits to sign) go where a run's own do, for `sluice export` of the
    /// replay to carry them.
    private func importCaptured(
        _ captured: CapturedRun, reusing reused: [CapturedRun.Node], into stateDirectory: String,
        submitterKey: PublicKey, chain: TrustChain
    ) throws(ExportError) -> [(String, ReplaySource.Node)] {
        do throws(StoreError) {
            let store = try Store(stateDirectory: stateDirectory)
            let artifacts = try ArtifactStore(stateDirectory: stateDirectory)
            let now = Date()
            let known = (try? store.run(named: captured.runID))?.id == captured.runID
            var transition = Transition()
            if !known {
                var name = captured.runName
                while try store.isNameTaken(name) {
                    name = "\(captured.runName)-captured-\(NodeIdentity.generatedSuffix())"
                }
                transition.run = RunRecord(
                    id: captured.runID, name: name, sourcePath: path + "/" + BundleLayout.workflow,
                    workflowYAML: captured.workflowText, parametersJSON: captured.parametersText,
                    workflowDigest: captured.workflowDigest.hex, governanceDigest: captured.governance.digest.hex,
                    runtime: captured.nodes.first?.predicate.producer.runtime ?? "process",
                    signerKeyID: captured.nodes.first?.predicate.producer.signer.keyID ?? submitterKey.keyID,
                    phase: RunPhase(rawValue: captured.phase) ?? .failed,
                    message: "captured in bundle \(captured.manifestDigest), imported by sluice replay",
                    createdAt: now, finishedAt: now)
            }
            for envelope in captured.envelopes where try store.envelope(payloadDigest: envelope.digest.hex) == nil {
                transition.envelopes.append(
                    EnvelopeRecord(
                        payloadDigest: envelope.digest.hex, runID: captured.runID, nodeID: envelope.nodeID,
                        keyID: envelope.keyID, envelopeJSON: Data(envelope.bytes), createdAt: now))
            }
            if !transition.isEmpty { try store.record(transition) }
            if !known {
                try writeKeys(
                    runName: transition.run?.name ?? captured.runName, into: stateDirectory, chain: chain)
                try store.saveAttestation(
                    AttestationRecord(
                        payloadDigest: captured.submission.payloadDigest.hex, runID: captured.runID, kind: .submission,
                        keyID: submitterKey.keyID, envelopeJSON: Data(captured.submission.jsonBytes()), createdAt: now))
            }
            return try reused.map { node throws(StoreError) in
                var outputs = node.outputs
                for index in outputs.artifacts.indices {
                    let artifact = outputs.artifacts[index]
                    outputs.artifacts[index].storedPath =
                        artifact.kind == .directory
                        ? try artifacts.put(
                            directoryAt: directory + "/" + BundleLayout.treeArtifacts + "/" + artifact.digest,
                            digest: artifact.digest)
                        : try artifacts.put(
                            fileAt: directory + "/" + BundleLayout.fileArtifacts + "/" + artifact.digest,
                            digest: artifact.digest)
                }
                let predicate = node.predicate
                return (
                    node.relativeName,
                    ReplaySource.Node(
                        id: node.id, displayName: node.displayName, outputs: outputs,
                        envelopeDigest: node.envelopeDigest,
                        command: predicate.producer.command, image: predicate.producer.image,
                        chainDepth: predicate.chainDepth)
                )
            }
        } catch {
            throw .replayImportFailed(reason: error.description)
        }
    }

    /// Writes `runs/<name>/trusted-keys.pem` (the keys the captured governance admits to sign) for an imported run.
    private func writeKeys(runName: String, into stateDirectory: String, chain: TrustChain) throws(StoreError) {
        let runDirectory = StateLayout.runDirectory(in: stateDirectory, runName: runName)
        do {
            try FileManager.default.createDirectory(
                atPath: runDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let pem = chain.keys(for: .sign).map(\.pem).joined()
            try Data(pem.utf8).write(to: URL(fileURLWithPath: runDirectory + "/trusted-keys.pem"))
        } catch {
            throw .stateDirectoryUnusable(path: runDirectory, reason: error.localizedDescription)
        }
    }

    // MARK: - Report

    /// Compares every subject of every captured node with the replay run's node of the same name.
    ///
    /// - Throws: `ExportError.state` when the replay run's nodes or envelopes cannot be read.
    package func reproducibility(of run: RunRecord, in store: Store, plan: Plan) throws(ExportError)
        -> ReproducibilityReport
    {
        var replayed: [String: [Statement.Subject]] = [:]
        do {
            for node in try store.nodes(runID: run.id) {
                guard let digest = node.envelopeDigest, let record = try store.envelope(payloadDigest: digest),
                    let envelope = try? Envelope(jsonBytes: [UInt8](record.envelopeJSON)),
                    let statement = try? Statement(payloadBytes: envelope.payload)
                else { continue }
                let relative = node.name.hasPrefix(run.name) ? String(node.name.dropFirst(run.name.count)) : node.name
                replayed[relative] = statement.subjects
            }
        } catch {
            throw .state(reason: error.description)
        }
        let reused = Set(plan.reused)
        var entries: [ReproducibilityReport.Entry] = []
        for node in plan.captured.nodes {
            let subjects = replayed[node.relativeName]
            for subject in node.subjects {
                let replayedDigest = subjects?.first { $0.name == subject.name }?.digest
                let outcome: ReproducibilityReport.Outcome =
                    replayedDigest == nil
                    ? .missing
                    : replayedDigest != subject.digest
                        ? .different
                        : reused.contains(node.displayName) ? .reused : .same
                entries.append(
                    ReproducibilityReport.Entry(
                        node: node.displayName, subject: subject.name, captured: Self.show(subject.digest),
                        replayed: replayedDigest.map(Self.show), outcome: outcome))
            }
        }
        return ReproducibilityReport(capturedRun: plan.captured.runName, replayRun: run.name, entries: entries)
    }

    private static func show(_ digest: [String: String]) -> String {
        digest.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ",")
    }
}

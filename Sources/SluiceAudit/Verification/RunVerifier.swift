import Foundation
package import SluiceEngine
import SluiceGovernance
import SluiceSpec
package import SluiceStore

/// Re-checks a recorded run: every envelope's signature by a trusted key, its recorded payload digest, and every
/// subject against the bytes in the artifact store and the recorded parameter values; then the run's whole policy,
/// exactly as `sluice verify BUNDLE` decides it (revocations, trust slopes, governance and constraints digests,
/// constraints, chain continuity, the submission and the signed run outcome), by exporting the run to a scratch
/// bundle and verifying that with ``BundleVerifier``: one set of checks, not a second copy of them.
package struct RunVerifier {
    /// One finding of a verification.
    package struct Finding: Sendable, Equatable {
        package var node: String
        package var ok: Bool
        package var detail: String
    }

    package let store: Store
    package let stateDirectory: String

    package init(store: Store, stateDirectory: String) {
        self.store = store
        self.stateDirectory = stateDirectory
    }

    /// Verifies the run; each envelope yields one finding.
    package func verify(run: RunRecord) throws(EngineError) -> [Finding] {
        let keysPath = StateLayout.runDirectory(in: stateDirectory, runName: run.name) + "/trusted-keys.pem"
        let trusted: [PublicKey]
        do {
            let text = try String(contentsOfFile: keysPath, encoding: .utf8)
            trusted = try text.components(separatedBy: "-----END PUBLIC KEY-----")
                .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
                .filter { !$0.isEmpty }
                .map { try PublicKey(pem: $0 + "\n-----END PUBLIC KEY-----\n") }
        } catch {
            throw .keyUnavailable(reason: "cannot read the run's trusted keys at '\(keysPath)': \(error)")
        }
        let nodes: [NodeRecord]
        do {
            nodes = try store.nodes(runID: run.id)
        } catch {
            throw .stateUnavailable(reason: error.description)
        }
        let decoder = JSONDecoder()
        var findings: [Finding] = []
        // Every Succeeded pod must have an envelope; any other node that has one (a Failed pod's outputs, a steps
        // or DAG template's computed outputs) is checked the same way.
        for node in nodes where (node.type == .pod && node.phase == .succeeded) || node.envelopeDigest != nil {
            guard let digest = node.envelopeDigest else {
                findings.append(Finding(node: node.displayName, ok: false, detail: "no lineage envelope recorded"))
                continue
            }
            do {
                guard let record = try store.envelope(payloadDigest: digest) else {
                    findings.append(
                        Finding(
                            node: node.displayName, ok: false,
                            detail: "envelope sha256:\(digest) is missing from the store"))
                    continue
                }
                let envelope = try Envelope(jsonBytes: [UInt8](record.envelopeJSON))
                guard envelope.payloadDigest.hex == digest else {
                    findings.append(
                        Finding(
                            node: node.displayName, ok: false,
                            detail:
                                "envelope payload digest \(envelope.payloadDigest) differs from the recorded sha256:\(digest)"
                        ))
                    continue
                }
                let signer = try envelope.verify(trustedKeys: trusted, node: node.displayName)
                let statement = try Statement(payloadBytes: envelope.payload)
                let outputs =
                    try node.outputsJSON.map { try decoder.decode(NodeOutputs.self, from: Data($0.utf8)) }
                    ?? NodeOutputs()
                // Facts: what the store recorded and what its artifact files hash to now; the policy decides.
                var stored: [LineagePolicy.StoredArtifact] = []
                for artifact in outputs.artifacts {
                    let actual =
                        artifact.kind == .directory
                        ? try Digest.directoryHash(at: artifact.storedPath)
                        : try Digest.sha256(fileAt: artifact.storedPath)
                    stored.append(
                        .init(
                            name: artifact.name, recordedDigest: artifact.digest, measured: actual,
                            path: artifact.storedPath))
                }
                let problems = LineagePolicy.storedOutputRefusals(
                    node: node.displayName, signed: statement.subjects, recorded: LineageSigner.subjects(of: outputs),
                    artifacts: stored
                ).map(\.reason)
                if problems.isEmpty {
                    findings.append(
                        Finding(
                            node: node.displayName, ok: true,
                            detail:
                                "\(statement.subjects.count) subject(s) verified, signed by \(signer.keyID.prefix(16))…, "
                                + Self.isolation(of: statement)))
                } else {
                    findings.append(
                        Finding(node: node.displayName, ok: false, detail: problems.joined(separator: "; ")))
                }
            } catch let error as GovernanceError {
                findings.append(Finding(node: node.displayName, ok: false, detail: error.description))
            } catch {
                findings.append(Finding(node: node.displayName, ok: false, detail: "\(error)"))
            }
        }
        return findings + (policyFindings(run: run, nodes: nodes, alreadyFailed: findings))
    }

    /// How the node that signed `statement` was isolated, as ``LineagePredicate/Producer/isolationDescription``.
    private static func isolation(of statement: Statement) -> String {
        (try? LineagePredicate(json: statement.predicate))?.producer.isolationDescription ?? "isolation not recorded"
    }

    /// The failures of the bundle verifier over a scratch export of the run, attributed to nodes where the failing
    /// file is a node's envelope or artifact; a node the store checks already failed is not reported twice.
    private func policyFindings(run: RunRecord, nodes: [NodeRecord], alreadyFailed: [Finding]) -> [Finding] {
        let scratch = NSTemporaryDirectory() + "/sluice-verify-run-\(UUID().uuidString)"
        defer { BundleFiles.removeTree(scratch) }
        let report: BundleVerifier.Report
        do {
            _ = try BundleExporter(store: store, stateDirectory: stateDirectory).export(run: run, to: scratch)
            report = try BundleVerifier().verify(directory: scratch)
        } catch {
            // A store the per-node checks found altered may not even export; those findings already say why.
            if alreadyFailed.contains(where: { !$0.ok }) { return [] }
            return [Finding(node: run.name, ok: false, detail: "cannot check the run's policy: \(error.description)")]
        }
        var names: [String: String] = [:]
        let decoder = JSONDecoder()
        for node in nodes {
            names[BundleLayout.envelopes + "/" + node.id + BundleLayout.envelopeSuffix] = node.displayName
            let outputs = node.outputsJSON.flatMap { try? decoder.decode(NodeOutputs.self, from: Data($0.utf8)) }
            for artifact in outputs?.artifacts ?? [] {
                let folder = artifact.kind == .directory ? BundleLayout.treeArtifacts : BundleLayout.fileArtifacts
                names[folder + "/" + artifact.digest] = names[folder + "/" + artifact.digest] ?? node.displayName
            }
        }
        let failedNodes = Set(alreadyFailed.filter { !$0.ok }.map(\.node))
        var findings: [Finding] = []
        for failure in report.failures {
            let subject = names[failure.file] ?? failure.file
            guard !failedNodes.contains(subject) else { continue }
            findings.append(Finding(node: subject, ok: false, detail: failure.detail))
        }
        return findings
    }
}

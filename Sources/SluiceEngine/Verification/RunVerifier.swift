package import Foundation
import SluiceGovernance
package import SluiceStore

/// Re-checks a recorded run: every envelope's signature by a trusted key, its recorded payload digest, and every
/// subject against the bytes in the artifact store and the recorded parameter values.
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
        let keysPath = stateDirectory + "/runs/" + run.name + "/trusted-keys.pem"
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
        for node in nodes where node.type == "Pod" && node.phase == "Succeeded" {
            guard let digest = node.envelopeDigest else {
                findings.append(Finding(node: node.displayName, ok: false, detail: "no lineage envelope recorded"))
                continue
            }
            do {
                guard let record = try store.envelope(payloadDigest: digest) else {
                    findings.append(Finding(node: node.displayName, ok: false,
                                            detail: "envelope sha256:\(digest) is missing from the store"))
                    continue
                }
                let envelope = try Envelope(jsonBytes: [UInt8](record.envelopeJSON))
                guard envelope.payloadDigest.hex == digest else {
                    findings.append(Finding(node: node.displayName, ok: false, detail:
                        "envelope payload digest \(envelope.payloadDigest) differs from the recorded sha256:\(digest)"))
                    continue
                }
                let signer = try envelope.verify(trustedKeys: trusted, node: node.displayName)
                let statement = try Statement(payloadBytes: envelope.payload)
                let outputs = try node.outputsJSON.map { try decoder.decode(NodeOutputs.self, from: Data($0.utf8)) }
                    ?? NodeOutputs()
                let expected = LineageSigner.subjects(of: outputs)
                var problems: [String] = []
                for subject in expected where !statement.subjects.contains(subject) {
                    problems.append("subject '\(subject.name)' does not match the recorded output")
                }
                for artifact in outputs.artifacts {
                    let actual = artifact.kind == .directory
                        ? try Digest.directoryHash(at: artifact.storedPath) : try Digest.sha256(fileAt: artifact.storedPath)
                    if actual.hex != artifact.digest {
                        problems.append("artifact '\(artifact.name)' is sha256:\(artifact.digest) in the envelope but "
                                        + "\(actual) in the store (\(artifact.storedPath))")
                    }
                }
                if problems.isEmpty {
                    findings.append(Finding(node: node.displayName, ok: true, detail:
                        "\(statement.subjects.count) subject(s) verified, signed by \(signer.keyID.prefix(16))…"))
                } else {
                    findings.append(Finding(node: node.displayName, ok: false, detail: problems.joined(separator: "; ")))
                }
            } catch let error as GovernanceError {
                findings.append(Finding(node: node.displayName, ok: false, detail: error.description))
            } catch {
                findings.append(Finding(node: node.displayName, ok: false, detail: "\(error)"))
            }
        }
        return findings
    }
}

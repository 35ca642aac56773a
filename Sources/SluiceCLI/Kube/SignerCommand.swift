import ArgumentParser
import Foundation
import SluiceAudit
import SluiceEngine
import SluiceExpressions
import SluiceGovernance
import SluiceKube
import SluiceStore

/// `sluice signer`: the pod's signer sidecar (see ``SignerServer``).
struct SignerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signer",
        abstract:
            "Hold the lineage key in a pod and sign its one node's envelope for sluice wrap (used by kube render).")

    @Option(help: "The Unix socket to serve the session on (in an emptyDir shared with the main container).")
    var socket: String = PodLayout.socketPath
    @Option(help: "The lineage key (PKCS#8 PEM), from the Secret only this container mounts.")
    var key: String
    @Option(help: "The run's facts (canonical JSON, written by kube render).")
    var runFacts: String
    @Option(help: "Argo's node name ({{node.name}}).")
    var nodeName: String
    @Option(help: "Argo's node id (default: $ARGO_NODE_ID, else computed from the node name as Argo does).")
    var nodeID: String?
    @Option(help: "The template's identity.")
    var template: String
    @Option(help: "The template's content digest, sha256:<hex>.")
    var templateDigest: String?
    @Option(help: "The main container's image.")
    var image: String?
    @Option(name: .customLong("container"), help: "Another container of the pod, KIND/NAME=IMAGE (repeatable).")
    var containers: [String] = []
    @Option(help: "Argo's {{retries}} (the attempt is one more).")
    var retries: Int?
    @Option(
        help:
            "A signed revocation list (sluice revocations export), when present: its entries reach the wrapper's gate.")
    var revocations: String?

    func run() throws {
        do {
            let facts = try RunFacts(json: try Self.json(runFacts))
            let signingKey: SigningKey
            do {
                signingKey = try SigningKey.load(from: key)
            } catch {
                throw KubeError.unreadable(path: key, reason: error.description)
            }
            let id =
                nodeID ?? ProcessInfo.processInfo.environment["ARGO_NODE_ID"].flatMap { $0.isEmpty ? nil : $0 }
                ?? NodeIdentity.id(workflowName: facts.workflowName, nodeName: nodeName)
            let node = NodeFacts(
                id: id, name: nodeName, displayName: NodeFacts.displayName(of: nodeName), templateName: template,
                templateDigest: try templateDigest.map(Self.digest), attempt: (retries ?? 0) + 1, image: image,
                containers: try containers.map(Self.container))
            var server = SignerServer(
                signer: try PodSigner(key: signingKey, run: facts, node: node), socketPath: socket)
            server.revocations = Self.revocations(
                at: revocations, trusting: [facts.submitterKey, signingKey.publicKey])
            try server.serve()
        } catch {
            throw KubeArguments.exit(for: error)
        }
    }

    /// The list at `path` when there is one, verified against `keys`; unreadable (the gate fails closed) when it is
    /// there but does not verify.
    static func revocations(at path: String?, trusting keys: [PublicKey]) -> LineagePolicy.Revocations {
        guard let path, FileManager.default.fileExists(atPath: path) else { return .listed([]) }
        do {
            let list = try RevocationList.verifiedFile(at: path, trustedKeys: keys).list
            return .listed(
                list.entries.compactMap { entry in
                    GovernanceDocument.Revocation.Kind(rawValue: entry.kind.rawValue).map {
                        .init(kind: $0, value: entry.value, reason: entry.reason)
                    }
                })
        } catch {
            return .unreadable(reason: "the revocation list '\(path)' does not verify: \(error.description)")
        }
    }

    private static func json(_ text: String) throws -> CanonicalJSON {
        do {
            return try CanonicalJSON(parsing: Array(text.utf8))
        } catch {
            throw KubeError.badOption(option: "--run-facts", reason: error.description)
        }
    }

    private static func digest(_ text: String) throws -> Digest {
        guard text.hasPrefix("sha256:"), let digest = try? Digest(hex: String(text.dropFirst(7))) else {
            throw KubeError.badOption(option: "--template-digest", reason: "'\(text)' is not sha256:<hex>")
        }
        return digest
    }

    private static func container(_ text: String) throws -> LineagePredicate.Producer.Container {
        let pair = try WrapPlan.pair(text, option: "--container")
        let parts = pair.name.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, let kind = LineagePredicate.Producer.Container.Kind(rawValue: parts[0]) else {
            throw KubeError.badOption(option: "--container", reason: "'\(text)' is not KIND/NAME=IMAGE")
        }
        return .init(kind: kind, name: parts[1], image: pair.value.isEmpty ? nil : pair.value)
    }
}

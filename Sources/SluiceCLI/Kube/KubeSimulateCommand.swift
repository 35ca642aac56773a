import ArgumentParser
import Foundation
import SluiceEngine
import SluiceGovernance
import SluiceKube

/// `sluice kube simulate RENDERED.yaml --artifact-repo DIR -o BUNDLE`: the rendered pods run for real under podman.
struct KubeSimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run a rendered Workflow's pods under `podman kube play`, in Argo's order, then collect the bundle.",
        discussion: """
            Each pod runs as rendered: the init container installs the wrapper into an emptyDir, the signer sidecar \
            alone mounts the key (a host directory standing in for the Secret), input artifacts are mounted \
            read-only. DIR stands in for the artifact repository (Argo's keys, tar.gz archives); the Workflow \
            object (as `argo get -o json` prints it) is written to DIR/<workflow>.workflow.json, then collected into \
            BUNDLE as `sluice kube collect` does. Exit code: 0 when the workflow Succeeded, 1 when it failed, 3 when \
            a pod's gate refused its node.
            """)

    @Argument(help: "The rendered Workflow (sluice kube render).")
    var file: String

    @Option(name: .customLong("artifact-repo"), help: "The directory standing in for the artifact repository.")
    var artifactRepo: String

    @Option(name: [.customShort("o"), .customLong("output")], help: "The bundle directory to write (must not exist).")
    var output: String?

    @Option(help: "The lineage key the signer Secret holds (PKCS#8 PEM); default: the state directory's key.")
    var signerKey: String?

    @Option(help: "Where to write the Workflow object (default: DIR/<workflow>.workflow.json).")
    var status: String?

    @Flag(
        help: "Continue the run recorded in the Workflow object (as argo retry): Succeeded pods are kept, not re-run.")
    var resume = false

    @Option(
        help: "A signed revocation list (sluice revocations export) standing in for the sluice-revocations ConfigMap.")
    var revocations: String?

    @Option(help: "Seconds a pod may run when its template sets no activeDeadlineSeconds (then it fails as on Argo).")
    var podDeadline: Int = 600

    @OptionGroup var state: StateOptions

    func run() async throws {
        let keyPath = signerKey ?? KeyStore.defaultKeyPath(stateDirectory: state.resolved)
        var simulator = KubeSimulator(renderedPath: file, repository: artifactRepo, signerKeyPath: keyPath)
        simulator.statusPath = status
        simulator.resume = resume
        simulator.revocationList = revocations
        simulator.podDeadline = max(1, podDeadline)
        simulator.progress = { node in
            let message = node.message.map { ": \($0)" } ?? ""
            print(
                "\(node.phase.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(node.displayName)\(message)"
            )
        }
        let outcome: KubeSimulator.Outcome
        do {
            // Ctrl-C or SIGTERM stops the simulation: the pod running is taken down, and the command ends with the
            // signal's status.
            let simulation = Task { [simulator] in try await simulator.run() }
            let trap = SignalTrap { _ in simulation.cancel() }
            let result = await simulation.result
            trap.cancel()
            if let signalNumber = trap.received {
                throw CommandFailure(
                    128 + signalNumber, "sluice: kube simulate stopped by a signal; its pod was removed")
            }
            outcome = try result.get()
            print("\(outcome.workflowName) \(outcome.phase.rawValue); Workflow object: \(outcome.statusPath)")
            if let output {
                let key = try SigningKey.load(from: keyPath)
                let summary = try await ClusterCollector(
                    repository: artifactRepo, statusPath: outcome.statusPath, key: key
                ).collect(to: output)
                print(
                    "collected \(summary.envelopes) envelope(s), \(summary.artifacts) artifact(s) into \(summary.path)")
            }
        } catch let failure as CommandFailure {
            throw failure
        } catch let error as GovernanceError {
            throw KubeArguments.exit(for: KubeError.unreadable(path: keyPath, reason: error.description))
        } catch {
            throw KubeArguments.exit(for: error)
        }
        let refused = outcome.nodes.contains { $0.message?.contains(" refused: ") ?? false }
        if refused { throw ExitCode(ExitStatus.refused) }
        if outcome.phase != .succeeded { throw ExitCode(ExitStatus.failed) }
    }
}

/// `sluice kube collect --from DIR --workflow STATUS.json -o BUNDLE`: what a cluster run left, as an export bundle.
struct KubeCollectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract:
            "Turn a cluster run (its Workflow object and artifact repository) into a bundle sluice verify checks.",
        discussion: """
            DIR holds the artifact repository's objects under their keys (e.g. `aws s3 sync s3://BUCKET DIR`); \
            STATUS.json is `argo get WORKFLOW -o json`. The run attestation (the outcome as the status states it) is \
            signed with --key, which the governance must admit to sign (the lineage key).
            """)

    @Option(name: .customLong("from"), help: "The artifact repository's objects, by key.")
    var from: String

    @Option(name: .customLong("workflow"), help: "The Workflow object (argo get -o json).")
    var workflow: String

    @Option(name: [.customShort("o"), .customLong("output")], help: "The bundle directory to write (must not exist).")
    var output: String

    @Option(help: "Signs the run attestation (PKCS#8 PEM); default: the state directory's key.")
    var key: String?

    @Option(help: "The lineage key's public key, when it is not --key's.")
    var lineageKey: String?

    @OptionGroup var state: StateOptions

    func run() async throws {
        do {
            let signing = try KeyStore.signingKey(path: key, stateDirectory: state.resolved).key
            let lineage = try lineageKey.map(KubeArguments.publicKey(at:))
            let summary = try await ClusterCollector(
                repository: from, statusPath: workflow, key: signing, lineageKey: lineage
            ).collect(to: output)
            print("collected \(summary.envelopes) envelope(s), \(summary.artifacts) artifact(s) into \(summary.path)")
        } catch {
            throw KubeArguments.exit(for: error)
        }
    }
}

/// `sluice kube diff LOCAL_BUNDLE CLUSTER_BUNDLE`: per node, whether two runs' envelopes are the same.
struct KubeDiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two bundles of one workflow node by node: both verify, masked predicates, subject digests.",
        discussion: """
            Level 1: both bundles verify (as sluice verify BUNDLE) and hold the node's envelope. Level 2: the \
            predicates are equal once the fields that must differ between runs are masked (run and node ids, \
            workflow name, times, keys, runtime, image id; upstream links by the producer's node name; see \
            docs/envelope-format.md). Level 3: equal subject digests, for every node not named with \
            --nondeterministic. Exit code 0 when every node is the same, 1 otherwise.
            """)

    @Argument(help: "The reference bundle directory (sluice export of a local run).")
    var local: String

    @Argument(help: "The bundle directory to check (sluice kube collect of a cluster run).")
    var cluster: String

    @Option(name: .customLong("trust"), help: "A public key file both bundles must verify against (repeatable).")
    var trust: [String] = []

    @Option(help: "A node (display name or masked name) whose outputs may differ between runs (repeatable).")
    var nondeterministic: [String] = []

    func run() throws {
        do {
            let keys = trust.isEmpty ? nil : try trust.map(KubeArguments.publicKey(at:))
            let left = try BundleDiff.read(local, trustedKeys: keys)
            let right = try BundleDiff.read(cluster, trustedKeys: keys)
            let comparisons = BundleDiff.compare(left, right, nondeterministic: Set(nondeterministic))
            print(BundleDiff.report(comparisons, local: left, cluster: right), terminator: "")
            if !comparisons.allSatisfy({ $0.isSame || $0.isLocalOnly }) || comparisons.isEmpty {
                throw ExitCode(ExitStatus.failed)
            }
        } catch {
            throw KubeArguments.exit(for: error)
        }
    }
}

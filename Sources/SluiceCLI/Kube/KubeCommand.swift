import ArgumentParser
import Foundation
import SluiceEngine
import SluiceExpressions
import SluiceGovernance
import SluiceKube
import SluiceSpec

/// `sluice kube …`: the same governed workflow on Argo Workflows.
struct KubeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kube",
        abstract: "Run governed workflows on Argo Workflows (Kubernetes): render, simulate, collect, diff.",
        subcommands: [
            KubeRenderCommand.self, KubeSimulateCommand.self, KubeCollectCommand.self, KubeDiffCommand.self,
            KubeAttestCommand.self,
        ])
}

/// `sluice kube render FILE -o OUT.yaml`: an ordinary Argo Workflow whose pods carry the wrapper and the signer.
struct KubeRenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render a workflow as a governed Argo Workflow (rendering is the submission: name fixed, signed).",
        discussion: """
            Every container and script template runs `sluice wrap -- <its command>` (installed by an init \
            container) next to a signer sidecar that alone mounts the Secret holding the lineage key. The \
            governance and the signed submission travel as annotations (sluice.dev/*); spec.governance is removed.
            """)

    @Argument(help: "The workflow file (Argo YAML).")
    var file: String

    @OptionGroup var arguments: WorkflowArgumentOptions

    @Option(name: [.customShort("o"), .customLong("output")], help: "Where to write the Workflow ('-': stdout).")
    var output: String

    @Option(help: "Ed25519 key that submits the run (PKCS#8 PEM); default: the state directory's key.")
    var key: String?

    @Option(help: "The lineage key the signer Secret holds (public PEM or private key file); default: --key's key.")
    var lineageKey: String?

    @Option(help: "The Kubernetes Secret holding the lineage key under '\(PodLayout.keyFileName)'.")
    var signerSecret: String = KubeRenderOptions.defaultSignerSecret

    @Option(help: "The image holding sluice at \(PodLayout.imageBinary) (scripts/build-wrapper-image.sh).")
    var wrapperImage: String = KubeRenderOptions.defaultWrapperImage

    @Option(help: "spec.artifactRepositoryRef as CONFIGMAP:KEY.")
    var artifactRepositoryRef: String?

    @Flag(
        help:
            "Render templates Sluice cannot wrap (resource, http, plugin, suspend, data, templateRef) as they are, ungoverned."
    )
    var allowUngoverned = false

    @Option(help: "Runtime profile: what an image runs when a template gives no command (see runtimes/process.yaml).")
    var runtimeProfile: String?

    @Option(help: "The submission time, RFC 3339 (default: $SOURCE_DATE_EPOCH, else now); fixes name and signature.")
    var submittedOn: String?

    @Option(name: .customLong("templates"), help: "A file or directory of WorkflowTemplates (repeatable).")
    var templatePaths: [String] = []

    @Option(
        help: """
            A submission attestation signed elsewhere (an event trigger, CI: sluice kube attest) to adopt as the \
            run's submission (its name and run id too), instead of signing one with --key; it must be signed by a \
            key the governance admits to submit and cover this workflow, its parameters and templates.
            """)
    var submission: String?

    @OptionGroup var state: StateOptions

    func run() throws {
        let overrides = try arguments.overrides()
        var options = KubeRenderOptions(
            wrapperImage: wrapperImage, signerSecret: signerSecret,
            allowUngoverned: allowUngoverned)
        if let artifactRepositoryRef {
            let parts = artifactRepositoryRef.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ValidationError("--artifact-repository-ref must be CONFIGMAP:KEY, not '\(artifactRepositoryRef)'")
            }
            options.artifactRepositoryRef = (parts[0], parts[1])
        }
        do {
            options.submission = try submission.map(KubeArguments.submission(at:))
            if let runtimeProfile { options.profile = try RuntimeProfile.load(path: runtimeProfile) }
            let loaded: LoadedFile
            do {
                loaded = try SpecLoader.load(path: file, clusterFeatures: true)
            } catch {
                throw KubeError.invalidWorkflow(error)
            }
            let library = try TemplateLibrary.forRun(of: loaded, templatePaths: templatePaths, stateDirectory: nil)
            let submitter = try KeyStore.signingKey(path: key, stateDirectory: state.resolved).key
            let lineage = try lineageKey.map(KubeArguments.publicKey(at:)) ?? submitter.publicKey
            let rendering = try KubeRenderer.render(
                loaded, library: library, overrides: overrides, submitterKey: submitter, lineageKey: lineage,
                submittedOn: try KubeArguments.submissionTime(submittedOn), options: options)
            for ungoverned in rendering.ungoverned { printError(ungoverned.warning) }
            if output == "-" {
                writeUnbuffered(rendering.text)
            } else {
                try Data(rendering.text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
                print("rendered \(rendering.facts.workflowName) (run \(rendering.facts.runID)) to \(output)")
            }
        } catch {
            throw KubeArguments.exit(for: error)
        }
    }
}

/// Argument handling and exit codes shared by the kube, wrap and signer commands.
enum KubeArguments {
    /// A public key from a PEM public key, 64 hex characters, or a private key file.
    static func publicKey(at path: String) throws -> PublicKey {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw KubeError.unreadable(path: path, reason: error.localizedDescription)
        }
        if let key = try? PublicKey(pem: text) { return key }
        if let key = try? PublicKey(hex: text.trimmingCharacters(in: .whitespacesAndNewlines)) { return key }
        do {
            return try SigningKey.load(from: path).publicKey
        } catch {
            throw KubeError.unreadable(
                path: path, reason: "neither a public key nor a private key: \(error.description)")
        }
    }

    /// The submission attestation (DSSE envelope JSON) at `path`.
    static func submission(at path: String) throws -> Envelope {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KubeError.unreadable(path: path, reason: "no such file")
        }
        do {
            return try Envelope(jsonBytes: [UInt8](data))
        } catch {
            throw KubeError.unreadable(path: path, reason: "not a DSSE envelope: \(error.description)")
        }
    }

    /// `--submitted-on`, else `$SOURCE_DATE_EPOCH`, else now.
    static func submissionTime(_ text: String?) throws -> Date {
        if let text {
            guard let date = ISO8601DateFormatter().date(from: text) else {
                throw KubeError.badOption(
                    option: "--submitted-on", reason: "'\(text)' is not RFC 3339 (2026-01-01T00:00:00Z)")
            }
            return date
        }
        if let epoch = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"], !epoch.isEmpty {
            guard let seconds = Int64(epoch) else {
                throw KubeError.badOption(option: "SOURCE_DATE_EPOCH", reason: "'\(epoch)' is not a number of seconds")
            }
            return Date(timeIntervalSince1970: TimeInterval(seconds))
        }
        return Date()
    }

    /// Prints `error` and returns the exit code it maps to (one place for the kube commands).
    static func exit(for error: any Error) -> any Error {
        if error is ExitCode || error is ValidationError { return error }
        let message: String
        let code: Int32
        switch error {
        case let error as KubeError:
            message = error.description
            switch error {
            case .invalidWorkflow, .governance, .unwrappable, .cannotWrap, .reservedName:
                code = ExitStatus.invalidWorkflow
            case .submissionRefused: code = ExitStatus.refused
            case .parameter, .badOption, .unreadable: code = ExitStatus.usage
            case .session, .simulation, .collect: code = ExitStatus.failed
            }
        case let error as EngineError:
            message = error.description
            switch error {
            case .invalidWorkflow: code = ExitStatus.invalidWorkflow
            case .keyUnavailable, .stateUnavailable: code = ExitStatus.usage
            default: code = ExitStatus.failed
            }
        default:
            message = "\(error)"
            code = ExitStatus.failed
        }
        printError(message.contains(": error: ") || message.hasPrefix("error:") ? message : "error: " + message)
        return ExitCode(code)
    }
}

import ArgumentParser
import Foundation
import SluiceEngine
import SluiceGovernance
import SluiceKube
import SluiceSpec

/// `sluice kube attest FILE -o SUBMISSION.json`: signs the submission attestation of a workflow, as an event trigger
/// or a CI system does, for `sluice kube render --submission` or `sluice run --submission` to adopt elsewhere.
struct KubeAttestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attest",
        abstract: "Sign a workflow's submission attestation (as a trigger or CI would) for render/run --submission.",
        discussion: """
            The attestation is the one `sluice kube render` would sign with the same inputs: it fixes the run's \
            name and id and covers the workflow document, its governance, the resolved parameters and the templates \
            it references. Whoever adopts it must give the same workflow and parameters, and its governance must \
            admit --key to submit.
            """)

    @Argument(help: "The workflow file (Argo YAML).")
    var file: String

    @OptionGroup var arguments: WorkflowArgumentOptions

    @Option(name: [.customShort("o"), .customLong("output")], help: "Where to write the attestation ('-': stdout).")
    var output: String

    @Option(help: "Ed25519 key that submits (PKCS#8 PEM); default: the state directory's key.")
    var key: String?

    @Option(help: "The submission time, RFC 3339 (default: $SOURCE_DATE_EPOCH, else now); fixes name and signature.")
    var submittedOn: String?

    @Option(name: .customLong("templates"), help: "A file or directory of WorkflowTemplates (repeatable).")
    var templatePaths: [String] = []

    @OptionGroup var state: StateOptions

    func run() throws {
        let overrides = try arguments.overrides()
        do {
            let loaded: LoadedFile
            do {
                loaded = try SpecLoader.load(path: file, clusterFeatures: true)
            } catch {
                throw KubeError.invalidWorkflow(error)
            }
            let library = try TemplateLibrary.forRun(of: loaded, templatePaths: templatePaths, stateDirectory: nil)
            let submitter = try KeyStore.signingKey(path: key, stateDirectory: state.resolved).key
            // The attestation does not depend on how pods are wrapped: render what cannot be wrapped as it is.
            let rendering = try KubeRenderer.render(
                loaded, library: library, overrides: overrides, submitterKey: submitter,
                lineageKey: submitter.publicKey, submittedOn: try KubeArguments.submissionTime(submittedOn),
                options: KubeRenderOptions(allowUngoverned: true))
            let text = String(decoding: rendering.facts.submission.jsonBytes(), as: UTF8.self) + "\n"
            if output == "-" {
                writeUnbuffered(text)
            } else {
                try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
                print(
                    "attested the submission of \(rendering.facts.workflowName) (run \(rendering.facts.runID)) "
                        + "to \(output)")
            }
        } catch {
            throw KubeArguments.exit(for: error)
        }
    }
}

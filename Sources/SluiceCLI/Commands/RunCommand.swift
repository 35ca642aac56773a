import ArgumentParser
import Foundation
import SluiceEngine
import SluiceExpressions
import SluiceRuntimes
import SluiceSpec
import SluiceStore

/// `sluice run FILE`: submits a workflow and waits for its end, like `argo submit --wait`.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a workflow file to its end, showing progress.",
        aliases: ["submit"])

    @Argument(help: "The workflow file (Argo YAML, kind Workflow).")
    var file: String

    @OptionGroup var arguments: WorkflowArgumentOptions

    @Option(
        name: .customLong("target"),
        help: "Run only these tasks of the entrypoint DAG and what they depend on: NAME[,NAME...] (repeatable).")
    var targets: [String] = []

    @Option(
        help: """
            Where nodes run: process (default), podman or docker (each node in a container of its image); \
            a template's annotation sluice.dev/runtime overrides it.
            """)
    var runtime: String = "process"

    @Option(help: "Process isolation: auto (bubblewrap when usable), bubblewrap, or none (nodes run one at a time).")
    var isolation: String = "auto"

    @Option(
        help:
            "Runtime profile file: image entrypoints for the process runtime, or the CLI, flags and pull policy for podman/docker (see runtimes/)."
    )
    var runtimeProfile: String?

    @Option(
        help: "Ed25519 key that submits the run (PKCS#8 PEM); default: the state directory's key, created on first use."
    )
    var key: String?

    @Option(
        help: "Ed25519 key that signs node lineage when it is not the submitting key (admitted by spec.governance).")
    var lineageKey: String?

    @Option(
        name: .customLong("templates"),
        help: "A file or directory of WorkflowTemplates for templateRef/workflowTemplateRef (repeatable).")
    var templatePaths: [String] = []

    @Option(
        help: """
            A submission attestation signed elsewhere (an event trigger, CI: sluice kube attest) to adopt as the \
            run's submission, name and id; it must be signed by a key the governance admits to submit.
            """)
    var submission: String?

    @OptionGroup var progress: ProgressOptions

    @Option(
        help: ArgumentHelp(
            "Write a JUnit XML report of the run to FILE when it ends (one test case per node), for CI test reporters.",
            valueName: "file"))
    var junit: String?

    @Option(help: "How many nodes may run at once (default: spec.parallelism, else 4 per CPU, at least 8).")
    var parallelism: Int?

    @OptionGroup var limits: LimitOptions

    @OptionGroup var state: StateOptions

    func run() async throws {
        try limits.apply()
        if let parallelism, parallelism < 1 {
            throw ValidationError("--parallelism must be 1 or more, not \(parallelism)")
        }
        let overrides = try arguments.overrides()
        let runtimes = try RuntimeSelection(runtime: runtime, isolation: isolation, profilePath: runtimeProfile)
        let display = progress.makeDisplay()
        let engine = WorkflowEngine(
            runtime: runtimes.runtime, observer: display, alternatives: runtimes.alternatives)
        var request = RunRequest(
            workflowPath: file, parameters: overrides, stateDirectory: state.resolved, keyPath: key,
            runtimeProfile: runtimes.profile, onKeyCreated: { printError($0) }, templatePaths: templatePaths,
            targets: targets.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
                .filter { !$0.isEmpty })
        request.lineageKeyPath = lineageKey
        if let submission {
            do {
                request.submission = try KubeArguments.submission(at: submission)
            } catch {
                throw KubeArguments.exit(for: error)
            }
        }
        request.parallelism = parallelism
        request.runtimeProfileText = runtimes.profileText
        try await Self.drive(engine: engine, request: request, display: display, junitPath: junit)
    }

    /// Runs `request` to its end with progress, Ctrl-C/SIGTERM handling and the CLI's exit codes; with `junitPath`,
    /// writes the run's JUnit report there once it has ended (whatever its outcome).
    static func drive(
        engine: WorkflowEngine, request: RunRequest, display: any RunProgress, junitPath: String? = nil
    ) async throws {
        let summary: RunSummary
        do {
            // Ctrl-C and SIGTERM (`sluice stop`) stop the run cleanly: every node's process group (or container) is
            // killed and removed, and the run is recorded as Failed with the reason.
            let task = Task { () async throws -> RunSummary in try await engine.run(request) }
            let trap = SignalTrap { signal in
                request.stop.request(
                    signal == SIGINT ? "Stopped: interrupted (Ctrl-C)" : "Stopped: terminated (SIGTERM)")
                task.cancel()
            }
            defer { trap.cancel() }
            summary = try await task.value
        } catch EngineError.runAlreadySucceeded(let run) {
            print("run \(run) already Succeeded")
            return
        } catch let error as EngineError {
            throw CommandFailure(error)
        } catch {
            throw CommandFailure(ExitStatus.failed, "error: \(error)")
        }
        display.finish(summary)
        if let junitPath { try writeJUnit(runID: summary.id, stateDirectory: request.stateDirectory, to: junitPath) }
        if summary.refused { throw ExitCode(ExitStatus.refused) }
        if summary.phase != .succeeded { throw ExitCode(ExitStatus.failed) }
    }
}

extension RunCommand {
    /// Writes the JUnit report of a recorded run to `path`.
    ///
    /// - Throws: `ExitCode(ExitStatus.failed)` after printing why the report could not be written.
    static func writeJUnit(runID: String, stateDirectory: String, to path: String) throws {
        do {
            let store = try Store(stateDirectory: stateDirectory)
            let record = try store.run(named: runID)
            let view = try RunViewSource.load(run: record, store: store, stateDirectory: stateDirectory, verify: false)
            try Data(JUnitReport.render(view).utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw CommandFailure(ExitStatus.failed, "error: cannot write the JUnit report '\(path)': \(error)")
        }
    }

    /// The text of a runtime profile file.
    ///
    /// - Throws: `ExitCode(ExitStatus.usage)` after printing why it cannot be read.
    static func profileText(path: String) throws -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CommandFailure(
                ExitStatus.usage, "error: cannot read runtime profile '\(path)': \(error.localizedDescription)")
        }
    }

    /// The container profile in `text` (a file's, or the one recorded with a run); `path` names it in messages.
    static func containerProfile(_ engine: ContainerProfile.Engine, text: String, path: String) throws
        -> ContainerProfile
    {
        let profile: ContainerProfile
        do {
            profile = try BoundedYAML.decode(ContainerProfile.self, from: text, file: path)
        } catch let error as SpecError {
            throw CommandFailure(ExitStatus.usage, error.description)
        } catch let DecodingError.dataCorrupted(context) {
            throw CommandFailure(ExitStatus.usage, "error: runtime profile '\(path)': \(context.debugDescription)")
        } catch let DecodingError.keyNotFound(key, _) {
            throw CommandFailure(ExitStatus.usage, "error: runtime profile '\(path)': missing key '\(key.stringValue)'")
        } catch {
            throw CommandFailure(
                ExitStatus.usage, "error: runtime profile '\(path)' is not a container profile: \(error)")
        }
        guard profile.runtime == engine else {
            throw CommandFailure(
                ExitStatus.usage,
                "error: runtime profile '\(path)' is for '\(profile.runtime.rawValue)', not '\(engine.rawValue)'")
        }
        return profile
    }
}

import ArgumentParser
import Foundation
import SluiceEngine
import SluiceRuntimes
import SluiceStore
import Yams

/// `sluice run FILE`: submits a workflow and waits for its end, like `argo submit --wait`.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a workflow file to its end, showing progress.")

    @Argument(help: "The workflow file (Argo YAML, kind Workflow).")
    var file: String

    @Option(name: [.customShort("p"), .customLong("parameter")], help: "Workflow argument NAME=VALUE (repeatable).")
    var parameters: [String] = []

    @Option(name: [.customShort("f"), .customLong("parameter-file")],
            help: "A YAML or JSON file mapping workflow argument names to values (like argo submit --parameter-file); -p wins.")
    var parameterFile: String?

    @Option(name: .customLong("target"),
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

    @Option(help: "Runtime profile file: image entrypoints for the process runtime, or the CLI, flags and pull policy for podman/docker (see runtimes/).")
    var runtimeProfile: String?

    @Option(help: "Ed25519 key that submits the run (PKCS#8 PEM); default: the state directory's key, created on first use.")
    var key: String?

    @Option(help: "Ed25519 key that signs node lineage when it is not the submitting key (admitted by spec.governance).")
    var lineageKey: String?

    @Option(name: .customLong("templates"),
            help: "A file or directory of WorkflowTemplates for templateRef/workflowTemplateRef (repeatable).")
    var templatePaths: [String] = []

    @Flag(help: "Print nothing but the final summary.")
    var quiet = false

    @OptionGroup var state: StateOptions

    func run() async throws {
        var overrides: [(name: String, value: String)] = []
        if let parameterFile {
            do {
                overrides = try ParameterFile.load(path: parameterFile)
            } catch {
                printError("error: \(error.description)")
                throw ExitCode(ExitStatus.usage)
            }
        }
        for parameter in parameters {
            guard let equals = parameter.firstIndex(of: "="), equals != parameter.startIndex else {
                printError("error: parameter '\(parameter)' must be written NAME=VALUE")
                throw ExitCode(ExitStatus.usage)
            }
            overrides.append((String(parameter[..<equals]), String(parameter[parameter.index(after: equals)...])))
        }
        var containerRuntime: ContainerRuntime?
        if let engine = ContainerProfile.Engine(rawValue: runtime) {
            containerRuntime = ContainerRuntime(profile: try Self.containerProfile(engine, path: runtimeProfile))
        } else if runtime != "process" {
            printError("error: unknown runtime '\(runtime)': use process, podman or docker")
            throw ExitCode(ExitStatus.usage)
        }
        var profile = RuntimeProfile()
        if let runtimeProfile, containerRuntime == nil {
            do {
                profile = try RuntimeProfile.load(path: runtimeProfile)
            } catch {
                printError("error: \(error.description)")
                throw ExitCode(ExitStatus.usage)
            }
        }
        let display = ProgressDisplay(isTerminal: isatty(STDOUT_FILENO) == 1, quiet: quiet)
        let processRuntime: ProcessRuntime
        switch isolation {
        case "auto": processRuntime = ProcessRuntime()
        case "bubblewrap":
            guard ProcessRuntime.detectedIsolation == .bubblewrap else {
                printError("error: bubblewrap isolation is not usable here: "
                           + (ProcessRuntime.bubblewrapUnavailableReason ?? "bwrap failed its probe"))
                throw ExitCode(ExitStatus.usage)
            }
            processRuntime = ProcessRuntime(isolation: .bubblewrap)
        case "none": processRuntime = ProcessRuntime(isolation: .none)
        default:
            printError("error: unknown isolation '\(isolation)': use auto, bubblewrap or none")
            throw ExitCode(ExitStatus.usage)
        }
        // Templates annotated `sluice.dev/runtime: process` run on the process runtime with this --isolation.
        let engine = WorkflowEngine(
            runtime: containerRuntime ?? processRuntime, observer: display,
            alternatives: containerRuntime == nil ? [] : [processRuntime])
        var request = RunRequest(
            workflowPath: file, parameters: overrides, stateDirectory: state.resolved, keyPath: key,
            runtimeProfile: profile, onKeyCreated: { printError($0) }, templatePaths: templatePaths,
            targets: targets.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
                .filter { !$0.isEmpty })
        request.lineageKeyPath = lineageKey
        try await Self.drive(engine: engine, request: request, display: display)
    }

    /// Runs `request` to its end with progress, Ctrl-C/SIGTERM handling and the CLI's exit codes.
    static func drive(engine: WorkflowEngine, request: RunRequest, display: ProgressDisplay) async throws {
        let summary: RunSummary
        do {
            // Ctrl-C and SIGTERM (`sluice stop`) stop the run cleanly: every node's process group (or container) is
            // killed and removed, and the run is recorded as Failed with the reason.
            let task = Task { () async throws -> RunSummary in try await engine.run(request) }
            let trap = SignalTrap { signal in
                request.stop.request(signal == SIGINT ? "Stopped: interrupted (Ctrl-C)" : "Stopped: terminated (SIGTERM)")
                task.cancel()
            }
            defer { trap.cancel() }
            summary = try await task.value
        } catch let error as EngineError {
            printError(error.description.hasPrefix("error:") || error.description.contains(": error: ")
                       ? error.description : "error: \(error.description)")
            switch error {
            case .invalidWorkflow, .noWorkflowDocument, .governanceSpec: throw ExitCode(ExitStatus.invalidWorkflow)
            case .submissionRefused: throw ExitCode(ExitStatus.refused)
            case .unknownParameter, .missingParameterValue, .parameterNotInEnum, .badParameterSyntax, .invalidTarget:
                throw ExitCode(ExitStatus.usage)
            default: throw ExitCode(ExitStatus.failed)
            }
        } catch {
            printError("error: \(error)")
            throw ExitCode(ExitStatus.failed)
        }
        display.finish(summary)
        if summary.refused { throw ExitCode(ExitStatus.refused) }
        if summary.phase != .succeeded { throw ExitCode(ExitStatus.failed) }
    }
}

extension RunCommand {
    /// The container profile for `--runtime podman|docker`: the built-in one, or the `--runtime-profile` file
    /// (whose `runtime:` must match).
    static func containerProfile(_ engine: ContainerProfile.Engine, path: String?) throws -> ContainerProfile {
        guard let path else { return engine == .podman ? .podman : .docker }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            printError("error: cannot read runtime profile '\(path)': \(error.localizedDescription)")
            throw ExitCode(ExitStatus.usage)
        }
        let profile: ContainerProfile
        do {
            profile = try YAMLDecoder().decode(ContainerProfile.self, from: text)
        } catch let DecodingError.dataCorrupted(context) {
            printError("error: runtime profile '\(path)': \(context.debugDescription)")
            throw ExitCode(ExitStatus.usage)
        } catch let DecodingError.keyNotFound(key, _) {
            printError("error: runtime profile '\(path)': missing key '\(key.stringValue)'")
            throw ExitCode(ExitStatus.usage)
        } catch {
            printError("error: runtime profile '\(path)' is not a container profile: \(error)")
            throw ExitCode(ExitStatus.usage)
        }
        guard profile.runtime == engine else {
            printError("error: runtime profile '\(path)' is for '\(profile.runtime.rawValue)', not '\(engine.rawValue)'")
            throw ExitCode(ExitStatus.usage)
        }
        return profile
    }
}

/// Shows a run's progress: one line per pod transition; colours on a terminal, plain lines otherwise.
final class ProgressDisplay: RunObserver, @unchecked Sendable {
    // @unchecked: all mutable state is guarded by `lock`.
    private let isTerminal: Bool
    private let quiet: Bool
    private let lock = NSLock()
    private var started: Date?
    private var runName = ""

    init(isTerminal: Bool, quiet: Bool) {
        self.isTerminal = isTerminal
        self.quiet = quiet
    }

    func runDidChange(_ event: RunEvent) {
        lock.lock()
        defer { lock.unlock() }
        switch event {
        case .runStarted(let run):
            started = run.startedAt
            runName = run.name
            if !quiet { emit("\(bold("Name:"))     \(run.name)\n") }
        case .nodeChanged(let node):
            guard !quiet, node.type == .pod || node.phase == .skipped || node.phase == .omitted
                || (node.phase.isFailedOrError && node.type != .stepGroup)
            else { return }
            guard node.type == .pod || node.phase != .running else { return }
            var line = "\(symbol(node.phase)) \(node.displayName) \(node.phase.rawValue)"
            if let message = node.message, node.phase != .succeeded, node.phase != .running { line += ": \(message)" }
            if let startedAt = node.startedAt, let finishedAt = node.finishedAt, node.type == .pod {
                line += dim(String(format: " (%.2fs)", finishedAt.timeIntervalSince(startedAt)))
            }
            emit(line + "\n")
        case .runFinished:
            break
        }
    }

    func finish(_ summary: RunSummary) {
        lock.lock()
        defer { lock.unlock() }
        let duration = started.map { Date().timeIntervalSince($0) } ?? 0
        var text = "\(bold("Status:"))   \(colour(summary.phase.rawValue, for: summary.phase))\n"
        text += "\(bold("Duration:")) \(String(format: "%.2fs", duration))\n"
        if let message = summary.message, summary.phase != .succeeded { text += "\(bold("Message:"))  \(message)\n" }
        emit(text)
    }

    private func emit(_ text: String) {
        writeUnbuffered(text)
    }

    private func symbol(_ phase: NodePhase) -> String {
        let mark: String =
            switch phase {
            case .succeeded: "✔"
            case .failed, .error: "✖"
            case .skipped, .omitted: "○"
            case .running, .pending: "◷"
            }
        return colour(mark, for: phase)
    }

    private func colour(_ text: String, for phase: NodePhase) -> String {
        guard isTerminal else { return text }
        let code =
            switch phase {
            case .succeeded: "32"
            case .failed, .error: "31"
            case .running, .pending: "36"
            case .skipped, .omitted: "90"
            }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }

    private func bold(_ text: String) -> String { isTerminal ? "\u{1B}[1m\(text)\u{1B}[0m" : text }
    private func dim(_ text: String) -> String { isTerminal ? "\u{1B}[2m\(text)\u{1B}[0m" : text }
}

import ArgumentParser
import Foundation
import SluiceEngine
import SluiceRuntimes
import SluiceStore

/// `sluice stop RUN`: stops a running run cleanly (its engine kills and removes every node) and waits for the end.
struct StopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop", abstract: "Stop a running run: its nodes are killed and it ends Failed.")

    @Argument(help: ArgumentHelp("Run name, id, or @latest.", valueName: "run"))
    var runName: String

    @Option(help: "Seconds to wait for the run to end.")
    var wait: Int = 60

    @OptionGroup var state: StateOptions

    func run() throws {
        let store = try openStore(state)
        let record = try findRun(runName, in: store)
        guard record.phase == .running || record.phase == .pending else {
            print("run \(record.name) already ended: \(record.phase.rawValue)")
            return
        }
        guard let pid = record.engineProcessID, pid > 0, kill(pid, 0) == 0 else {
            printError("error: run '\(record.name)' has no live engine (it died): use 'sluice resume \(record.name)' "
                       + "to continue it")
            throw ExitCode(ExitStatus.failed)
        }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(TimeInterval(wait))
        while Date() < deadline {
            if let current = try? store.run(named: record.id), current.phase.isTerminal {
                print("run \(current.name) stopped: \(current.phase.rawValue)\(current.message.map { " (\($0))" } ?? "")")
                return
            }
            usleep(100_000)
        }
        printError("error: run '\(record.name)' did not end within \(wait)s")
        throw ExitCode(ExitStatus.failed)
    }
}

/// `sluice resume RUN`: releases suspended nodes, and continues a run whose engine died without redoing the nodes
/// that already succeeded.
struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Release a run's suspended nodes; continue a run whose engine died, keeping what already succeeded.")

    @Argument(help: ArgumentHelp("Run name, id, or @latest.", valueName: "run"))
    var runName: String

    @Option(help: "WorkflowTemplate files the run used (as given to 'sluice run --templates').")
    var templates: [String] = []

    @Option(help: "The submitting key the run used, when it was not the state directory's.")
    var key: String?

    @Option(help: "The lineage key the run used, when it was given to 'sluice run --lineage-key'.")
    var lineageKey: String?

    @Option(help: "Runtime profile file, as given to 'sluice run'.")
    var runtimeProfile: String?

    @OptionGroup var progress: ProgressOptions

    @Option(help: "How many nodes may run at once (default: spec.parallelism, else 4 per CPU, at least 8).")
    var parallelism: Int?

    @OptionGroup var limits: LimitOptions

    @OptionGroup var state: StateOptions

    func run() async throws {
        try limits.apply()
        let store = try openStore(state)
        let record = try findRun(runName, in: store)
        let marker = state.resolved + "/runs/" + record.name + "/resume"
        FileManager.default.createFile(atPath: marker, contents: Data(), attributes: [.posixPermissions: 0o600])
        if record.phase == .succeeded {
            print("run \(record.name) already Succeeded")
            return
        }
        if record.phase == .running, let pid = record.engineProcessID, kill(pid, 0) == 0 {
            print("resumed suspended nodes of run \(record.name) (driven by process \(pid))")
            return
        }
        let runtime: any NodeRuntime
        switch record.runtime {
        case "podman": runtime = ContainerRuntime(profile: try RunCommand.containerProfile(.podman, path: runtimeProfile))
        case "docker": runtime = ContainerRuntime(profile: try RunCommand.containerProfile(.docker, path: runtimeProfile))
        default: runtime = ProcessRuntime()
        }
        var profile = RuntimeProfile()
        if let runtimeProfile, record.runtime == "process" {
            do {
                profile = try RuntimeProfile.load(path: runtimeProfile)
            } catch {
                printError("error: \(error.description)")
                throw ExitCode(ExitStatus.usage)
            }
        }
        let display = progress.makeDisplay()
        var request = RunRequest(
            workflowPath: record.sourcePath, stateDirectory: state.resolved, keyPath: key, runtimeProfile: profile,
            onKeyCreated: { printError($0) }, templatePaths: templates)
        // The marker stays: a suspended node of the continued run is released by this same resume.
        request.resumeRun = record.id
        request.lineageKeyPath = lineageKey
        request.parallelism = parallelism.flatMap { $0 > 0 ? $0 : nil }
        try await RunCommand.drive(engine: WorkflowEngine(runtime: runtime, observer: display), request: request,
                                   display: display)
    }
}

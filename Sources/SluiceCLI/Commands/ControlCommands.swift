import ArgumentParser
import Foundation
import SluiceEngine
import SluiceRuntimes
import SluiceSpec
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
        guard let lease = EngineLease.liveHolder(of: record, store: store),
            ProcessIdentity(lease.holder).host == ProcessIdentity.hostName
        else {
            throw CommandFailure(
                ExitStatus.failed,
                "error: run '\(record.name)' has no live engine (it died): use 'sluice resume \(record.name)' "
                    + "to continue it")
        }
        kill(lease.holder.processID, SIGTERM)
        let deadline = Date().addingTimeInterval(TimeInterval(wait))
        while Date() < deadline {
            if let current = try? store.run(named: record.id), current.phase.isTerminal {
                print(
                    "run \(current.name) stopped: \(current.phase.rawValue)\(current.message.map { " (\($0))" } ?? "")")
                return
            }
            usleep(100_000)
        }
        throw CommandFailure(ExitStatus.failed, "error: run '\(record.name)' did not end within \(wait)s")
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

    @Option(help: "Runtime profile file, as given to 'sluice run' (the run keeps the one it was submitted with).")
    var runtimeProfile: String?

    @OptionGroup var progress: ProgressOptions

    @Option(help: "How many nodes may run at once (default: spec.parallelism, else 4 per CPU, at least 8).")
    var parallelism: Int?

    @OptionGroup var limits: LimitOptions

    @Option(help: "The run's runtime, when given: a resume keeps the runtime the run was submitted with.")
    var runtime: String?

    @Option(help: "The run's isolation, when given: a resume keeps the isolation the run was submitted with.")
    var isolation: String?

    @OptionGroup var state: StateOptions

    func run() async throws {
        try limits.apply()
        let store = try openStore(state)
        let record = try findRun(runName, in: store)
        if record.phase == .succeeded {
            print("run \(record.name) already Succeeded")
            return
        }
        let marker = StateLayout.runDirectory(in: state.resolved, runName: record.name) + "/resume"
        if let lease = EngineLease.liveHolder(of: record, store: store) {
            // Another engine drives the run: a resume only releases its suspended nodes.
            let holder = ProcessIdentity(lease.holder).description
            guard try Self.hasSuspendedNode(record, in: store) else {
                throw CommandFailure(
                    ExitStatus.usage,
                    "error: "
                        + EngineError.runLeased(
                            run: record.name, holder: holder, since: StoreTimestamp.string(from: lease.acquiredAt)
                        ).description)
            }
            try Self.writeResumeMarker(marker)
            print("resumed suspended nodes of run \(record.name) (driven by \(holder))")
            return
        }
        let settings = try ResumeSettings(
            record: record, runtime: runtime, isolation: isolation, profilePath: runtimeProfile)
        // The marker stays: a suspended node of the continued run is released by this same resume.
        try Self.writeResumeMarker(marker)
        let display = progress.makeDisplay()
        var request = RunRequest(
            workflowPath: record.sourcePath, stateDirectory: state.resolved, keyPath: key,
            runtimeProfile: settings.profile, onKeyCreated: { printError($0) }, templatePaths: templates)
        request.resumeRun = record.id
        request.lineageKeyPath = lineageKey
        request.parallelism = parallelism.flatMap { $0 > 0 ? $0 : nil }
        request.runtimeProfileText = settings.profileText
        let engine = WorkflowEngine(runtime: settings.runtime, observer: display, alternatives: settings.alternatives)
        try await RunCommand.drive(engine: engine, request: request, display: display)
    }

    /// Leaves the marker that releases the run's suspended nodes (mode 0600).
    ///
    /// - Throws: `CommandFailure` (exit 1) when it cannot be written: nothing would be resumed.
    private static func writeResumeMarker(_ path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(), attributes: [.posixPermissions: 0o600])
        else {
            throw CommandFailure(ExitStatus.failed, "error: cannot write the resume marker '\(path)'")
        }
    }

    /// Whether a suspend node of the run is waiting to be resumed.
    private static func hasSuspendedNode(_ record: RunRecord, in store: Store) throws -> Bool {
        do {
            return try store.nodes(runID: record.id).contains {
                $0.type == .suspend && $0.phase == .running
            }
        } catch {
            throw CommandFailure(ExitStatus.failed, "error: \(error.description)")
        }
    }
}

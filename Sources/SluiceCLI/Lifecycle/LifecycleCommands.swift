import ArgumentParser
import Foundation
import SluiceEngine
import SluiceExpressions
import SluiceStore

/// `sluice retry RUN`: re-runs the failed nodes of an ended run in place, keeping the nodes that succeeded (their
/// outputs are re-verified by the gate of every node that consumes them), like `argo retry`.
struct RetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Re-run the failed nodes of an ended run, keeping (and re-verifying) the nodes that succeeded.")

    @Argument(help: ArgumentHelp("Run name, id, or @latest.", valueName: "run"))
    var runName: String

    @Option(help: "WorkflowTemplate files the run used (as given to 'sluice run --templates').")
    var templates: [String] = []

    @Option(help: "The submitting key the run used, when it was not the state directory's.")
    var key: String?

    @Option(help: "Runtime profile file, as given to 'sluice run'.")
    var runtimeProfile: String?

    @OptionGroup var progress: ProgressOptions

    @OptionGroup var state: StateOptions

    func run() async throws {
        let store = try openStore(state)
        let record = try findRun(runName, in: store)
        guard record.phase.isTerminal else {
            throw CommandFailure(
                ExitStatus.failed,
                "error: run '\(record.name)' has not ended (\(displayPhase(record, in: store))): "
                    + "use 'sluice resume \(record.name)' or wait for it")
        }
        guard record.phase != .succeeded else {
            print("run \(record.name) Succeeded: nothing to retry")
            return
        }
        var arguments = [record.id] + templates.flatMap { ["--templates", $0] }
        if let key { arguments += ["--key", key] }
        if let runtimeProfile { arguments += ["--runtime-profile", runtimeProfile] }
        if progress.quiet { arguments.append("--quiet") }
        if progress.noTTY { arguments.append("--no-tty") }
        arguments += ["--state-dir", state.resolved]
        let resume = try ResumeCommand.parse(arguments)
        try await resume.run()
    }
}

/// `sluice resubmit RUN`: submits a recorded run's workflow again, with its parameters, as a new run
/// (like `argo resubmit`); `-p` overrides a parameter.
struct ResubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resubmit", abstract: "Run a recorded run's workflow again, with its parameters, as a new run.")

    @Argument(help: ArgumentHelp("Run name, id, or @latest.", valueName: "run"))
    var runName: String

    @Option(name: [.customShort("p"), .customLong("parameter")], help: "Workflow argument NAME=VALUE (repeatable).")
    var parameters: [String] = []

    @Option(help: "Ed25519 key that submits the run (default: the state directory's key).")
    var key: String?

    @Option(help: ArgumentHelp("Write a JUnit XML report of the new run to FILE.", valueName: "file"))
    var junit: String?

    @OptionGroup var progress: ProgressOptions

    @OptionGroup var state: StateOptions

    func run() async throws {
        let store = try openStore(state)
        let record = try findRun(runName, in: store)
        // The workflow as it was submitted (the file may have changed since), kept beside the run's other files.
        let directory = StateLayout.runDirectory(in: state.resolved, runName: record.name)
        let path = directory + "/submitted.yaml"
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try Data(record.workflowYAML.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        } catch {
            throw CommandFailure(
                ExitStatus.failed,
                "error: cannot write the workflow of run '\(record.name)' to '\(path)': \(error.localizedDescription)")
        }
        var arguments = [path, "--runtime", record.runtime, "--state-dir", state.resolved]
        arguments += record.parameters.flatMap { ["-p", "\($0.name)=\($0.value)"] }
        arguments += parameters.flatMap { ["-p", $0] }
        if let key { arguments += ["--key", key] }
        if let junit { arguments += ["--junit", junit] }
        if progress.quiet { arguments.append("--quiet") }
        if progress.noTTY { arguments.append("--no-tty") }
        let command = try RunCommand.parse(arguments)
        try await command.run()
    }
}

/// `sluice delete RUN`: deletes a run's records and files (like `argo delete`); refused while it runs or while
/// another run's envelopes name its envelopes (that run reused its outputs).
struct DeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete runs and their records (artifacts are collected by 'sluice prune').")

    @Argument(help: ArgumentHelp("Run names, ids, or @latest.", valueName: "run"))
    var runNames: [String]

    @OptionGroup var state: StateOptions

    func run() throws {
        let store = try openStore(state)
        let records = try runNames.map { try findRun($0, in: store) }
        for record in records where !record.phase.isTerminal {
            throw CommandFailure(
                ExitStatus.failed,
                "error: run '\(record.name)' is \(displayPhase(record, in: store)): stop it first ('sluice stop \(record.name)')"
            )
        }
        let all = try RunPruner.runs(of: store)
        let references = try RunPruner.references(store, all)
        let (deletable, kept) = references.deletable(Set(records.map(\.id)))
        let names = Dictionary(all.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        if let (id, holders) = kept.sorted(by: { $0.key < $1.key }).first {
            let list = holders.compactMap { names[$0] }.sorted().joined(separator: ", ")
            throw CommandFailure(
                ExitStatus.failed,
                "error: run '\(names[id] ?? id)' is referenced by run(s) \(list) (they reused its signed "
                    + "outputs): delete those too, or first")
        }
        for record in records where deletable.contains(record.id) {
            try RunPruner.delete(record, store: store, stateDirectory: state.resolved)
            print("deleted run \(record.name)")
        }
    }
}

/// `sluice prune --older-than DURATION`: deletes ended runs older than the duration, then removes the artifacts no
/// remaining run or envelope names, and says how much space that freed.
struct PruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Delete ended runs older than a duration and the artifacts no remaining run refers to.")

    @Option(
        help: ArgumentHelp(
            "Age of the runs to delete: e.g. 30m, 24h, 7d, 1h30m (0s: every ended run).",
            valueName: "duration"))
    var olderThan: String?

    @Option(
        help: ArgumentHelp(
            "Instead of --older-than: delete the runs that ended before this time (RFC 3339).",
            valueName: "time"))
    var before: String?

    @Flag(help: "Say what would be deleted, delete nothing.")
    var dryRun = false

    @OptionGroup var state: StateOptions

    func run() throws {
        let cutoff: Date
        switch (olderThan, before) {
        case (let olderThan?, nil):
            guard let age = DurationText.seconds(olderThan) else {
                throw CommandFailure(
                    ExitStatus.usage, "error: '\(olderThan)' is not a duration: write e.g. 30m, 24h, 7d or 1h30m")
            }
            cutoff = Date().addingTimeInterval(-age)
        case (nil, let before?):
            guard let date = try? Date(before, strategy: .iso8601) else {
                throw CommandFailure(
                    ExitStatus.usage, "error: '\(before)' is not an RFC 3339 time such as 2026-12-07T03:20:00Z")
            }
            cutoff = date
        default:
            throw CommandFailure(ExitStatus.usage, "error: give either --older-than DURATION or --before TIME")
        }
        let store = try openStore(state)
        let report = try RunPruner.prune(
            store: store, stateDirectory: state.resolved, olderThan: cutoff, dryRun: dryRun)
        for line in report.lines { print(line) }
    }
}

/// Parses durations like `90s`, `15m`, `24h`, `7d`, `1h30m`, `2w`.
enum DurationText {
    /// Seconds, or nil when `text` is not a duration.
    static func seconds(_ text: String) -> TimeInterval? {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400, "w": 604_800]
        var total = 0.0
        var number = ""
        for character in text {
            if character.isNumber || character == "." {
                number.append(character)
            } else if let unit = units[character], let value = Double(number) {
                total += value * unit
                number = ""
            } else {
                return nil
            }
        }
        guard number.isEmpty, !text.isEmpty else { return nil }
        return total
    }
}

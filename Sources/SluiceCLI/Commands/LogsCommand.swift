import ArgumentParser
import Foundation
import SluiceStore

/// `sluice logs RUN [NODE] [-f]`: the stdout and stderr of a run's nodes; with `-f`, followed until the run ends.
struct LogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logs", abstract: "Print nodes' stdout and stderr.")

    @Argument(help: ArgumentHelp("Run name, id, or @latest.", valueName: "run"))
    var runName: String

    @Argument(help: "A node's display name, name or id (default: every node).")
    var node: String?

    @Flag(name: [.short, .long], help: "Keep printing what the nodes write until the run ends (like tail -f).")
    var follow = false

    @OptionGroup var state: StateOptions

    func run() throws {
        let store = try openStore(state)
        let record = try findRun(runName, in: store)
        var tail = LogTail(prefixed: node == nil)
        while true {
            // Read the run's phase before the logs: whatever was written before it ended is then printed.
            let ended = !follow || ((try? store.run(named: record.id))?.phase.isTerminal ?? true)
            let nodes: [NodeRecord]
            let attempts: [AttemptRecord]
            do {
                nodes = try store.nodes(runID: record.id)
                attempts = try store.attempts(runID: record.id)
            } catch {
                printError("error: \(error.description)")
                throw ExitCode(ExitStatus.failed)
            }
            let selected = nodes.filter { node == nil || $0.displayName == node || $0.name == node || $0.id == node }
            if let node, selected.isEmpty, ended {
                printError("error: run '\(record.name)' has no node '\(node)'")
                throw ExitCode(ExitStatus.failed)
            }
            let byNode = Dictionary(grouping: attempts, by: \.nodeID)
            for current in selected {
                for attempt in (byNode[current.id] ?? []).sorted(by: { $0.number < $1.number }) {
                    for path in [attempt.stdoutPath, attempt.stderrPath].compactMap({ $0 }) {
                        tail.read(path, node: current.displayName, final: ended)
                    }
                }
            }
            if ended { return }
            usleep(200_000)
        }
    }
}

/// Prints what log files gained since the last look, whole lines at a time, each file from where it was left.
struct LogTail {
    /// Whether each line starts with `NODE: ` (when every node's logs are shown).
    var prefixed: Bool
    private var offsets: [String: UInt64] = [:]
    private var partial: [String: Data] = [:]

    init(prefixed: Bool) {
        self.prefixed = prefixed
    }

    /// Prints the complete lines `path` gained; with `final`, also a last line without a newline.
    mutating func read(_ path: String, node: String, final: Bool) {
        guard let handle = FileHandle(forReadingAtPath: path) else { return }
        defer { try? handle.close() }
        let offset = offsets[path] ?? 0
        try? handle.seek(toOffset: offset)
        let data = (try? handle.readToEnd()) ?? Data()
        offsets[path] = offset + UInt64(data.count)
        var pending = (partial[path] ?? Data()) + data
        var text = ""
        while let newline = pending.firstIndex(of: 0x0A) {
            text += line(pending[pending.startIndex..<newline], node: node)
            pending = Data(pending[pending.index(after: newline)...])
        }
        if final && !pending.isEmpty {
            text += line(pending[...], node: node)
            pending = Data()
        }
        partial[path] = pending
        if !text.isEmpty { writeUnbuffered(text) }
    }

    private func line(_ bytes: Data, node: String) -> String {
        (prefixed ? "\(node): " : "") + String(decoding: bytes, as: UTF8.self) + "\n"
    }
}

import ArgumentParser
import Foundation
import SluiceStore

#if canImport(Glibc)
    import Glibc
#endif

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
                throw CommandFailure(ExitStatus.failed, "error: \(error.description)")
            }
            let selected = nodes.filter { node == nil || $0.displayName == node || $0.name == node || $0.id == node }
            if let node, selected.isEmpty, ended {
                throw CommandFailure(ExitStatus.failed, "error: run '\(record.name)' has no node '\(node)'")
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
///
/// Files are read in chunks of ``LogStream/chunkSize``, so memory stays flat on a log of any size; a line longer
/// than ``partialLimit`` is printed in pieces rather than held whole.
struct LogTail {
    /// The longest incomplete line held back until its newline arrives.
    static let partialLimit = 64 * 1024

    /// Whether each line starts with `NODE: ` (when every node's logs are shown).
    var prefixed: Bool
    private var offsets: [String: UInt64] = [:]
    private var partial: [String: [UInt8]] = [:]
    /// Files whose last printed bytes did not end a line (a long line printed in pieces).
    private var midLine: Set<String> = []

    init(prefixed: Bool) {
        self.prefixed = prefixed
    }

    /// Prints the complete lines `path` gained; with `final`, also a last line without a newline.
    mutating func read(_ path: String, node: String, final: Bool) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        var offset = offsets[path] ?? 0
        guard lseek(descriptor, off_t(offset), SEEK_SET) >= 0 else { return }
        let prefix = prefixed ? Array("\(node): ".utf8) : []
        var buffer = [UInt8](repeating: 0, count: LogStream.chunkSize)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            offset += UInt64(count)
            var pending = (partial[path] ?? []) + buffer[0..<count]
            if let newline = pending.lastIndex(of: UInt8(ascii: "\n")) {
                emit(pending[...newline], path: path, prefix: prefix)
                pending = Array(pending[(newline + 1)...])
            }
            if pending.count > Self.partialLimit {
                emit(pending[...], path: path, prefix: prefix)
                pending = []
            }
            partial[path] = pending
        }
        offsets[path] = offset
        if final {
            let rest = partial[path] ?? []
            if !rest.isEmpty || midLine.contains(path) {
                emit(rest[...] + [UInt8(ascii: "\n")], path: path, prefix: prefix)
            }
            partial[path] = []
        }
    }

    private mutating func emit(_ bytes: ArraySlice<UInt8>, path: String, prefix: [UInt8]) {
        var atLineStart = !midLine.contains(path)
        let output = LogStream.prefixed(bytes, prefix: prefix, atLineStart: &atLineStart)
        if atLineStart { midLine.remove(path) } else { midLine.insert(path) }
        fflush(nil)
        _ = LogStream.write(output)
    }
}

import ArgumentParser
import Foundation
import SluiceSpec
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
            let runDirectory = StateLayout.runDirectory(in: store.stateDirectory, runName: record.name)
            for current in selected {
                let recorded = (byNode[current.id] ?? []).sorted(by: { $0.number < $1.number })
                for log in Self.logs(of: current, attempts: recorded, runDirectory: runDirectory, following: !ended) {
                    tail.read(log.path, key: log.key, node: current.displayName, final: ended)
                }
            }
            if ended { return }
            usleep(200_000)
        }
    }
}

extension LogsCommand {
    /// One log file of a node and what ``LogTail`` knows it by: the node, the attempt and the stream, so that the
    /// running node's file, followed at its path in the run's directory, and the same file named by its attempt
    /// once the node ended (a path the engine spelled from its own state directory argument) are read on from one
    /// offset.
    struct NodeLog: Equatable {
        var path: String
        var key: String
    }

    /// The logs of `node` to read: those its attempts name, or, while following a node that is still running and
    /// has no attempt yet (one is recorded when the node ends), its first attempt's logs where the engine makes
    /// them (a node that printed nothing has none).
    static func logs(of node: NodeRecord, attempts: [AttemptRecord], runDirectory: String, following: Bool)
        -> [NodeLog]
    {
        if attempts.isEmpty {
            guard following, node.phase == .running, node.type == .pod || node.type == .container else { return [] }
            let directory = StateLayout.nodeDirectory(in: runDirectory, nodeID: node.id)
            return [
                NodeLog(path: directory + "/" + StateLayout.standardOutputLog, key: "\(node.id)#1:stdout"),
                NodeLog(path: directory + "/" + StateLayout.standardErrorLog, key: "\(node.id)#1:stderr"),
            ]
        }
        return attempts.flatMap { attempt in
            var logs: [NodeLog] = []
            if let path = attempt.stdoutPath {
                logs.append(NodeLog(path: path, key: "\(node.id)#\(attempt.number):stdout"))
            }
            // One file for both streams is read once.
            if let path = attempt.stderrPath, path != attempt.stdoutPath {
                logs.append(NodeLog(path: path, key: "\(node.id)#\(attempt.number):stderr"))
            }
            return logs
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
    /// Per file key (see ``read(_:key:node:final:)``): how far it was read, the incomplete line held back.
    private var offsets: [String: UInt64] = [:]
    private var partial: [String: [UInt8]] = [:]
    /// Files whose last printed bytes did not end a line (a long line printed in pieces).
    private var midLine: Set<String> = []

    init(prefixed: Bool) {
        self.prefixed = prefixed
    }

    /// Prints the complete lines `path` gained since the last read of `key`; with `final`, also a last line without
    /// a newline.
    mutating func read(_ path: String, key: String, node: String, final: Bool) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        var offset = offsets[key] ?? 0
        guard lseek(descriptor, off_t(offset), SEEK_SET) >= 0 else { return }
        let prefix = prefixed ? Array("\(node): ".utf8) : []
        var buffer = [UInt8](repeating: 0, count: LogStream.chunkSize)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            offset += UInt64(count)
            var pending = (partial[key] ?? []) + buffer[0..<count]
            if let newline = pending.lastIndex(of: UInt8(ascii: "\n")) {
                emit(pending[...newline], key: key, prefix: prefix)
                pending = Array(pending[(newline + 1)...])
            }
            if pending.count > Self.partialLimit {
                emit(pending[...], key: key, prefix: prefix)
                pending = []
            }
            partial[key] = pending
        }
        offsets[key] = offset
        if final {
            let rest = partial[key] ?? []
            if !rest.isEmpty || midLine.contains(key) {
                emit(rest[...] + [UInt8(ascii: "\n")], key: key, prefix: prefix)
            }
            partial[key] = []
        }
    }

    private mutating func emit(_ bytes: ArraySlice<UInt8>, key: String, prefix: [UInt8]) {
        var atLineStart = !midLine.contains(key)
        let output = LogStream.prefixed(bytes, prefix: prefix, atLineStart: &atLineStart)
        if atLineStart { midLine.remove(key) } else { midLine.insert(key) }
        fflush(nil)
        _ = LogStream.write(output)
    }
}

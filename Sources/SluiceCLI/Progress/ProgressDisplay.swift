import Foundation
import SluiceEngine
import SluiceSpec
import SluiceStore

/// Shows a run's progress as it happens and its summary at the end.
protocol RunProgress: RunObserver {
    /// Prints the final summary (after the last event).
    func finish(_ summary: RunSummary)
}

/// Shows a run's progress: one line per pod transition; colours on a terminal (unless `NO_COLOR` is set), plain
/// lines otherwise.
final class ProgressDisplay: RunProgress, @unchecked Sendable {
    // @unchecked: all mutable state is guarded by `lock`.
    private let isTerminal: Bool
    private let quiet: Bool
    private let lock = NSLock()
    private var started: Date?
    private var runName = ""

    /// - Parameter isTerminal: whether to colour the lines (the caller folds `NO_COLOR` in).
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
            guard !quiet,
                node.type == .pod || node.phase == .skipped || node.phase == .omitted
                    || (node.phase.isFailedOrError && node.type != .stepGroup)
            else { return }
            guard node.type == .pod || node.phase != .running else { return }
            var line = "\(symbol(node.phase)) \(node.displayName) \(node.phase.rawValue)"
            if let message = node.message, node.phase != .succeeded, node.phase != .running { line += ": \(message)" }
            if let startedAt = node.startedAt, let finishedAt = node.finishedAt, node.type == .pod {
                line += dim(" (" + SecondsText.fixed(finishedAt.timeIntervalSince(startedAt), decimals: 2) + "s)")
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
        text += "\(bold("Duration:")) \(SecondsText.fixed(duration, decimals: 2))s\n"
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

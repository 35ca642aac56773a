import ArgumentParser
import Foundation
import SluiceEngine
import SluiceSpec
import SluiceStore

#if canImport(Glibc)
    import Glibc
#endif

/// The live view of a run on a terminal, like `argo submit --watch`: one compact block (running nodes, counts per
/// phase, elapsed time, a progress bar) redrawn in place at most ten times a second, replaced at the end by the
/// final summary and the nodes that failed.
final class LiveProgressDisplay: RunProgress, @unchecked Sendable {
    // @unchecked: all mutable state is guarded by `lock`; the ticker only calls `redraw`.
    private let lock = NSLock()
    private let colour: Bool
    private var board = ProgressBoard()
    private var started: Date?
    private var drawnLines = 0
    private var lastDraw = Date.distantPast
    private var finished = false
    private var ticker: Task<Void, Never>?

    /// - Parameter colour: whether to colour the view (false under `NO_COLOR`).
    init(colour: Bool) {
        self.colour = colour
        ticker = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(250))
                self?.redraw(force: true)
            }
        }
    }

    deinit { ticker?.cancel() }

    func runDidChange(_ event: RunEvent) {
        lock.lock()
        if case .runStarted(let run) = event { started = run.startedAt ?? Date() }
        board.apply(event)
        lock.unlock()
        redraw(force: false)
    }

    func finish(_ summary: RunSummary) {
        ticker?.cancel()
        lock.lock()
        defer { lock.unlock() }
        finished = true
        var text = erase()
        let duration = started.map { Date().timeIntervalSince($0) } ?? 0
        let counts = board.counts
        let phases = NodePhase.allCases.compactMap { phase in counts[phase].map { "\($0) \(phase.rawValue)" } }
        for problem in board.problems.prefix(20) {
            text +=
                paint("✖", "31") + " \(problem.displayName) \(problem.phase.rawValue)"
                + (problem.message.map { ": " + $0 } ?? "") + "\n"
        }
        if board.problems.count > 20 { text += "… and \(board.problems.count - 20) more failed nodes\n" }
        text += "\(paint("Name:", "1"))     \(board.runName.isEmpty ? summary.name : board.runName)\n"
        text += "\(paint("Status:", "1"))   \(paint(summary.phase.rawValue, ProgressBoard.code(summary.phase)))\n"
        text += "\(paint("Nodes:", "1"))    \(phases.joined(separator: ", "))\n"
        text += "\(paint("Duration:", "1")) \(SecondsText.fixed(duration, decimals: 2))s\n"
        if let message = summary.message, summary.phase != .succeeded {
            text += "\(paint("Message:", "1"))  \(message)\n"
        }
        writeUnbuffered(text)
    }

    /// Redraws the block; without `force`, at most every 100 ms.
    private func redraw(force: Bool) {
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        guard !finished, started != nil, force || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = now
        let lines = board.render(
            now: now, startedAt: started, style: .init(width: Self.terminalWidth(), colour: colour))
        writeUnbuffered(erase() + lines.joined(separator: "\n") + "\n")
        drawnLines = lines.count
    }

    /// Moves the cursor to the start of the block drawn last and clears to the end of the screen.
    private func erase() -> String {
        guard drawnLines > 0 else { return "" }
        defer { drawnLines = 0 }
        return "\u{1B}[\(drawnLines)F\u{1B}[J"
    }

    private func paint(_ text: String, _ code: String) -> String {
        colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    /// Columns of the terminal on standard output (80 when unknown).
    static func terminalWidth() -> Int {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }
}

/// How a command that runs a workflow shows its progress: `--no-tty`, `--quiet`, and `NO_COLOR`.
struct ProgressOptions: ParsableArguments {
    @Flag(help: "Print nothing but the final summary.")
    var quiet = false

    @Flag(name: .customLong("no-tty"), help: "Plain lines, one per node transition, even on a terminal.")
    var noTTY = false

    /// The display for these options: the live view on a terminal, plain lines otherwise.
    func makeDisplay() -> any RunProgress {
        let isTerminal = isatty(STDOUT_FILENO) == 1
        let noColour = !(ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
        if isTerminal && !noTTY && !quiet && ProcessInfo.processInfo.environment["TERM"] != "dumb" {
            return LiveProgressDisplay(colour: !noColour)
        }
        return ProgressDisplay(isTerminal: isTerminal && !noColour, quiet: quiet)
    }
}

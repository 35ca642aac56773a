import Foundation
import SluiceEngine
import SluiceSpec
import SluiceStore

/// What the live view of a run shows, kept from the engine's events: the nodes that do work (pods, skipped and
/// suspended steps) with their phases, the running ones with their start, and the problems met so far.
///
/// Pure: `render` returns the lines to draw, the display only writes them.
struct ProgressBoard {
    /// A node as the board keeps it.
    struct Entry {
        var displayName: String
        var phase: NodePhase
        var startedAt: Date?
        var message: String?
    }

    /// How `render` writes its lines.
    struct Style {
        var width: Int
        var colour: Bool
        /// At most this many running nodes are listed.
        var runningLimit = 8
    }

    private(set) var runName = ""
    private(set) var entries: [String: Entry] = [:]
    /// Ids in the order the nodes first appeared.
    private var order: [String] = []

    /// Takes in one event of the run.
    mutating func apply(_ event: RunEvent) {
        switch event {
        case .runStarted(let run): runName = run.name
        case .runFinished: break
        case .nodeChanged(let node):
            guard Self.isWork(node) else { return }
            if entries[node.id] == nil { order.append(node.id) }
            entries[node.id] = Entry(
                displayName: node.displayName, phase: node.phase, startedAt: node.startedAt, message: node.message)
        }
    }

    /// Nodes that do work: pods, containers of a pod, suspended and skipped steps; and any failed node, so that a
    /// group that errored before it made children still counts.
    static func isWork(_ node: NodeState) -> Bool {
        switch node.type {
        case .pod, .suspend, .skipped, .container: true
        default: node.phase.isFailedOrError && node.children.isEmpty
        }
    }

    /// Nodes per phase.
    var counts: [NodePhase: Int] {
        entries.values.reduce(into: [:]) { $0[$1.phase, default: 0] += 1 }
    }

    /// Nodes that failed or errored, in the order they appeared, with their message.
    var problems: [Entry] {
        order.compactMap { entries[$0] }.filter { $0.phase.isFailedOrError }
    }

    /// The lines of the live view at `now`, for a run started at `startedAt`.
    func render(now: Date, startedAt: Date?, style: Style) -> [String] {
        let elapsed = startedAt.map { now.timeIntervalSince($0) } ?? 0
        let counts = self.counts
        let finished = counts.filter { $0.key.isFulfilled }.map(\.value).reduce(0, +)
        var lines = ["\(paint("Name:", "1", style))     \(runName)"]
        let phases: [(NodePhase, String)] = [
            (.running, "◷"), (.pending, "…"), (.succeeded, "✔"), (.failed, "✖"), (.error, "✖"), (.skipped, "○"),
            (.omitted, "○"),
        ]
        let summary = phases.compactMap { phase, mark -> String? in
            guard let count = counts[phase], count > 0 else { return nil }
            return paint("\(mark) \(count) \(phase.rawValue)", Self.code(phase), style)
        }
        lines.append("\(paint("Elapsed:", "1", style))  \(Self.duration(elapsed))   " + summary.joined(separator: "  "))
        lines.append(bar(done: finished, total: entries.count, width: style.width, style: style))
        let running = order.compactMap { id in entries[id].map { (id, $0) } }.filter { $0.1.phase == .running }
        for (_, entry) in running.prefix(style.runningLimit) {
            let seconds = entry.startedAt.map { Self.duration(now.timeIntervalSince($0)) } ?? ""
            lines.append(
                "  \(paint("◷", Self.code(.running), style)) \(entry.displayName)  \(paint(seconds, "2", style))")
        }
        if running.count > style.runningLimit {
            lines.append(paint("  … and \(running.count - style.runningLimit) more running", "2", style))
        }
        if let last = problems.last {
            let more = problems.count > 1 ? " (and \(problems.count - 1) more)" : ""
            lines.append(
                paint("✖", Self.code(.failed), style) + " \(last.displayName) \(last.phase.rawValue)"
                    + (last.message.map { ": " + $0 } ?? "") + more)
        }
        return lines.map { Self.clip($0, to: style.width) }
    }

    /// `[█████░░░░░] 12/40 30%`, fitted to `width`.
    private func bar(done: Int, total: Int, width: Int, style: Style) -> String {
        let label = " \(done)/\(total)" + (total > 0 ? " \(done * 100 / total)%" : "")
        let cells = max(10, min(50, width - label.count - 3))
        let filled = total > 0 ? min(cells, done * cells / total) : 0
        return "[" + paint(String(repeating: "█", count: filled), Self.code(.succeeded), style)
            + String(repeating: "░", count: cells - filled) + "]" + label
    }

    private func paint(_ text: String, _ code: String, _ style: Style) -> String {
        style.colour && !text.isEmpty ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    /// The SGR colour of a phase.
    static func code(_ phase: NodePhase) -> String {
        switch phase {
        case .succeeded: "32"
        case .failed, .error: "31"
        case .running, .pending: "36"
        case .skipped, .omitted: "90"
        }
    }

    /// `4.2s`, `3m05s`.
    static func duration(_ seconds: TimeInterval) -> String {
        guard seconds >= 60 else { return String(format: "%.1fs", max(0, seconds)) }
        let whole = Int(seconds)
        return String(format: "%dm%02ds", whole / 60, whole % 60)
    }

    /// `line` cut to `width` visible characters (escape sequences do not count), so no line wraps.
    static func clip(_ line: String, to width: Int) -> String {
        var visible = 0
        var result = ""
        var inEscape = false
        for character in line {
            if character == "\u{1B}" { inEscape = true }
            if inEscape {
                result.append(character)
                if character.isLetter { inEscape = false }
                continue
            }
            guard visible < width - 1 else { return result + (result.contains("\u{1B}[") ? "\u{1B}[0m" : "") }
            result.append(character)
            visible += 1
        }
        return result
    }
}

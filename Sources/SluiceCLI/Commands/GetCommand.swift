import ArgumentParser
import Foundation
import SluiceEngine
import SluiceSpec
import SluiceStore

/// `sluice get RUN [-o json|yaml|wide|name|junit]`: a run as a readable tree, an Argo Workflow object, its name, or
/// a JUnit report.
struct GetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Show a run (name or @latest).")

    /// The formats of `-o`.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, wide, json, yaml, name, junit
    }

    @Argument(help: ArgumentHelp("Run name, id, or @latest.", valueName: "run"))
    var runName: String

    @Option(
        name: [.short, .long],
        help: "Output format: json or yaml (the Argo Workflow object), wide (more columns), name, junit (JUnit XML).")
    var output: Format = .text

    @OptionGroup var state: StateOptions

    func run() throws {
        let store = try openStore(state)
        let record = try findRun(runName, in: store)
        switch output {
        case .name:
            print(record.name)
            return
        case .junit:
            writeUnbuffered(JUnitReport.render(try loadView(record, store: store)))
            return
        default: break
        }
        let nodes: [NodeRecord]
        let denials: [DenialRecord]
        do {
            nodes = try store.nodes(runID: record.id)
            denials = try store.denials(runID: record.id)
        } catch {
            throw CommandFailure(ExitStatus.failed, "error: \(error.description)")
        }
        switch output {
        case .json: writeUnbuffered(ArgoWorkflow(run: record, nodes: nodes).jsonText() + "\n")
        case .yaml: writeUnbuffered(YAMLText.render(ArgoWorkflow(run: record, nodes: nodes).jsonObject()))
        default: printTable(record, nodes: nodes, denials: denials, wide: output == .wide, store: store)
        }
    }

    private func loadView(_ record: RunRecord, store: Store) throws -> RunView {
        do {
            return try RunViewSource.load(run: record, store: store, stateDirectory: state.resolved, verify: false)
        } catch {
            throw CommandFailure(ExitStatus.failed, "error: \(error.description)")
        }
    }

    private func printTable(
        _ record: RunRecord, nodes: [NodeRecord], denials: [DenialRecord], wide: Bool, store: Store
    ) {
        print("Name:       \(record.name)")
        print("Status:     \(displayPhase(record, in: store))")
        if let message = record.message { print("Message:    \(message)") }
        if let started = record.startedAt { print("Started:    \(ArgoTime.format(started))") }
        if let started = record.startedAt, let finished = record.finishedAt {
            print("Duration:   \(SecondsText.fixed(finished.timeIntervalSince(started), decimals: 2) + "s")")
        }
        print("Runtime:    \(record.runtime)")
        print("Workflow:   sha256:\(record.workflowDigest)")
        print("Signer:     \(record.signerKeyID)")
        print("")
        var header = "STEP".padding(toLength: 34, withPad: " ", startingAt: 0) + "TYPE       PHASE      "
        if wide { header += "TEMPLATE             DURATION  ENVELOPE        " }
        print(header + "MESSAGE")
        for node in nodes {
            let depth = Self.treeDepth(of: node.name)
            let label = String(repeating: "  ", count: depth) + node.displayName
            var line =
                label.padding(toLength: 34, withPad: " ", startingAt: 0)
                + node.type.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)
                + node.phase.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)
            if wide {
                let duration =
                    node.startedAt.flatMap { start in
                        node.finishedAt.map { SecondsText.fixed($0.timeIntervalSince(start), decimals: 2) + "s" }
                    } ?? "-"
                line +=
                    (node.templateName ?? "-").padding(toLength: 21, withPad: " ", startingAt: 0)
                    + duration.padding(toLength: 10, withPad: " ", startingAt: 0)
                    + (node.envelopeDigest.map { "sha256:" + $0.prefix(8) } ?? "-")
                    .padding(toLength: 16, withPad: " ", startingAt: 0)
            }
            print(line + (node.message ?? ""))
        }
        if !denials.isEmpty {
            print("")
            print("Governance refusals:")
            for denial in denials { print("  \(denial.message) [\(denial.check)]") }
        }
    }
}

extension GetCommand {
    /// How deep a node sits in Argo's tree, from its name: one level per `.child` and per `[group]`, outside a loop
    /// iteration's `(index:label)` (`wf` 0, `wf[0]` 1, `wf[0].step` 2, `wf.task(0:a.b)` 1).
    static func treeDepth(of name: String) -> Int {
        var depth = 0
        var parentheses = 0
        for character in name {
            switch character {
            case "(": parentheses += 1
            case ")": parentheses = max(0, parentheses - 1)
            case ".", "[": if parentheses == 0 { depth += 1 }
            default: break
            }
        }
        return depth
    }
}

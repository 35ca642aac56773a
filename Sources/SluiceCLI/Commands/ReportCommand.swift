import ArgumentParser
import Foundation
import SluiceEngine
import SluiceStore

/// `sluice report RUN|BUNDLE -o report.html`: one self-contained HTML page about a run.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract:
            "Write a run's HTML report: its DAG, per node timing, inputs, outputs, envelopes, logs, lineage and verdict.",
        discussion: """
            The page is one file with everything inline (no network at view time). RUN is a run's name, id or \
            @latest; a directory or .tar.gz is read as an export bundle (its nodes' logs are not in a bundle).
            """)

    @Argument(help: ArgumentHelp("Run name, id, or @latest; or the path of an exported bundle.", valueName: "run"))
    var runName: String

    @Option(
        name: [.short, .long], help: ArgumentHelp("The HTML file to write (- for standard output).", valueName: "file"))
    var output: String

    @Flag(help: "Leave the verification verdict out (faster for very large runs).")
    var noVerify = false

    @OptionGroup var state: StateOptions

    func run() throws {
        let view: RunView
        do {
            if BundleVerification.isBundle(runName) {
                view = try RunViewSource.load(bundle: runName, verify: !noVerify)
            } else {
                let store = try openStore(state)
                let record = try findRun(runName, in: store)
                view = try RunViewSource.load(
                    run: record, store: store, stateDirectory: state.resolved, verify: !noVerify)
            }
        } catch let failure as RunViewSource.Failure {
            throw CommandFailure(ExitStatus.failed, "error: \(failure.description)")
        }
        let page = ReportHTML.render(view)
        if output == "-" {
            writeUnbuffered(page)
            return
        }
        do {
            try Data(page.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
        } catch {
            throw CommandFailure(ExitStatus.failed, "error: cannot write '\(output)': \(error.localizedDescription)")
        }
        let verdict =
            view.verification.map { $0.isVerified ? ", verified" : ", verification FAILED (\($0.failures))" } ?? ""
        print(
            "report of run \(view.name) (\(view.phase), \(view.nodes.filter(\.isLeaf).count) nodes\(verdict)) written to \(output)"
        )
    }
}

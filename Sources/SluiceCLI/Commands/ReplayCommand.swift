import ArgumentParser
import Foundation
import SluiceAudit
import SluiceEngine
import SluiceGovernance
import SluiceStore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// `sluice replay BUNDLE [--from NODE]`: verifies a bundle, then runs its workflow again with its captured
/// parameters as a new run, and reports which outputs came out the same.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Verify an exported bundle, then run its workflow again with its captured inputs.",
        discussion: """
            The bundle is verified first, exactly as 'sluice verify BUNDLE' does; a bundle that does not verify is \
            refused (exit 3) before anything runs. The replay is a new run in the state directory, submitted with \
            --key (a governance that lists authorities must admit it). Without --from every node runs again; with \
            --from NODE, only NODE and the nodes downstream of it in the captured lineage run, and the others reuse \
            their captured outputs, re-verified against the captured envelopes and re-signed by the new run. A \
            report compares every captured output digest with the replay's (same, different, missing, reused).
            """)

    @Argument(help: ArgumentHelp("The bundle: a directory or .tar.gz made by 'sluice export'.", valueName: "bundle"))
    var bundle: String

    @Option(help: "Run this node (display name, task name or node id) and its dependents; reuse the rest.")
    var from: String?

    @Option(help: "PEM (or hex) public keys to trust when verifying the bundle (default: the bundle's own keys).")
    var trust: String?

    @Option(help: "A signed revocation list (sluice revocations export) to apply when verifying the bundle.")
    var revocations: String?

    @Option(help: "Ed25519 key that submits the replay (PKCS#8 PEM); default: the state directory's key.")
    var key: String?

    @Flag(help: "With --from and no --trust: re-sign the captured outputs anyway (the lineage records it).")
    var resignUntrusted = false

    @OptionGroup var runtimeOptions: RuntimeOptions

    @OptionGroup var progress: ProgressOptions

    @OptionGroup var limits: LimitOptions

    @OptionGroup var state: StateOptions

    func run() async throws {
        try limits.apply()
        // Options first: a misspelt runtime is a usage error before any bundle is opened.
        let (runtime, profile) = try runtimeOptions.make()
        let replay: BundleReplay
        do {
            let trusted = try trust.map { path throws(ExportError) in try PublicKeyFile.keys(at: path) }
            replay = try removingScratchOnSignal { () throws(ExportError) in
                try BundleReplay.open(bundleAt: bundle, trustedKeys: trusted, revocationListPath: revocations)
            }
        } catch {
            throw CommandFailure(ExitStatus.failed, "error: \(error.description)")
        }
        defer { replay.close() }
        let verification = replay.verification
        guard verification.isVerified else {
            for note in verification.notes { print("note: \(note)") }
            for failure in verification.failures { print(failure.description) }
            throw CommandFailure(
                ExitStatus.refused,
                "error: bundle \(bundle) does not verify (\(verification.failures.count) problem(s)): "
                    + "refusing to replay it")
        }
        // Written unbuffered, like the progress display that follows.
        writeUnbuffered(
            ("bundle \(bundle) verified: \(verification.verifiedEnvelopes) envelope(s), "
                + "\(verification.verifiedArtifacts) artifact(s), \(verification.verifiedLinks) chain link(s)\n"))

        let plan: BundleReplay.Plan
        do {
            plan = try replay.plan(from: from, stateDirectory: state.resolved, resigningUntrusted: resignUntrusted)
        } catch {
            throw CommandFailure(error)
        }
        if !plan.reused.isEmpty && !progress.quiet {
            writeUnbuffered("reusing the captured outputs of: \(plan.reused.sorted().joined(separator: ", "))\n")
        }
        var request = plan.request
        request.keyPath = key
        request.runtimeProfile = profile
        request.onKeyCreated = { printError($0) }
        let display = progress.makeDisplay()
        let started = StartedRun(display: display)
        let engine = WorkflowEngine(runtime: runtime, observer: started)
        var failure: (any Error)?
        do {
            try await RunCommand.drive(engine: engine, request: request, display: display)
        } catch {
            failure = error
        }
        if let runID = started.runID.withLock({ $0 }) { try printReport(replay: replay, plan: plan, runID: runID) }
        if let failure { throw failure }
    }

    /// Prints how the replay run's outputs compare with the captured ones.
    private func printReport(replay: BundleReplay, plan: BundleReplay.Plan, runID: String) throws {
        let report: ReproducibilityReport
        do {
            let store = try Store(stateDirectory: state.resolved)
            report = try replay.reproducibility(of: try store.run(named: runID), in: store, plan: plan)
        } catch let error as ExportError {
            throw CommandFailure(ExitStatus.failed, "error: \(error.description)")
        } catch {
            throw CommandFailure(ExitStatus.failed, "error: \(error)")
        }
        print("Reproducibility (captured run \(report.capturedRun), replay run \(report.replayRun)):")
        if !progress.quiet { for entry in report.entries { print("  \(entry.description)") } }
        print(
            "\(report.count(.same)) same, \(report.count(.different)) different, \(report.count(.missing)) missing, "
                + "\(report.count(.reused)) reused")
    }
}

/// Shows progress and remembers the id of the run that started (the replay).
private final class StartedRun: RunObserver, Sendable {
    let display: any RunProgress
    let runID = Mutex<String?>(nil)

    init(display: any RunProgress) {
        self.display = display
    }

    func runDidChange(_ event: RunEvent) {
        if case .runStarted(let run) = event { runID.withLock { $0 = run.id } }
        display.runDidChange(event)
    }
}

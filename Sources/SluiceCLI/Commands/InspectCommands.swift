import ArgumentParser
import Foundation
import SluiceAudit
import SluiceEngine
import SluiceRuntimes
import SluiceStore

/// Opens the state directory's store, turning failures into one clear line and exit code 1.
func openStore(_ state: StateOptions) throws -> Store {
    do {
        return try Store(stateDirectory: state.resolved)
    } catch {
        throw CommandFailure(ExitStatus.failed, "error: \(error.description)")
    }
}

/// Finds a run by name, id or `@latest`.
func findRun(_ name: String, in store: Store) throws -> RunRecord {
    do {
        return try store.run(named: name)
    } catch {
        throw CommandFailure(ExitStatus.failed, "error: \(error.description)")
    }
}

/// `sluice list`: runs with phase, start and duration, newest first.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List runs, newest first.")

    @OptionGroup var state: StateOptions

    func run() throws {
        let store = try openStore(state)
        let runs: [RunRecord]
        do {
            runs = try store.runs()
        } catch {
            throw CommandFailure(ExitStatus.failed, "error: \(error.description)")
        }
        let width = max(4, runs.map(\.name.count).max() ?? 0)
        // A run whose engine is gone says so in full ("Running (engine gone: sluice resume NAME)").
        let phases = runs.map { displayPhase($0, in: store) }
        let phaseWidth = max(11, (phases.map(\.count).max() ?? 0) + 1)
        print(
            "NAME".padding(toLength: width + 2, withPad: " ", startingAt: 0)
                + "STATUS".padding(toLength: phaseWidth + 1, withPad: " ", startingAt: 0)
                + "STARTED               DURATION")
        for (run, phase) in Swift.zip(runs, phases) {
            let started = run.startedAt.map(ArgoTime.format) ?? "-"
            let end = run.finishedAt ?? (run.phase == .running ? Date() : nil)
            let duration =
                zip(run.startedAt, end).map { SecondsText.fixed($1.timeIntervalSince($0), decimals: 2) + "s" } ?? "-"
            print(
                run.name.padding(toLength: width + 2, withPad: " ", startingAt: 0)
                    + phase.padding(toLength: phaseWidth, withPad: " ", startingAt: 0) + " "
                    + started.padding(toLength: 22, withPad: " ", startingAt: 0) + duration)
        }
    }
}

/// A run's phase for people: a Running run whose engine process is gone says so, with the way out.
func displayPhase(_ run: RunRecord, in store: Store) -> String {
    guard run.phase == .running || run.phase == .pending else { return run.phase.rawValue }
    if engineGone(run, store: store) {
        return "\(run.phase.rawValue) (engine gone: sluice resume \(run.name))"
    }
    return run.phase.rawValue
}

/// Whether the engine driving `run` is dead: its lease's holder is gone (pid and start time, so a pid reused by
/// another process does not pass for the engine); a run without a lease falls back to the recorded pid.
private func engineGone(_ run: RunRecord, store: Store) -> Bool {
    if let lease = (try? store.runLease(runID: run.id)) ?? nil { return !ProcessIdentity.isAlive(lease.holder) }
    guard let pid = run.engineProcessID, pid > 0 else { return false }
    return kill(pid, 0) != 0 && errno == ESRCH
}

/// `zip` for two optionals.
private func zip<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
    guard let a, let b else { return nil }
    return (a, b)
}

/// `sluice verify RUN`: re-checks every envelope and artifact digest of a run; `sluice verify BUNDLE` checks an
/// exported bundle offline (an argument that is an existing directory or `.tar.gz` file is a bundle).
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Re-verify every lineage envelope and artifact digest of a run or bundle.")

    @Argument(help: ArgumentHelp("Run name, id, or @latest; or the path of an exported bundle.", valueName: "run"))
    var runName: String

    @Option(help: "Bundles only: PEM (or hex) public keys to trust (default: the bundle's own keys).")
    var trust: String?

    @Option(help: "Bundles only: a signed revocation list (sluice revocations export) to apply.")
    var revocations: String?

    @OptionGroup var limits: LimitOptions

    @OptionGroup var state: StateOptions

    func run() throws {
        try limits.apply()
        if BundleVerification.isBundle(runName) {
            try BundleVerification.run(path: runName, trust: trust, revocations: revocations)
            return
        }
        let store = try openStore(state)
        let record = try findRun(runName, in: store)
        let findings: [RunVerifier.Finding]
        do {
            findings = try RunVerifier(store: store, stateDirectory: state.resolved).verify(run: record)
        } catch {
            throw CommandFailure(ExitStatus.failed, "error: \(error.description)")
        }
        for finding in findings {
            print("\(finding.ok ? "ok  " : "FAIL") \(finding.node): \(finding.detail)")
        }
        let failed = findings.filter { !$0.ok }.count
        print("\(findings.count - failed) envelopes verified, \(failed) failed (run \(record.name))")
        if failed > 0 { throw ExitCode(ExitStatus.refused) }
    }
}

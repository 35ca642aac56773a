import ArgumentParser
import Foundation
import SluiceAudit
import SluiceEngine
import SluiceGovernance
import SluiceStore

/// `sluice export RUN -o BUNDLE`: a run's evidence as a directory or `.tar.gz` that verifies offline.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a run (workflow, envelopes, artifacts, status, keys, revocations) for offline verification.",
        discussion: "BUNDLE becomes a new directory, or a gzip-compressed tar when it ends in .tar.gz.")

    @Argument(help: ArgumentHelp("Run name, id, or @latest.", valueName: "run"))
    var runName: String

    @Option(name: [.short, .long], help: ArgumentHelp("The bundle to create.", valueName: "bundle"))
    var output: String

    @Flag(
        help: ArgumentHelp(
            "Also write an SLSA Provenance v1 envelope per succeeded node (envelopes/<node-id>.slsa.intoto.json), "
                + "derived from its lineage envelope and signed by the run's lineage key."))
    var slsa = false

    @Option(
        help: ArgumentHelp(
            "With --slsa: the run's lineage key (default: the state directory's key).", valueName: "key"))
    var key: String?

    @OptionGroup var state: StateOptions

    func run() throws {
        let store = try openStore(state)
        let record = try findRun(runName, in: store)
        var exporter = BundleExporter(store: store, stateDirectory: state.resolved)
        if slsa {
            do {
                let signingKey = try KeyStore.signingKey(path: key, stateDirectory: state.resolved)
                if let notice = signingKey.notice { printError(notice) }
                exporter.provenanceKey = signingKey.key
            } catch {
                throw CommandFailure(ExitStatus.failed, "error: \(error.description)")
            }
        } else if key != nil {
            throw CommandFailure(ExitStatus.failed, "error: --key is only used with --slsa")
        }
        do {
            let summary = try exporter.export(run: record, to: output)
            let extras =
                (summary.externalEnvelopes > 0 ? ", \(summary.externalEnvelopes) earlier run envelope(s)" : "")
                + (slsa ? ", \(summary.provenanceEnvelopes) SLSA provenance envelope(s)" : "")
            print(
                "exported run \(record.name) to \(summary.path): \(summary.envelopes) envelope(s), "
                    + "\(summary.artifacts) artifact(s)\(extras), \(summary.files) file(s) in the manifest")
        } catch {
            throw CommandFailure(ExitStatus.failed, "error: \(error.description)")
        }
    }
}

/// `sluice verify BUNDLE`: offline verification of an exported bundle (called by ``VerifyCommand``).
enum BundleVerification {
    /// Whether `argument` names a bundle rather than a run: an existing directory, or an existing `.tar.gz`/`.tgz`.
    static func isBundle(_ argument: String) -> Bool {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else { return false }
        return isDirectory.boolValue || BundleLayout.isArchive(argument)
    }

    /// Verifies the bundle at `path`, prints every finding and a summary, and throws exit code 3 on failure.
    static func run(path: String, trust: String?, revocations: String?) throws {
        do {
            let trusted = try trust.map { path throws(ExportError) in try PublicKeyFile.keys(at: path) }
            let verifier = BundleVerifier(trustedKeys: trusted, revocationListPath: revocations)
            let report = try removingScratchOnSignal { () throws(ExportError) in try verifier.verify(bundleAt: path) }
            for note in report.notes { print("note: \(note)") }
            for finding in report.findings { print(finding.description) }
            let failed = report.failures.count
            if failed == 0 {
                print(
                    "bundle \(path) verified: \(report.verifiedEnvelopes) envelope(s), "
                        + "\(report.verifiedArtifacts) artifact(s), \(report.verifiedLinks) chain link(s)")
            } else {
                print(
                    "bundle \(path) FAILED verification: \(failed) problem(s); "
                        + "\(report.verifiedEnvelopes) envelope(s) verified")
                throw ExitCode(ExitStatus.refused)
            }
        } catch let error as ExportError {
            throw CommandFailure(ExitStatus.failed, "error: \(error.description)")
        }
    }
}

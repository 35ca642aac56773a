import Foundation
import SluiceEngine
import SluiceGovernance
import SluiceStore

/// Earlier runs whose envelopes this run's envelopes name as inputs: a cross-run memoization hit or a `sluice replay
/// --from` reuse re-signs outputs verified against another run's envelope, so an offline verifier needs that
/// envelope, that run's submission attestation, and what the attestation covers.
extension BundleExporter {
    /// An earlier run and those of its envelopes that this run's envelopes name.
    struct ExternalRun {
        var run: RunRecord
        var envelopes: [EnvelopeRecord]
        var submission: AttestationRecord?
    }

    /// The other runs' envelopes that `envelopes` name as inputs, grouped by run (sorted by run id, envelopes by
    /// payload digest); an input naming an envelope this state directory does not hold is left for verification
    /// to report.
    ///
    /// - Throws: `ExportError.state` when the store cannot be read.
    func externalRuns(referencedBy envelopes: [EnvelopeRecord], runID: String) throws(ExportError) -> [ExternalRun] {
        let own = Set(envelopes.map(\.payloadDigest))
        var referenced = Set<String>()
        for record in envelopes {
            guard let envelope = try? Envelope(jsonBytes: [UInt8](record.envelopeJSON)),
                let statement = try? Statement(payloadBytes: envelope.payload),
                let predicate = try? LineagePredicate(json: statement.predicate)
            else { continue }
            for input in predicate.inputs {
                guard let digest = input.envelopePayloadDigest?.hex, !own.contains(digest) else { continue }
                referenced.insert(digest)
            }
        }
        var byRun: [String: ExternalRun] = [:]
        do {
            for digest in referenced.sorted() {
                guard let record = try store.envelope(payloadDigest: digest), record.runID != runID else { continue }
                if byRun[record.runID] == nil {
                    let run = try store.run(named: record.runID)
                    let submission = try store.attestations(runID: run.id).first { $0.kind == .submission }
                    byRun[record.runID] = ExternalRun(run: run, envelopes: [], submission: submission)
                }
                byRun[record.runID]?.envelopes.append(record)
            }
        } catch {
            throw .state(reason: error.description)
        }
        return byRun.keys.sorted().compactMap { byRun[$0] }
    }

    /// Writes `external` under `external/<run-id>/` (see ``BundleLayout``).
    ///
    /// - Throws: `ExportError.bundleWriteFailed` when the run id is not a safe file name or a file cannot be
    ///   written, `.bundleUnreadable` when the run's workflow no longer loads.
    func write(_ external: ExternalRun, files: BundleFiles) throws(ExportError) {
        let run = external.run
        let directory = BundleLayout.externalDirectory(runID: run.id)
        guard (try? validateRelativeName(run.id)) != nil, !run.id.contains("/") else {
            throw .bundleWriteFailed(path: files.root, reason: "run id '\(run.id)' is not a safe file name")
        }
        try files.write(directory + BundleLayout.workflow, Data(run.workflowYAML.utf8))
        try files.write(directory + BundleLayout.parameters, Data(run.parametersJSON.utf8))
        let governance = try SubmittedWorkflow(text: run.workflowYAML, file: run.sourcePath).governance
        try files.write(directory + BundleLayout.governance, Data(governance.bytes))
        if let submission = external.submission {
            try files.write(directory + BundleLayout.externalSubmission, submission.envelopeJSON)
        }
        let keys = StateLayout.runDirectory(in: stateDirectory, runName: run.name) + "/trusted-keys.pem"
        if FileManager.default.fileExists(atPath: keys) {
            try files.copy(from: keys, to: directory + BundleLayout.trustedKeys, isDirectory: false)
        }
        for envelope in external.envelopes {
            guard (try? Digest(hex: envelope.payloadDigest)) != nil else {
                throw .bundleWriteFailed(
                    path: files.root, reason: "envelope digest '\(envelope.payloadDigest)' is not sha256 hex")
            }
            try files.write(
                directory + BundleLayout.envelopes + "/" + envelope.payloadDigest + BundleLayout.envelopeSuffix,
                envelope.envelopeJSON)
        }
    }
}

import Foundation
import SluiceExpressions
import SluiceGovernance
import SluiceRuntimes
import SluiceSpec
import SluiceStore

/// A run admitted (phase 2 of ``WorkflowEngine/run(_:)``): named, leased, its submission admitted by the
/// governance, its record and run directory ready. Nothing has run yet.
struct AdmittedRun {
    var prepared: PreparedRun
    var store: Store
    var artifactStore: ArtifactStore
    var lineageKey: SigningKey
    var name: String
    var runID: String
    var runtimes: RuntimeChoice
    var governanceDocument: GovernanceDocument
    var workflowDigest: Digest
    var governance: RunGovernance
    /// The submission attestation recorded by an earlier engine (a resume), nil for a new run.
    var recordedSubmission: AttestationRecord?
    var templateSet: SubmittedTemplates
    var record: RunRecord
    var runDirectory: String
}

extension WorkflowEngine {
    /// Phase 2: opens the state directory, loads the keys, names and leases the run, admits its submission under
    /// the workflow's governance (a resume checks its settings and templates against the recorded ones), and
    /// writes the run directory's public files.
    ///
    /// - Throws: ``EngineError`` when the state or a key is unavailable, the run is leased, or the governance
    ///   refuses the submission.
    func admit(_ prepared: PreparedRun, lease: inout EngineLease?) throws(EngineError) -> AdmittedRun {
        let request = prepared.request
        let (previous, loaded, library, document) = (
            prepared.previous, prepared.loaded, prepared.library, prepared.document
        )
        let (workflow, parameters) = (prepared.workflow, prepared.parameters)
        let (store, artifactStore) = try Self.openState(request.stateDirectory)
        let (key, lineageKey) = try Self.keys(for: request)

        // Digests of what was submitted: the document, its governance section, the parameters.
        let governanceDocument = try RunGovernance.document(of: document)
        let workflowDigest = document.tree.canonicalJSON.digest

        if let previous {
            // A changed document is not refused here: the recorded submission attestation no longer covers it, so
            // the gate refuses every node that would run under it (naming what was edited).
            guard previous.run.signerKeyID == lineageKey.publicKey.keyID else {
                throw .keyUnavailable(
                    reason: "run '\(previous.run.name)' was signed by key \(previous.run.signerKeyID), "
                        + "not \(key.publicKey.keyID): pass the same --key as the run")
            }
        }
        let parametersObject = parameters.canonicalObject
        // Every template the run can execute, by content digest: the submission covers those reached through
        // templateRef; a resume compares them with the ones recorded at submission.
        let templateSet = SubmittedTemplates(document: document, library: library)
        // A submission signed elsewhere (--submission) names the run; otherwise the run signs its own.
        let adopted =
            try previous == nil
            ? request.submission.map { (envelope) throws(EngineError) in
                try Self.adopt(
                    envelope, store: store, document: governanceDocument, runKey: key.publicKey,
                    lineageKey: lineageKey.publicKey, workflowDigest: workflowDigest,
                    parametersDigest: parametersObject.digest, templates: templateSet.digest)
            } : nil
        let (name, runID) = try identity(
            previous: previous?.run, adopted: adopted?.attestation, metadata: workflow.metadata, store: store)
        if lease == nil { lease = try EngineLease.take(runID: runID, runName: name, store: store).lease }
        var runtimes = RuntimeChoice(runtime: runtime, alternatives: alternatives)
        runtimes.runWide = RuntimeAnnotation.runWideValue(of: workflow)
        let isolation = runtimes.runtime(kind: RuntimeKind.process.rawValue)?.isolation.rawValue
        if let previous {
            try Self.checkResumeSettings(
                of: previous.run, runtime: runtime.kind, isolation: isolation, profile: request.runtimeProfileText)
        }
        let runDirectory = StateLayout.runDirectory(in: request.stateDirectory, runName: name)
        let (recordedSubmission, coverage) = try Self.recordedSubmission(
            of: previous?.run, store: store, templates: templateSet, runDirectory: runDirectory)
        let governance: RunGovernance
        if let adopted {
            governance = adopted.governance
        } else {
            governance = try RunGovernance.admit(
                document: governanceDocument, submitterKey: key, lineageKey: lineageKey.publicKey, runID: runID,
                workflowName: name, workflowDigest: workflowDigest, parametersDigest: parametersObject.digest,
                templates: coverage, recorded: recordedSubmission)
        }
        let record = RunRecord(
            id: runID, name: name, sourcePath: request.workflowPath, workflowYAML: loaded.text,
            parametersJSON: String(decoding: parametersObject.bytes, as: UTF8.self),
            workflowDigest: workflowDigest.hex, governanceDigest: governanceDocument.digest.hex, runtime: runtime.kind,
            signerKeyID: lineageKey.publicKey.keyID, phase: .pending, createdAt: previous?.run.createdAt ?? Date(),
            engineProcessID: ProcessInfo.processInfo.processIdentifier, isolation: isolation,
            runtimeProfile: request.runtimeProfileText ?? previous?.run.runtimeProfile)

        try Self.writeRunDirectory(
            runDirectory, templates: previous == nil ? templateSet : nil, signer: lineageKey.publicKey,
            trusted: governance.chain.keys(for: GovernanceDocument.Role.sign))

        return AdmittedRun(
            prepared: prepared, store: store, artifactStore: artifactStore, lineageKey: lineageKey, name: name,
            runID: runID, runtimes: runtimes, governanceDocument: governanceDocument, workflowDigest: workflowDigest,
            governance: governance, recordedSubmission: recordedSubmission, templateSet: templateSet, record: record,
            runDirectory: runDirectory)
    }

    /// The run's name and id: a resumed run's own, those an adopted submission fixes, or a fresh name (from
    /// `metadata`) and id.
    func identity(
        previous: RunRecord?, adopted: SubmissionAttestation?, metadata: ObjectMeta, store: Store
    ) throws(EngineError) -> (name: String, runID: String) {
        if let previous { return (previous.name, previous.id) }
        if let adopted { return (adopted.workflowName, adopted.runID) }
        return (try runName(for: metadata, store: store), UUID().uuidString.lowercased())
    }

    /// For a resume: the submission attestation recorded at submission, and which templates changed since (the
    /// run directory's `templates.json`); for a new run, nothing recorded and every template new.
    static func recordedSubmission(
        of previous: RunRecord?, store: Store, templates: SubmittedTemplates, runDirectory: String
    ) throws(EngineError) -> (AttestationRecord?, RunGovernance.TemplateCoverage) {
        var coverage = RunGovernance.TemplateCoverage(digest: templates.digest)
        guard let previous else { return (nil, coverage) }
        let attestations: [AttestationRecord]
        do {
            attestations = try store.attestations(runID: previous.id)
        } catch {
            throw .stateUnavailable(reason: error.description)
        }
        if let data = FileManager.default.contents(atPath: runDirectory + "/templates.json"),
            let recorded = try? CanonicalJSON(parsing: [UInt8](data)).objectValue
        {
            coverage.changed = templates.changes(from: SubmittedTemplates(referenced: recorded))
        }
        return (attestations.first { $0.kind == .submission }, coverage)
    }

    /// Adopts `envelope` (``RunGovernance/adopt``) for a new run whose name and id it fixes; refused when a run of
    /// that name or id is already recorded (an attestation submits one run, once).
    static func adopt(
        _ envelope: Envelope, store: Store, document: GovernanceDocument, runKey: PublicKey, lineageKey: PublicKey,
        workflowDigest: Digest, parametersDigest: Digest, templates: Digest
    ) throws(EngineError) -> RunGovernance.Adopted {
        let adopted = try RunGovernance.adopt(
            envelope, document: document, runKey: runKey, lineageKey: lineageKey, workflowDigest: workflowDigest,
            parametersDigest: parametersDigest, templates: .init(digest: templates))
        let attestation = adopted.attestation
        let taken: Bool
        do {
            taken = try store.isNameTaken(attestation.workflowName) || (try? store.run(named: attestation.runID)) != nil
        } catch {
            throw .stateUnavailable(reason: error.description)
        }
        guard !taken else {
            throw .submissionRefused(
                reason: "the submission attestation's run '\(attestation.workflowName)' (\(attestation.runID)) was "
                    + "already submitted: an attestation submits one run")
        }
        return adopted
    }

    /// Creates the run directory (0700) with its public files: the templates submitted (a new run only), the
    /// signer's public key and the keys the governance trusts to sign.
    static func writeRunDirectory(
        _ runDirectory: String, templates: SubmittedTemplates?, signer: PublicKey, trusted: [PublicKey]
    ) throws(EngineError) {
        do {
            try FileManager.default.createDirectory(
                atPath: runDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .stateUnavailable(reason: "cannot create '\(runDirectory)': \(error.localizedDescription)")
        }
        // Public copies (the keys' private halves are elsewhere): written without an fsync.
        var files = [
            ("signer.pub.pem", Array(signer.pem.utf8)), ("trusted-keys.pem", Array(trusted.map(\.pem).joined().utf8)),
        ]
        if let templates { files.append(("templates.json", templates.json.bytes)) }
        for (name, bytes) in files {
            if let failure = HostFiles.writeUnsynced(bytes, to: runDirectory + "/" + name) {
                throw .stateUnavailable(reason: "cannot write '\(runDirectory)/\(name)': \(failure)")
            }
        }
    }

    /// The state directory's database and artifact store.
    static func openState(_ stateDirectory: String) throws(EngineError) -> (Store, ArtifactStore) {
        do {
            return (try Store.shared(stateDirectory: stateDirectory), try ArtifactStore(stateDirectory: stateDirectory))
        } catch {
            throw .stateUnavailable(reason: error.description)
        }
    }

    /// The submitting key (created on first use, which `onKeyCreated` reports) and the key that signs lineage
    /// (`--lineage-key`, else the same).
    static func keys(for request: RunRequest) throws(EngineError) -> (submitter: SigningKey, lineage: SigningKey) {
        let (key, notice) = try KeyStore.signingKey(path: request.keyPath, stateDirectory: request.stateDirectory)
        if let notice { request.onKeyCreated?(notice) }
        guard let lineageKeyPath = request.lineageKeyPath else { return (key, key) }
        return (key, try KeyStore.signingKey(path: lineageKeyPath, stateDirectory: request.stateDirectory).key)
    }
}

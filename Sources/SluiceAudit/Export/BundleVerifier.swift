import Foundation
import SluiceEngine
import SluiceExpressions
package import SluiceGovernance
import SluiceSpec
import SluiceStore

/// Verifies an export bundle offline, with no state directory: what `sluice verify BUNDLE` runs.
///
/// Checks, each failure naming the bundle file at fault: every file against the manifest's SHA-256 (and no file
/// missing from it); `governance.json` is the governance section of `workflow.yaml`; the submission attestation is
/// signed by a key the governance admits to submit (when it lists no authorities: a trusted key) and its subjects
/// are the digests of `workflow.yaml`'s Workflow document, `governance.json` and `parameters.json`; every
/// envelope's signature by a key admitted to sign, its payloadType, statement and lineage predicate, the signer the
/// predicate names, run id, workflow digest (recomputed from `workflow.yaml` like the engine does), governance and
/// constraints digests, and its trust slope (from this submission to the signer, as ``TrustChain`` admits it, the
/// same decision the input gate makes); every subject re-hashed from the bundled artifact or the output parameter in
/// `status.json`; chain continuity (each input's envelope is in the bundle, names the expected producer node, and
/// has the subject with the digest the consumer recorded) and chain depth; the constraints that govern each node
/// re-evaluated over its recorded inputs' lineage (``ConstraintEvaluator``, shared with the gate); nothing revoked
/// (the bundle's revocations, any given, and the governance's own, over every key of each slope); every
/// envelope the status names is present; the earlier runs under `external/` whose envelopes reused outputs name
/// (see `VerificationRun.checkExternalRuns`); and the SLSA Provenance siblings (`*.slsa.intoto.json`), each the
/// statement ``SLSAProvenance`` derives from its lineage envelope, signed by the same key.
///
/// Trust: when the governance lists authorities, they are the trust root (they arrive inside the submitted
/// workflow) and `--trust` keys, when given, must include the submitter; otherwise the run key stands in and must
/// be among the `--trust` keys, or the bundle's own `keys/trusted-keys.pem` when none are given.
///
/// ```swift
/// let report = try BundleVerifier(trustedKeys: try PublicKeyFile.keys(at: "team.pem")).verify(bundleAt: "run.tar.gz")
/// for failure in report.failures { print(failure.file, failure.detail) }
/// ```
package struct BundleVerifier: Sendable {
    /// One check's outcome, attributed to a file of the bundle.
    package struct Finding: Sendable, Equatable, CustomStringConvertible {
        /// The bundle-relative path of the file concerned (e.g. `artifacts/sha256/ab…`).
        package var file: String
        /// Whether the check passed.
        package var ok: Bool
        /// What was checked, or what is wrong.
        package var detail: String

        /// `ok   FILE: detail` or `FAIL FILE: detail`.
        package var description: String { "\(ok ? "ok  " : "FAIL") \(file): \(detail)" }
    }

    /// Everything a verification found.
    package struct Report: Sendable, Equatable {
        /// Findings in check order.
        package var findings: [Finding] = []
        /// Remarks that are not findings, e.g. which keys were trusted.
        package var notes: [String] = []
        /// Envelopes whose signature and predicate verified.
        package var verifiedEnvelopes = 0
        /// Distinct artifacts re-hashed successfully.
        package var verifiedArtifacts = 0
        /// Input-to-envelope links checked successfully.
        package var verifiedLinks = 0
        /// The key whose signature on the submission attestation verified (the run key when the governance lists
        /// no authorities), nil when it did not verify.
        package var submitterKey: PublicKey?

        /// The failed findings.
        package var failures: [Finding] { findings.filter { !$0.ok } }
        /// True when nothing failed.
        package var isVerified: Bool { failures.isEmpty }
    }

    /// Keys whose signatures count; nil means the bundle's own `keys/trusted-keys.pem` (reported in the notes).
    package var trustedKeys: [PublicKey]?
    /// A signed revocation list (`sluice revocations export`) to apply besides the bundle's own
    /// `revocations.json`; its signature must verify with the trusted keys, else verification fails.
    package var revocationListPath: String?

    /// Creates a verifier.
    package init(trustedKeys: [PublicKey]? = nil, revocationListPath: String? = nil) {
        self.trustedKeys = trustedKeys
        self.revocationListPath = revocationListPath
    }

    /// Verifies a bundle directory or `.tar.gz` archive.
    ///
    /// - Throws: `ExportError.bundleUnreadable` when the path is neither, the archive cannot be unpacked, or the
    ///   tree holds a symbolic link or special file. Problems inside the bundle are findings, not errors.
    package func verify(bundleAt path: String) throws(ExportError) -> Report {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .bundleUnreadable(path: path, reason: "no such file or directory")
        }
        if isDirectory.boolValue { return try verify(directory: path) }
        guard BundleLayout.isArchive(path) else {
            throw .bundleUnreadable(path: path, reason: "it is neither a directory nor a .tar.gz archive")
        }
        let scratch = try ScratchDirectories.make(prefix: "sluice-verify", for: path)
        defer { ScratchDirectories.remove(scratch) }
        try BundleUnpacker.extract(path, into: scratch)
        return try verify(directory: scratch)
    }

    /// Verifies an unpacked bundle directory.
    ///
    /// - Throws: `ExportError.bundleUnreadable` when the tree holds a symbolic link or special file.
    package func verify(directory root: String) throws(ExportError) -> Report {
        var run = VerificationRun(root: root, files: try BundleFiles(root: root).relativePaths())
        run.checkManifest()
        run.loadWorkflowDigest()
        run.loadStatus()
        run.loadParameters()
        run.loadGovernance()
        run.loadTrust(trustedKeys)
        run.checkSubmission(given: trustedKeys)
        run.loadRevocations(listPath: revocationListPath)
        run.checkEnvelopes()
        run.checkEnvelopeLines()
        run.checkExternalRuns(given: trustedKeys)
        run.checkChain()
        run.checkConstraints()
        run.checkProvenance()
        run.checkStatusEnvelopes()
        run.checkOutcome()
        return run.report
    }
}

/// The state of one verification: what has been loaded and what was found.
struct VerificationRun {
    /// Whether `path` is a directory itself (not a link to one).
    static func isDirectory(_ path: String) -> Bool {
        // attributesOfItem does not follow a final symbolic link (lstat).
        let type = (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType
        return type == .typeDirectory
    }

    struct Verified {
        var file: String
        var payloadDigest: Digest
        var statement: Statement
        var predicate: LineagePredicate
        var signer: PublicKey
        var bytes: [UInt8]
        /// The earlier run's id for an envelope under `external/` (a reused output's source), nil for this run's.
        var externalRun: String? = nil
    }

    let root: String
    let files: [String]
    var report = BundleVerifier.Report()
    var trusted: [PublicKey] = []
    var workflowDigest: Digest?
    /// Every template's content digest by identity: the workflow's own (from `workflow.yaml`) and the referenced
    /// ones (from `templates.json`, nil when the bundle has none).
    var templateDigests: [String: Digest] = [:]
    var referencedTemplates: SubmittedTemplates?
    /// The governance section of `workflow.yaml`, as canonical JSON.
    var workflowGovernance: CanonicalJSON?
    /// The governance read from `governance.json` (the empty governance when it is unusable).
    var governance = GovernanceDocument.none
    var governanceUsable = false
    /// The keys the governance admits, once the run key (for governance without authorities) is known.
    var chain: TrustChain?
    var parameters: [ParameterValue]?
    var parametersDigest: Digest?
    /// The submission attestation's payload digest, its signer and its submitter's name.
    var submissionDigest: Digest?
    var submitter: (name: String, key: PublicKey)?
    var runID: String?
    /// The run's Workflow object (`status.json`), nil when it could not be read.
    var workflow: ArgoWorkflow?
    /// `status.nodes` of ``workflow``.
    var statusNodes: [String: ArgoWorkflow.Node]? { workflow.map { $0.status?.nodes ?? [:] } }
    var revokedEnvelopes: [String: String] = [:]
    var revokedKeys: [String: String] = [:]
    var verified: [String: Verified] = [:]
    var unverified: [String: String] = [:]
    var envelopeFiles: [String] = []
    var artifactDigests: [String: Result<Digest, GovernanceError>] = [:]

    init(root: String, files: [String]) {
        self.root = root
        self.files = files
    }

    mutating func pass(_ file: String, _ detail: String) {
        report.findings.append(.init(file: file, ok: true, detail: detail))
    }

    mutating func fail(_ file: String, _ detail: String) {
        report.findings.append(.init(file: file, ok: false, detail: detail))
    }

    func read(_ relative: String) -> [UInt8]? {
        guard files.contains(relative), let data = FileManager.default.contents(atPath: root + "/" + relative) else {
            return nil
        }
        return [UInt8](data)
    }

    // MARK: - Manifest

    mutating func checkManifest() {
        guard let bytes = read(BundleLayout.manifest) else {
            fail(BundleLayout.manifest, "the manifest is missing")
            return
        }
        guard let json = try? CanonicalJSON(parsing: bytes), let entries = json["files"]?.arrayValue else {
            fail(BundleLayout.manifest, "the manifest is not JSON with a 'files' array")
            return
        }
        if json["format"]?.stringValue != BundleLayout.format {
            fail(BundleLayout.manifest, "format is not '\(BundleLayout.format)'")
        }
        var listed = Set<String>()
        var problems = 0
        for (index, entry) in entries.enumerated() {
            guard let path = entry["path"]?.stringValue, let expected = entry["sha256"]?.stringValue else {
                fail(BundleLayout.manifest, "files[\(index)] has no path or sha256")
                problems += 1
                continue
            }
            listed.insert(path)
            guard files.contains(path) else {
                fail(path, "listed in the manifest but missing from the bundle")
                problems += 1
                continue
            }
            do {
                let actual = try Digest.sha256(fileAt: root + "/" + path)
                if actual.hex != expected {
                    fail(path, "its content hashes to \(actual), but the manifest lists sha256:\(expected)")
                    problems += 1
                }
            } catch {
                fail(path, error.description)
                problems += 1
            }
        }
        for file in files where file != BundleLayout.manifest && !listed.contains(file) {
            fail(file, "not listed in the manifest")
            problems += 1
        }
        if problems == 0 { pass(BundleLayout.manifest, "\(entries.count) files match their sha256") }
    }

    // MARK: - Inputs of the checks

    mutating func loadTrust(_ given: [PublicKey]?) {
        if !governance.authorities.isEmpty {
            loadGovernedTrust(given)
            return
        }
        if let given {
            trusted = given
            report.notes.append(
                "trusting \(given.count) key(s) given with --trust: "
                    + given.map { String($0.keyID.prefix(16)) + "…" }.joined(separator: ", "))
            return
        }
        guard let bytes = read(BundleLayout.trustedKeys) else {
            fail(BundleLayout.trustedKeys, "missing, and no --trust key was given: no key can verify the envelopes")
            return
        }
        do {
            trusted = try PublicKeyFile.keys(in: String(decoding: bytes, as: UTF8.self), path: BundleLayout.trustedKeys)
            report.notes.append(
                "no --trust given: trusting the bundle's own \(BundleLayout.trustedKeys) ("
                    + trusted.map { String($0.keyID.prefix(16)) + "…" }.joined(separator: ", ")
                    + "); this proves integrity, not origin: pass --trust KEYFILE to check against a key you hold")
        } catch {
            fail(BundleLayout.trustedKeys, error.description)
        }
    }

    mutating func loadWorkflowDigest() {
        guard let bytes = read(BundleLayout.workflow) else {
            fail(BundleLayout.workflow, "the submitted workflow is missing")
            return
        }
        do {
            let document = try SubmittedWorkflow(
                text: String(decoding: bytes, as: UTF8.self),
                file: BundleLayout.workflow)
            workflowDigest = document.digest
            workflowGovernance = document.governance
            templateDigests = document.templateDigests
        } catch {
            if case .bundleUnreadable(_, let reason) = error {
                fail(BundleLayout.workflow, reason)
            } else {
                fail(BundleLayout.workflow, error.description)
            }
        }
        guard let bytes = read(BundleLayout.templates) else { return }
        guard let object = try? CanonicalJSON(parsing: bytes).objectValue else {
            fail(BundleLayout.templates, "is not a JSON object of templates by identity")
            return
        }
        let referenced = SubmittedTemplates(referenced: object)
        referencedTemplates = referenced
        templateDigests.merge(referenced.digests) { own, _ in own }
    }

    mutating func loadStatus() {
        guard let bytes = read(BundleLayout.status) else { return fail(BundleLayout.status, "missing") }
        do {
            let workflow = try ArgoWorkflow(json: Data(bytes))
            self.workflow = workflow
            runID = workflow.metadata.uid
        } catch {
            fail(BundleLayout.status, error.description)
        }
    }

    mutating func loadRevocations(listPath: String?) {
        var entries: [RevocationList.Entry] = []
        if let listPath {
            do {
                let (list, signer) = try RevocationList.verifiedFile(at: listPath, trustedKeys: trusted)
                entries = list.entries
                report.notes.append("revocation list \(listPath) is signed by trusted key \(signer.keyID.prefix(16))…")
            } catch {
                fail(listPath, error.description)
            }
        }
        if let bytes = read(BundleLayout.revocations) {
            do {
                entries += try RevocationList(json: bytes, path: BundleLayout.revocations).entries
            } catch {
                fail(BundleLayout.revocations, error.description)
            }
        } else {
            fail(BundleLayout.revocations, "the bundle's revocation list is missing")
        }
        for entry in entries {
            switch entry.kind {
            case .envelope: revokedEnvelopes[entry.value] = revokedEnvelopes[entry.value] ?? entry.reason
            case .key: revokedKeys[entry.value] = revokedKeys[entry.value] ?? entry.reason
            }
        }
        for inline in governance.revocations {
            let reason = "\(inline.reason) (revoked by the workflow's governance)"
            switch inline.kind {
            case .envelope: revokedEnvelopes[inline.value] = revokedEnvelopes[inline.value] ?? reason
            case .key: revokedKeys[inline.value] = revokedKeys[inline.value] ?? reason
            }
        }
        let count = entries.count + governance.revocations.count
        if count > 0 { report.notes.append("applying \(count) revocation(s)") }
    }

    // MARK: - Envelopes

    mutating func checkEnvelopes() {
        let prefix = BundleLayout.envelopes + "/"
        envelopeFiles = files.filter(BundleLayout.isLineageEnvelope)
        if envelopeFiles.isEmpty { fail(BundleLayout.envelopes, "the bundle holds no envelopes") }
        for file in envelopeFiles {
            let stem = String(file.dropFirst(prefix.count).dropLast(BundleLayout.envelopeSuffix.count))
            checkEnvelope(file: file, stem: stem)
        }
    }

    private mutating func checkEnvelope(file: String, stem: String) {
        guard let bytes = read(file) else {
            fail(file, "cannot be read")
            return
        }
        let envelope: Envelope
        do {
            envelope = try Envelope(jsonBytes: bytes)
        } catch {
            fail(file, error.description)
            return
        }
        let payloadDigest = envelope.payloadDigest
        let predicate: LineagePredicate
        let statement: Statement
        let signer: PublicKey
        do {
            (signer, statement, predicate) = try envelope.openLineage(trustedKeys: trusted, node: stem)
        } catch {
            unverified[payloadDigest.hex] = file
            fail(file, error.description)
            return
        }
        let recorded = LineagePolicy.RecordedEnvelope(
            predicate: predicate, signer: signer, payloadDigest: payloadDigest)
        var problems = LineagePolicy.continuityRefusals(of: recorded, in: recordedRun).map(\.reason)
        let node = predicate.node.id
        if stem != node && !stem.hasPrefix(node + "-") {
            problems.append("the file is named for node '\(stem)' but the envelope attests node '\(node)'")
        }
        if stem == node, let statusNodes {
            if let status = statusNodes[node] {
                if status.envelopeHex != payloadDigest.hex {
                    problems.append(
                        "status.json records envelope \(status.envelopeHex.map { "sha256:" + $0 } ?? "none") "
                            + "for node '\(node)', but this envelope's payload digest is \(payloadDigest)")
                }
            } else {
                problems.append("status.json has no node '\(node)'")
            }
        }
        problems += LineagePolicy.trustRefusals(of: recorded, in: recordedRun).map(Self.finding)
        let subjectsOK = checkSubjects(statement.subjects, node: node, file: file, current: stem == node)
        if problems.isEmpty {
            if subjectsOK {
                let name = statusNodes?[node]?.displayName ?? predicate.node.displayName
                pass(
                    file,
                    "node '\(name)': \(statement.subjects.count) subject(s) verified, signed by "
                        + "\(signer.keyID.prefix(16))…, \(predicate.producer.isolationDescription)")
            }
            verified[payloadDigest.hex] = Verified(
                file: file, payloadDigest: payloadDigest, statement: statement, predicate: predicate, signer: signer,
                bytes: bytes)
            report.verifiedEnvelopes += 1
        } else {
            unverified[payloadDigest.hex] = file
            for problem in problems { fail(file, problem) }
        }
    }

    /// Re-hashes every subject; failures name the artifact file, or status.json for parameters.
    ///
    /// - Parameter current: whether the envelope is the one status.json records for its node. A superseded one
    ///   (a Failed attempt's outputs, signed before `sluice retry` re-ran the node in place) has its artifacts
    ///   checked, not its values, which status.json no longer holds; consumers' links to it are still checked.
    private mutating func checkSubjects(_ subjects: [Statement.Subject], node: String, file: String, current: Bool)
        -> Bool
    {
        var ok = true
        for subject in subjects {
            if subject.name.hasPrefix("outputs/artifacts/") {
                let isTree = subject.digest["dirHash"] != nil
                guard let hex = subject.digest[isTree ? "dirHash" : "sha256"], (try? Digest(hex: hex)) != nil else {
                    fail(file, "subject '\(subject.name)' has no sha256 or dirHash digest")
                    ok = false
                    continue
                }
                let relative = (isTree ? BundleLayout.treeArtifacts : BundleLayout.fileArtifacts) + "/" + hex
                // A tree may hold no regular file (empty, or only links): its directory is what must be there.
                let exists = isTree ? Self.isDirectory(root + "/" + relative) : files.contains(relative)
                guard exists else {
                    fail(file, "subject '\(subject.name)' names artifact \(relative), which is not in the bundle")
                    ok = false
                    continue
                }
                let isNew = artifactDigests[relative] == nil
                let result =
                    artifactDigests[relative]
                    ?? Result { () throws(GovernanceError) in
                        isTree
                            ? try Digest.directoryHash(at: root + "/" + relative)
                            : try Digest.sha256(fileAt: root + "/" + relative)
                    }
                artifactDigests[relative] = result
                switch result {
                case .success(let actual) where actual.hex == hex:
                    if isNew { report.verifiedArtifacts += 1 }
                case .success(let actual):
                    let name = statusNodes?[node]?.displayName ?? node
                    fail(
                        relative,
                        "re-hashed to \(actual), but \(file) signed subject '\(subject.name)' of node "
                            + "'\(name)' as sha256:\(hex)")
                    ok = false
                case .failure(let error):
                    fail(relative, error.description)
                    ok = false
                }
            } else {
                guard current else { continue }
                let value: String?
                if subject.name == "outputs/result" {
                    value = statusNodes?[node]?.outputs?.result
                } else if subject.name.hasPrefix("outputs/parameters/") {
                    value = statusNodes?[node]?.outputs?.parameter(
                        String(subject.name.dropFirst("outputs/parameters/".count)))
                } else {
                    fail(file, "subject '\(subject.name)' is neither an artifact, a parameter nor the result")
                    ok = false
                    continue
                }
                guard let value else {
                    fail(BundleLayout.status, "node '\(node)' has no value for subject '\(subject.name)' of \(file)")
                    ok = false
                    continue
                }
                let actual = Digest.sha256(Array(value.utf8))
                if subject.digest["sha256"] != actual.hex {
                    fail(
                        BundleLayout.status,
                        "node '\(node)' output '\(subject.name)' hashes to \(actual), but "
                            + "\(file) signed sha256:\(subject.digest["sha256"] ?? "none")")
                    ok = false
                }
            }
        }
        return ok
    }

    mutating func checkEnvelopeLines() {
        guard let bytes = read(BundleLayout.envelopeLines) else {
            fail(BundleLayout.envelopeLines, "missing")
            return
        }
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
        var byDigest: [String: [UInt8]] = [:]
        for file in envelopeFiles {
            if let content = read(file), let envelope = try? Envelope(jsonBytes: content) {
                byDigest[envelope.payloadDigest.hex] = content
            }
        }
        var problems = 0
        for (index, line) in lines.enumerated() {
            guard let envelope = try? Envelope(jsonBytes: Array(line)) else {
                fail(BundleLayout.envelopeLines, "line \(index + 1) is not a DSSE envelope")
                problems += 1
                continue
            }
            if byDigest[envelope.payloadDigest.hex] != Array(line) {
                fail(
                    BundleLayout.envelopeLines,
                    "line \(index + 1) (payload \(envelope.payloadDigest)) differs from "
                        + "every file in envelopes/")
                problems += 1
            }
        }
        if lines.count != envelopeFiles.count {
            fail(
                BundleLayout.envelopeLines, "holds \(lines.count) envelope(s), envelopes/ holds \(envelopeFiles.count)")
            problems += 1
        }
        if problems == 0 { pass(BundleLayout.envelopeLines, "\(lines.count) envelope(s), identical to envelopes/") }
    }

    // MARK: - Chain

    mutating func checkChain() {
        for consumer in verified.values.sorted(by: { $0.file < $1.file }) {
            for input in consumer.predicate.inputs {
                guard let upstreamDigest = input.envelopePayloadDigest else { continue }
                let label = "input '\(input.name)' of node '\(consumer.predicate.node.id)'"
                // An earlier run's lineage ends at the envelopes the bundle carries: links between them are checked,
                // its other upstream envelopes are not in the bundle.
                if consumer.externalRun != nil && verified[upstreamDigest.hex]?.externalRun != consumer.externalRun {
                    continue
                }
                guard let upstream = verified[upstreamDigest.hex] else {
                    if let file = unverified[upstreamDigest.hex] {
                        fail(consumer.file, "\(label) comes from \(file), which did not verify")
                    } else {
                        fail(consumer.file, "\(label) names envelope \(upstreamDigest), which is not in the bundle")
                    }
                    continue
                }
                if let run = upstream.externalRun, consumer.externalRun == nil {
                    // Only a reuse names another run's envelope: every input then names that one envelope, and the
                    // node signs that envelope's subjects unchanged.
                    let named = Set(consumer.predicate.inputs.map { $0.envelopePayloadDigest?.hex })
                    guard named == [upstreamDigest.hex],
                        Self.subjectSet(consumer.statement) == Self.subjectSet(upstream.statement)
                    else {
                        fail(
                            consumer.file,
                            "\(label) names \(upstream.file) of earlier run \(run), but the node does not reuse that "
                                + "envelope's outputs (a reuse names only that envelope and signs its subjects)")
                        continue
                    }
                }
                if let refusal = LineagePolicy.linkRefusal(
                    input, consumer: consumer.predicate.node.id, producer: upstream.predicate,
                    subjects: upstream.statement.subjects, producerFile: upstream.file)
                {
                    fail(consumer.file, refusal.reason)
                    continue
                }
                report.verifiedLinks += 1
            }
        }
    }

    /// A statement's subjects as comparable text, `name algorithm:hex…`, ignoring order.
    static func subjectSet(_ statement: Statement) -> Set<String> {
        Set(
            statement.subjects.map { subject in
                let digest = subject.digest.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }
                return subject.name + " " + digest.joined(separator: ",")
            })
    }

    /// The run attestation: signed by a key admitted to sign (or trusted), for this run, and covering exactly the
    /// bundle's `status.json` (phases, messages, envelopes of the run and its nodes), `denials.json` and envelopes.
    mutating func checkOutcome() {
        let file = BundleLayout.outcome
        guard let bytes = read(file) else {
            fail(file, "the run attestation is missing: status.json and denials.json are covered by no signature")
            return
        }
        let signers = chain?.keys(for: .sign) ?? trusted
        let statement: Statement
        let signer: PublicKey
        do {
            let envelope = try Envelope(jsonBytes: bytes)
            signer = try envelope.verify(trustedKeys: signers)
            statement = try Statement(payloadBytes: envelope.payload)
        } catch {
            fail(file, error.description)
            return
        }
        if let reason = revokedKeys[signer.keyID] {
            fail(file, "its signing key \(signer.keyID) is revoked: \(reason)")
            return
        }
        guard let outcome = bundledOutcome() else { return }
        if let problem = outcome.problem(with: statement) {
            fail(file, problem)
            return
        }
        pass(
            file,
            "the run's outcome (\(outcome.phase), \(outcome.nodes.count) node(s), "
                + "\(outcome.denials.arrayValue?.count ?? 0) denial(s), \(outcome.envelopes.count) envelope(s)) is signed by "
                + "\(signer.keyID.prefix(16))…")
    }

    /// The outcome as the bundle's files state it, or nil when they cannot be read (their own checks failed).
    private func bundledOutcome() -> RunOutcome? {
        guard let runID, let status = workflow?.status, let phase = status.phase,
            let denialBytes = read(BundleLayout.denials), let denials = try? CanonicalJSON(parsing: denialBytes)
        else { return nil }
        let nodes = (status.nodes ?? [:]).mapValues {
            RunOutcome.Node(phase: $0.phase?.rawValue ?? "", message: $0.message, envelope: $0.envelopeHex)
        }
        var envelopes: Set<String> = []
        for file in envelopeFiles {
            if let content = read(file), let envelope = try? Envelope(jsonBytes: content) {
                envelopes.insert(envelope.payloadDigest.hex)
            }
        }
        return RunOutcome(
            runID: runID, phase: phase, message: status.message, nodes: nodes, denials: denials, envelopes: envelopes)
    }

    mutating func checkStatusEnvelopes() {
        guard let statusNodes else { return }
        let present = Set(verified.keys).union(unverified.keys)
        for (id, node) in statusNodes.sorted(by: { $0.key < $1.key }) {
            if node.type == .pod && node.phase == .succeeded && node.envelopeHex == nil {
                fail(
                    BundleLayout.status,
                    "node '\(node.displayName ?? id)' (\(id)) succeeded but names no lineage envelope")
            }
            guard let digest = node.envelopeHex, !present.contains(digest) else { continue }
            fail(BundleLayout.status, "node '\(id)' names envelope sha256:\(digest), which is not in envelopes/")
        }
    }
}

package import Foundation
package import SluiceExpressions
package import SluiceGovernance
package import SluiceRuntimes
package import SluiceSpec
package import SluiceStore

/// Runs Argo workflows on this host, governed: every node's inputs verified, every output signed, every transition
/// recorded in the state directory's SQLite database.
///
/// ```swift
/// let engine = WorkflowEngine()
/// let summary = try await engine.run(RunRequest(workflowPath: "examples/ml-pipeline.yaml",
///                                               stateDirectory: "/tmp/state"))
/// print(summary.phase)   // Succeeded
/// ```
package struct WorkflowEngine: Sendable {
    package var runtime: any NodeRuntime
    package var observer: (any RunObserver)?
    /// Runtimes of other kinds for templates annotated `sluice.dev/runtime` (e.g. the CLI's process runtime with
    /// its `--isolation`); kinds not given here use their built-in defaults.
    package var alternatives: [any NodeRuntime]

    /// Creates an engine running nodes on `runtime`, except those whose template (or workflow) names another
    /// runtime with the annotation `sluice.dev/runtime`; those run on the alternative of that kind.
    package init(
        runtime: any NodeRuntime = ProcessRuntime(), observer: (any RunObserver)? = nil,
        alternatives: [any NodeRuntime] = []
    ) {
        self.runtime = runtime
        self.observer = observer
        self.alternatives = alternatives
    }

    /// Loads, validates and runs a workflow file to its end.
    ///
    /// - Throws: ``EngineError/invalidWorkflow(_:)`` when the file is invalid (nothing is recorded then), or another
    ///   ``EngineError`` when the run cannot start. A node's failure is not an error: it is in the summary.
    package func run(_ request: RunRequest) async throws(EngineError) -> RunSummary {
        var request = request
        var previous: (run: RunRecord, nodes: [NodeRecord])?
        // One engine per run: held from submission (or from the start of a resume) to the end.
        var lease: EngineLease?
        defer { lease?.release() }
        if let resumeName = request.resumeRun {
            let resumed = try Self.recordedRun(resumeName, stateDirectory: request.stateDirectory)
            previous = (resumed.run, resumed.nodes)
            lease = resumed.lease
            request.parameters = Self.parameters(of: resumed.run)
        }
        let loaded: LoadedFile
        do {
            if let previous {
                loaded = try SpecLoader.load(text: previous.run.workflowYAML, file: previous.run.sourcePath)
            } else {
                loaded = try SpecLoader.load(path: request.workflowPath)
            }
        } catch {
            throw .invalidWorkflow(error)
        }
        // A file holding only a WorkflowTemplate submits a Workflow from it (`argo submit --from workflowtemplate/…`).
        let submitted: WorkflowDocument
        if let workflow = loaded.documents.first(where: { $0.workflow.kind == "Workflow" }) {
            submitted = workflow
        } else if let template = loaded.documents.first(where: {
            WorkflowDocument.templateKinds.contains($0.workflow.kind)
        }) {
            do {
                submitted = try template.submittedAsWorkflow()
            } catch {
                throw .invalidWorkflow(error)
            }
        } else {
            throw .noWorkflowDocument(file: request.workflowPath)
        }
        // The document that runs: joined with its workflowTemplateRef, templateDefaults merged in.
        let library = try TemplateLibrary.forRun(
            of: loaded, templatePaths: request.templatePaths, stateDirectory: request.stateDirectory)
        let document: WorkflowDocument
        let templates: TemplateResolver
        do {
            document = try submitted.resolvingWorkflowTemplateRef(in: library)
            let defaults = document.tree["spec"]?["templateDefaults"]
            templates = TemplateResolver(spec: document.workflow.spec,
                                         library: try library.applyingTemplateDefaults(defaults))
        } catch {
            throw .invalidWorkflow(error)
        }
        let problems = document.validate(templates: library)
        if !problems.isEmpty { throw .invalidWorkflow(problems.count == 1 ? problems[0] : .invalid(errors: problems)) }
        // What lint reports about the governance is refused too: a misspelt scope would silently govern nothing.
        let governanceProblems = RunGovernance.problems(of: document, includingDelegations: false)
        if !governanceProblems.isEmpty { throw .governanceSpec(reason: governanceProblems.joined(separator: "\n")) }
        let workflow = document.workflow
        guard let entrypoint = workflow.spec.entrypoint, let template = workflow.spec.template(named: entrypoint) else {
            throw .invalidWorkflow(.missingEntrypoint(at: document.tree["spec"]?.location ?? document.tree.location))
        }
        let parameters = try Self.resolveParameters(workflow.spec, overrides: request.parameters)
        let rootTemplate = try Self.applying(targets: request.targets, to: template)

        let store: Store
        let artifactStore: ArtifactStore
        do {
            store = try Store(stateDirectory: request.stateDirectory)
            artifactStore = try ArtifactStore(stateDirectory: request.stateDirectory)
        } catch {
            throw .stateUnavailable(reason: error.description)
        }
        let (key, notice) = try KeyStore.signingKey(path: request.keyPath, stateDirectory: request.stateDirectory)
        if let notice { request.onKeyCreated?(notice) }

        let lineageKey: SigningKey
        if let lineageKeyPath = request.lineageKeyPath {
            lineageKey = try KeyStore.signingKey(path: lineageKeyPath, stateDirectory: request.stateDirectory).key
        } else {
            lineageKey = key
        }

        // Digests of what was submitted: the document, its governance section, the parameters.
        let governanceDocument = try RunGovernance.document(of: document)
        let workflowDigest = document.tree.canonicalJSON.digest

        if let previous {
            // A changed document is not refused here: the recorded submission attestation no longer covers it, so
            // the gate refuses every node that would run under it (naming what was edited).
            guard previous.run.signerKeyID == lineageKey.publicKey.keyID else {
                throw .keyUnavailable(reason: "run '\(previous.run.name)' was signed by key \(previous.run.signerKeyID), "
                    + "not \(key.publicKey.keyID): pass the same --key as the run")
            }
        }
        let name: String
        if let previous { name = previous.run.name } else { name = try runName(for: workflow.metadata, store: store) }
        let runID = previous?.run.id ?? UUID().uuidString.lowercased()
        if lease == nil { lease = try EngineLease.take(runID: runID, runName: name, store: store).lease }
        var runtimes = RuntimeChoice(runtime: runtime, alternatives: alternatives)
        runtimes.runWide = RuntimeAnnotation.runWideValue(of: workflow)
        let isolation = runtimes.runtime(kind: "process")?.isolation.rawValue
        if let previous {
            try Self.checkResumeSettings(
                of: previous.run, runtime: runtime.kind, isolation: isolation, profile: request.runtimeProfileText)
        }
        let parametersObject = CanonicalJSON.object(Dictionary(
            parameters.map { ($0.name, CanonicalJSON.string($0.value)) }, uniquingKeysWith: { _, last in last }))
        var recordedSubmission: AttestationRecord?
        if let previous {
            let attestations: [AttestationRecord]
            do {
                attestations = try store.attestations(runID: previous.run.id)
            } catch {
                throw .stateUnavailable(reason: error.description)
            }
            recordedSubmission = attestations.first { $0.kind == .submission }
        }
        // Every template the run can execute, by content digest: the submission covers those reached through
        // templateRef; a resume compares them with the ones recorded at submission.
        let templateSet = SubmittedTemplates(document: document, library: library)
        let runDirectory = request.stateDirectory + "/runs/" + name
        let templatesFile = runDirectory + "/templates.json"
        var coverage = RunGovernance.TemplateCoverage(digest: templateSet.digest)
        if previous != nil, let data = FileManager.default.contents(atPath: templatesFile),
            let recorded = try? CanonicalJSON(parsing: [UInt8](data)).objectValue
        {
            coverage.changed = templateSet.changes(from: SubmittedTemplates(referenced: recorded))
        }
        let governance = try RunGovernance.admit(
            document: governanceDocument, submitterKey: key, lineageKey: lineageKey.publicKey, runID: runID,
            workflowName: name, workflowDigest: workflowDigest, parametersDigest: parametersObject.digest,
            templates: coverage, recorded: recordedSubmission)
        let record = RunRecord(
            id: runID, name: name, sourcePath: request.workflowPath, workflowYAML: loaded.text,
            parametersJSON: String(decoding: parametersObject.bytes, as: UTF8.self),
            workflowDigest: workflowDigest.hex, governanceDigest: governanceDocument.digest.hex, runtime: runtime.kind,
            signerKeyID: lineageKey.publicKey.keyID, phase: .pending, createdAt: previous?.run.createdAt ?? Date(),
            engineProcessID: ProcessInfo.processInfo.processIdentifier, isolation: isolation,
            runtimeProfile: request.runtimeProfileText ?? previous?.run.runtimeProfile)

        do {
            try FileManager.default.createDirectory(atPath: runDirectory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            if previous == nil {
                try Data(templateSet.json.bytes).write(to: URL(fileURLWithPath: templatesFile))
            }
            try Data(lineageKey.publicKey.pem.utf8).write(to: URL(fileURLWithPath: runDirectory + "/signer.pub.pem"))
            let trustedPEM = governance.chain.keys(for: GovernanceDocument.Role.sign).map { $0.pem }.joined()
            try Data(trustedPEM.utf8).write(to: URL(fileURLWithPath: runDirectory + "/trusted-keys.pem"))
        } catch {
            throw .stateUnavailable(reason: "cannot create '\(runDirectory)': \(error.localizedDescription)")
        }

        let coordinator = RunCoordinator(store: store, run: record, observer: observer,
                                         previousNodes: previous?.nodes ?? [])
        // spec.synchronization: the run waits (Pending) for its locks before it starts.
        let (workflowLock, lockWaitCancelled) = try await Self.acquireWorkflowLocks(
            workflow.spec.synchronization, run: record, namespace: workflow.metadata.namespace ?? "default",
            store: store)
        defer { workflowLock?.release() }
        try await coordinator.start()
        if recordedSubmission == nil {
            let submission = governance.record(runID: runID)
            do {
                try store.saveAttestation(submission)
            } catch {
                throw .stateUnavailable(reason: error.description)
            }
        }
        if lockWaitCancelled {
            let reason = "Stopped while waiting for the workflow's synchronization locks"
            try await coordinator.finish(phase: .failed, message: reason, outputsJSON: nil)
            return RunSummary(name: name, id: runID, phase: .failed, message: reason, refused: false)
        }

        var globals = VariableScope()
        globals.set("workflow.name", name)
        globals.set("workflow.namespace", workflow.metadata.namespace ?? "default")
        globals.set("workflow.uid", runID)
        globals.set("workflow.serviceAccountName", "default")
        globals.set("workflow.creationTimestamp", ArgoTime.format(record.createdAt))
        for (name, value) in ArgoTime.strftimeVariables(record.createdAt) {
            globals.set("workflow.creationTimestamp.\(name)", value)
        }
        for parameter in parameters {
            globals.set("workflow.parameters.\(parameter.name)", parameter.value,
                        provenance: [.argument(parameter.name)])
        }
        Self.setJSONVariables(of: workflow, parameters: parameters, in: &globals)

        let lineage = LineageSigner(
            key: lineageKey, runID: runID, workflowName: name, workflowDigest: workflowDigest,
            governanceDigest: governanceDocument.digest, constraintsDigest: governanceDocument.constraintsDigest,
            runtimeKind: runtime.kind, trustSlope: governance.slope)
        let workflowFacts = ConstraintEvaluator.workflowFacts(
            name: name, uid: runID, parameters: parameters.map { ($0.name, $0.value) }, governance: governanceDocument,
            submitter: governance.submitter.name)
        let gate = InputGate(store: store, runID: runID, workflowDigest: workflowDigest, governance: governance,
                             workflowFacts: workflowFacts)
        if previous != nil {
            // Whatever the dead engine's nodes left running is killed before any node runs again.
            _ = await LeftoverNodes.kill(runID: runID, store: store, runtimes: runtimes)
        }
        // Without isolation, nodes would share /tmp and every declared path: run them one at a time.
        let limit = runtimes.mayRunUnisolated(workflow.spec) ? 1 : request.nodeLimit(specified: workflow.spec.parallelism)
        let sweeper = NodeRootSweeper()
        async let swept: Void = sweeper.run()
        var configured = WorkflowExecutor(
            coordinator: coordinator, spec: workflow.spec, templates: templates,
            globals: globals, runtime: runtime, runtimes: runtimes,
            runtimeProfile: request.runtimeProfile, artifacts: artifactStore, runDirectory: runDirectory,
            lineage: lineage, gate: gate, hostEnvironment: Self.nodeEnvironment(), limiter: ParallelismLimiter(limit: limit),
            hiddenPaths: [request.stateDirectory] + ([request.keyPath, request.lineageKeyPath].compactMap { $0 }
                .map(absolutePath)),
            stop: request.stop, sweeper: sweeper, replay: request.replay)
        configured.templateDigests = templateSet.digests
        let executor = configured

        var arguments = StepArguments()
        // The entrypoint's inputs read the workflow's arguments through their variables, so they carry the
        // arguments' provenance (a value that is itself a template is passed as before).
        arguments.parameters = parameters.map {
            let simple = !$0.value.contains("{{") && !$0.name.isEmpty
                && $0.name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
            return Parameter(name: $0.name,
                             value: ArgoString(simple ? "{{workflow.parameters.\($0.name)}}" : $0.value))
        }
        arguments.artifacts = workflow.spec.arguments?.artifacts
        let rootCall = TemplateCall(
            template: rootTemplate, arguments: arguments, callerScope: globals, nodeName: name, displayName: name,
            boundaryID: nil, parentID: nil)
        var renderer = Renderer(scope: globals)
        let deadline = try renderer.renderOptional(workflow.spec.activeDeadlineSeconds?.value,
                                                   context: "spec.activeDeadlineSeconds")
            .map { text throws(EngineError) in
                try Durations.parse(seconds: text, field: "activeDeadlineSeconds", context: "spec")
            }
        // Expression hooks that hold while the workflow is Running (`workflow.status == "Running"`) fire at once.
        async let firedWhileRunning = Self.runExpressionHooks(
            workflow.spec.hooks, status: "Running", skipping: [], globals: globals, executor: executor,
            workflowName: name)
        var root = await Self.execute(rootCall, with: executor, deadline: deadline, stop: request.stop)
        var message = root.phase == .succeeded ? nil : root.message
        if root.phase != .succeeded, let reason = request.stop.reason {
            message = reason == WorkflowExecutor.deadlineMessage && deadline != nil
                ? "Step exceeded its deadline (spec.activeDeadlineSeconds \(deadline?.components.seconds ?? 0)s)" : reason
        }

        // Workflow-level hooks with an expression: the ones that hold while the workflow runs fired beside the
        // entrypoint (above); the others are evaluated once it has ended. Each hook fires at most once.
        let status = root.phase == .succeeded ? "Succeeded" : root.phase == .failed ? "Failed" : "Error"
        _ = await Self.runExpressionHooks(
            workflow.spec.hooks, status: status, skipping: await firedWhileRunning, globals: globals,
            executor: executor, workflowName: name)

        // The exit handler (`spec.onExit` or `spec.hooks.exit`) runs last, seeing how the workflow went.
        let exitHandler = workflow.spec.hooks?["exit"].flatMap { hook in
            executor.templates.callee(template: hook.template, templateRef: hook.templateRef, inline: nil)
                .map { ($0, hook.arguments) }
        } ?? workflow.spec.onExit.flatMap { executor.templates.template(named: $0) }.map { ($0, StepArguments?.none) }
        if let (handler, handlerArguments) = exitHandler {
            var scope = globals
            await coordinator.setGlobalVariable("workflow.status", value: status)
            scope.set("workflow.status", status)
            // Every Failed or Errored node (steps, DAGs, retries included), as Argo lists them.
            let failures = await coordinator.allNodes().filter { $0.phase.isFailedOrError }.map {
                "{\"displayName\":\(jsonString($0.displayName)),\"message\":\(jsonString($0.message ?? "")),"
                    + "\"templateName\":\(jsonString($0.templateName ?? "")),\"phase\":\(jsonString($0.phase.rawValue)),"
                    + "\"podName\":\(jsonString($0.id)),\"finishedAt\":\(jsonString($0.finishedAt.map(ArgoTime.format) ?? ""))}"
            }
            scope.set("workflow.failures", "[" + failures.joined(separator: ",") + "]")
            scope.set("workflow.duration", String(format: "%.6f", Date().timeIntervalSince(record.createdAt)))
            for name in ["workflow.failures", "workflow.duration"] {
                if let value = scope.value(name)?.text { await coordinator.setGlobalVariable(name, value: value) }
            }
            let exitNode = await executor.execute(TemplateCall(
                template: handler, arguments: handlerArguments, callerScope: scope, nodeName: "\(name).onExit",
                displayName: "\(name).onExit", boundaryID: nil, parentID: nil))
            if root.phase == .succeeded && exitNode.phase.isFailedOrError {
                root.phase = exitNode.phase
                message = exitNode.message
            }
        }

        let phase: RunPhase =
            switch root.phase {
            case .succeeded, .skipped, .omitted: .succeeded
            case .failed: .failed
            default: .error
            }
        // Every node's private root is deleted before the run is recorded as ended.
        sweeper.finish()
        await swept
        let workflowOutputs = await coordinator.workflowOutputs()
        var outputs: String?
        if !workflowOutputs.isEmpty {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            outputs = (try? encoder.encode(["parameters": workflowOutputs])).map { String(decoding: $0, as: UTF8.self) }
        }
        try await coordinator.finish(phase: phase, message: message, outputsJSON: outputs)
        Self.attestOutcome(runID: runID, name: name, store: store, key: lineageKey, gate: gate)
        try? store.forgetNodeProcesses(runID: runID)
        let refused = ((try? store.denials(runID: runID)) ?? []).isEmpty == false
        return RunSummary(name: name, id: runID, phase: root.phase, message: message, refused: refused)
    }

    /// Signs how the run ended (``RunOutcome``) with the lineage key and records it, unless a key of the run's
    /// slope is revoked (a revoked key signs nothing; the outcome then stays unsigned and verification says so).
    static func attestOutcome(runID: String, name: String, store: Store, key: SigningKey, gate: InputGate) {
        guard gate.refuseSigning(name) == nil,
            let run = try? store.run(named: runID), let nodes = try? store.nodes(runID: runID),
            let denials = try? store.denials(runID: runID), let envelopes = try? store.envelopes(runID: runID)
        else { return }
        let outcome = RunOutcome(run: run, nodes: nodes, denials: denials, envelopes: envelopes)
        let envelope = outcome.statement.signed(with: key)
        try? store.saveAttestation(
            AttestationRecord(payloadDigest: envelope.payloadDigest.hex, runID: runID, kind: .outcome,
                              keyID: key.publicKey.keyID, envelopeJSON: Data(envelope.jsonBytes()), createdAt: Date()))
    }

    /// Runs the root node, cancelling everything still running when the workflow's deadline passes.
    static func execute(_ call: TemplateCall, with executor: WorkflowExecutor, deadline: Duration?, stop: RunStop)
        async -> NodeState
    {
        guard let deadline else { return await executor.execute(call) }
        return await withTaskGroup(of: NodeState?.self) { group in
            group.addTask { await executor.execute(call) }
            group.addTask {
                try? await Task.sleep(for: deadline)
                return nil
            }
            var root: NodeState?
            while let next = await group.next() {
                if let next {
                    root = next
                    group.cancelAll()
                } else if root == nil {
                    // The deadline passed first: stop every running node; the root reports how it ended.
                    stop.request(WorkflowExecutor.deadlineMessage)
                    group.cancelAll()
                }
            }
            return root ?? NodeState(
                id: call.nodeName, name: call.nodeName, displayName: call.displayName, type: .pod,
                phase: .failed, message: WorkflowExecutor.deadlineMessage, sequence: -1)
        }
    }

    // MARK: - Submission

    /// A recorded run to continue, with its lease: refused while another live engine drives it.
    ///
    /// The lease is taken before the run and its nodes are read, so what is returned is what the last engine left.
    static func recordedRun(_ name: String, stateDirectory: String) throws(EngineError)
        -> (run: RunRecord, nodes: [NodeRecord], lease: EngineLease)
    {
        let store: Store
        let found: RunRecord
        do {
            store = try Store(stateDirectory: stateDirectory)
            found = try store.run(named: name)
        } catch {
            throw .runNotFound(error.description)
        }
        let lease = try EngineLease.take(runID: found.id, runName: found.name, store: store).lease
        do {
            let run = try store.run(named: found.id)
            if run.phase == .succeeded {
                lease.release()
                throw EngineError.runAlreadySucceeded(run: run.name)
            }
            return (run, try store.nodes(runID: run.id), lease)
        } catch let error as EngineError {
            throw error
        } catch {
            lease.release()
            throw .stateUnavailable(reason: "\(error)")
        }
    }

    /// Refuses to continue a run under other runtime settings than it was submitted with.
    ///
    /// Runs recorded before Sluice kept their isolation are continued under the settings given.
    /// - Throws: ``EngineError/resumeSettingConflict(run:setting:recorded:given:)``.
    static func checkResumeSettings(of run: RunRecord, runtime: String, isolation: String?, profile: String?)
        throws(EngineError)
    {
        if run.runtime != runtime {
            throw .resumeSettingConflict(run: run.name, setting: "--runtime", recorded: run.runtime, given: runtime)
        }
        guard let recorded = run.isolation else { return }
        if let isolation, isolation != recorded {
            throw .resumeSettingConflict(run: run.name, setting: "--isolation", recorded: recorded, given: isolation)
        }
        if let profile, profile != run.runtimeProfile {
            throw .resumeSettingConflict(
                run: run.name, setting: "--runtime-profile",
                recorded: run.runtimeProfile == nil ? "(none)" : "(another file)", given: "(this file)")
        }
    }

    /// The parameters a recorded run was submitted with.
    static func parameters(of run: RunRecord) -> [(name: String, value: String)] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(run.parametersJSON.utf8)) as? [String: Any]
        else { return [] }
        return object.keys.sorted().compactMap { key in (object[key] as? String).map { (key, $0) } }
    }


    /// Workflow arguments with `-p` overrides applied; every argument must end with a value (also what
    /// `sluice kube render` bakes into the rendered workflow).
    package static func resolveParameters(_ spec: WorkflowSpec, overrides: [(name: String, value: String)])
        throws(EngineError) -> [ParameterValue]
    {
        let declared = spec.arguments?.parameters ?? []
        for override in overrides where !declared.contains(where: { $0.name == override.name }) {
            throw .unknownParameter(name: override.name, known: declared.map(\.name))
        }
        var resolved: [ParameterValue] = []
        for parameter in declared {
            let value = overrides.last(where: { $0.name == parameter.name })?.value
                ?? parameter.value?.value ?? parameter.default?.value
            guard let value else { throw .missingParameterValue(name: parameter.name) }
            if let allowed = parameter.enum?.map(\.value), !allowed.isEmpty, !allowed.contains(value) {
                throw .parameterNotInEnum(name: parameter.name, value: value, allowed: allowed)
            }
            resolved.append(ParameterValue(name: parameter.name, value: value))
        }
        return resolved
    }

    /// `metadata.name`, or `generateName` plus a random suffix that no earlier run uses.
    func runName(for metadata: ObjectMeta, store: Store) throws(EngineError) -> String {
        do {
            if let name = metadata.name, !name.isEmpty {
                guard try store.isNameTaken(name) else { return name }
                // Argo would refuse a second Workflow of the same name; locally, keep both runs distinct.
                for _ in 0..<20 {
                    let candidate = "\(name)-\(NodeIdentity.generatedSuffix())"
                    if try !store.isNameTaken(candidate) { return candidate }
                }
            }
            let prefix = metadata.generateName ?? "workflow-"
            for _ in 0..<20 {
                let candidate = prefix + NodeIdentity.generatedSuffix()
                if try !store.isNameTaken(candidate) { return candidate }
            }
        } catch {
            throw .stateUnavailable(reason: error.description)
        }
        throw .stateUnavailable(reason: "could not find a free run name for '\(metadata.generateName ?? "")'")
    }

    /// The environment every node starts from: the host's PATH and locale, nothing else of the engine's.
    static func nodeEnvironment() -> [String: String] {
        let host = ProcessInfo.processInfo.environment
        var environment = ["HOME": "/tmp", "PATH": host["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"]
        for name in ["LANG", "LC_ALL", "TZ"] { if let value = host[name] { environment[name] = value } }
        return environment
    }
}

/// `path` made absolute against the current directory.
func absolutePath(_ path: String) -> String {
    path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
}

/// A JSON string literal.
extension WorkflowEngine {
    /// Argo's whole-object variables: `workflow.parameters` and `.json` (the declared arguments with their values),
    /// `workflow.labels.json`, `workflow.annotations.json` (and their older names without `.json`), and one
    /// `workflow.labels.NAME` / `workflow.annotations.NAME` per entry.
    static func setJSONVariables(of workflow: Workflow, parameters: [ParameterValue], in globals: inout VariableScope) {
        let values = Dictionary(parameters.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        var declared = workflow.spec.arguments?.parameters ?? []
        for parameter in parameters where !declared.contains(where: { $0.name == parameter.name }) {
            declared.append(Parameter(name: parameter.name))
        }
        let parametersJSON = ArgoJSON.parameters(declared, values: values)
        let arguments = Set(parameters.map { ValueSource.argument($0.name) })
        globals.set("workflow.parameters", parametersJSON, provenance: arguments)
        globals.set("workflow.parameters.json", parametersJSON, provenance: arguments)
        for (kind, map) in [("labels", workflow.metadata.labels ?? [:]), ("annotations", workflow.metadata.annotations ?? [:])] {
            globals.set("workflow.\(kind)", ArgoJSON.object(map))
            globals.set("workflow.\(kind).json", ArgoJSON.object(map))
            for (key, value) in map { globals.set("workflow.\(kind).\(key)", value) }
        }
    }
}

func jsonString(_ text: String) -> String {
    String(decoding: CanonicalJSON.string(text).bytes, as: UTF8.self)
}

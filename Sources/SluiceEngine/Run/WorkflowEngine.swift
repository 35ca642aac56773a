import Foundation
package import SluiceExpressions
import SluiceGovernance
package import SluiceRuntimes
package import SluiceSpec
import SluiceStore

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
        // One engine per run: held from submission (or from the start of a resume) to the end.
        var lease: EngineLease?
        defer { lease?.release() }
        let prepared = try Self.prepare(request, lease: &lease)
        let admitted = try admit(prepared, lease: &lease)
        return try await execute(admitted)
    }

    /// Signs how the run ended (``RunOutcome``) with the lineage key and records it, unless a key of the run's
    /// slope is revoked (a revoked key signs nothing; the outcome then stays unsigned and verification says so).
    static func attestOutcome(runID: String, name: String, store: Store, key: SigningKey, gate: InputGate) {
        guard gate.refuseSigning(name) == nil,
            let run = try? store.run(named: runID), let nodes = try? store.nodeEndings(runID: runID),
            let denials = try? store.denials(runID: runID), let envelopes = try? store.envelopeDigests(runID: runID)
        else { return }
        // Only what the outcome signs is read: whole node records and envelope JSON were the 10,000-node run's
        // memory peak at its end.
        let outcome = RunOutcome(run: run, nodes: nodes, denials: denials, envelopeDigests: envelopes)
        let envelope = outcome.statement.signed(with: key)
        try? store.saveAttestation(
            AttestationRecord(
                payloadDigest: envelope.payloadDigest.hex, runID: runID, kind: .outcome,
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
            return root
                ?? NodeState(
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
            store = try Store.shared(stateDirectory: stateDirectory)
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

    /// Workflow arguments with `-p` overrides applied; every argument must end with a value (also what
    /// `sluice kube render` bakes into the rendered workflow).
    package static func resolveParameters(_ spec: WorkflowSpec, overrides: [ParameterValue])
        throws(EngineError) -> [ParameterValue]
    {
        let declared = spec.arguments?.parameters ?? []
        for override in overrides where !declared.contains(where: { $0.name == override.name }) {
            throw .unknownParameter(name: override.name, known: declared.map(\.name))
        }
        var resolved: [ParameterValue] = []
        for parameter in declared {
            let value =
                overrides.last(where: { $0.name == parameter.name })?.value
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
        for (kind, map) in [
            ("labels", workflow.metadata.labels ?? [:]), ("annotations", workflow.metadata.annotations ?? [:]),
        ] {
            globals.set("workflow.\(kind)", ArgoJSON.object(map))
            globals.set("workflow.\(kind).json", ArgoJSON.object(map))
            for (key, value) in map { globals.set("workflow.\(kind).\(key)", value) }
        }
    }
}

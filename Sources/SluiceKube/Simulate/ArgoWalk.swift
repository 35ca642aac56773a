import Foundation
import SluiceEngine
import SluiceExpressions
import SluiceGovernance

/// One pod the walk wants run: the template with Argo's variables substituted, and where its inputs are.
package struct PodCall: Sendable, Equatable {
    package var nodeID: String
    package var nodeName: String
    package var displayName: String
    /// Argo's pod name (`POD_NAMES=v2`): `<workflow>-<template>-<fnv32 of the node name>`.
    package var podName: String
    package var templateName: String
    /// The template as the pod runs it: `{{inputs.…}}`, `{{workflow.…}}`, `{{node.name}}`, `{{pod.name}}` and
    /// `{{retries}}` substituted in every scalar.
    package var template: RenderedYAML
    package var inputParameters: [NamedValue]
    /// Input artifacts bound to an object of the repository, with the path the template reads them at.
    package var inputArtifacts: [(artifact: RepositoryArtifact, path: String)]
    /// Input artifacts given as `raw.data` (in the template, or the workflow's arguments for the entrypoint):
    /// the text Argo writes at the path.
    package var rawInputs: [(name: String, path: String, data: String)] = []

    package static func == (lhs: PodCall, rhs: PodCall) -> Bool {
        lhs.nodeID == rhs.nodeID && lhs.template == rhs.template && lhs.inputParameters == rhs.inputParameters
            && lhs.inputArtifacts.map(\.artifact) == rhs.inputArtifacts.map(\.artifact)
            && lhs.inputArtifacts.map(\.path) == rhs.inputArtifacts.map(\.path)
    }
}

/// How a pod ended.
package struct PodResult: Sendable, Equatable {
    package var phase: WalkPhase
    package var message: String?
    package var outputs: PodOutputs
    package var startedAt: String?
    package var finishedAt: String?

    package init(phase: WalkPhase, message: String?, outputs: PodOutputs) {
        self.phase = phase
        self.message = message
        self.outputs = outputs
    }
}

/// Walks a rendered Workflow as Argo's controller would, one pod at a time: DAG tasks in dependency order
/// (`dependencies`, `depends`, `when`), steps group by group; parameters and artifacts passed from producers to
/// consumers by Argo's variables. Deciding the order and substituting values is all it does: running a pod is the
/// `runPod` closure's job (podman in ``PodmanPods``, a table in tests).
///
/// Loops (`withItems`, `withParam`, `withSequence`) run one iteration after the other. Not simulated (refused
/// naming the node): templates other than container, script, DAG and steps; `{{= expression}}` tags stay as written.
package struct ArgoWalk {
    package let workflowName: String
    package let runID: String
    private let templates: [String: RenderedYAML]
    private let entrypoint: String
    private let workflowParameters: [NamedValue]
    /// `spec.arguments.artifacts` given as `raw.data`, by name (the entrypoint's inputs).
    private let workflowRawArtifacts: [String: String]
    /// Every node, in the order the walk created them.
    package internal(set) var nodes: [WalkedNode] = []

    /// A walk of `workflow` (the rendered Workflow document) with `parameters` (its `spec.arguments`, resolved).
    ///
    /// - Throws: ``KubeError/simulation(reason:)`` when the document has no name, entrypoint or templates.
    package init(workflow: RenderedYAML, runID: String) throws(KubeError) {
        guard let name = workflow["metadata"]?["name"]?.scalarText else {
            throw .simulation(reason: "the Workflow has no metadata.name (render it with sluice kube render)")
        }
        guard let spec = workflow["spec"], let entrypoint = spec["entrypoint"]?.scalarText else {
            throw .simulation(reason: "the Workflow has no spec.entrypoint")
        }
        var templates: [String: RenderedYAML] = [:]
        for template in spec["templates"]?.elements ?? [] {
            if let templateName = template["name"]?.scalarText { templates[templateName] = template }
        }
        workflowName = name
        self.runID = runID
        self.templates = templates
        self.entrypoint = entrypoint
        var raw: [String: String] = [:]
        for artifact in spec["arguments"]?["artifacts"]?.elements ?? [] {
            if let name = artifact["name"]?.scalarText, let data = artifact["raw"]?["data"]?.scalarText {
                raw[name] = data
            }
        }
        workflowRawArtifacts = raw
        workflowParameters = (spec["arguments"]?["parameters"]?.elements ?? []).compactMap { parameter in
            guard let name = parameter["name"]?.scalarText else { return nil }
            return NamedValue(name: name, value: parameter["value"]?.scalarText ?? "")
        }
    }

    /// Runs the workflow to its end; returns the workflow's phase.
    ///
    /// - Throws: ``KubeError/simulation(reason:)`` for what the walk does not simulate, or what `runPod` throws.
    package mutating func run(_ runPod: (PodCall) async throws(KubeError) -> PodResult) async throws(KubeError)
        -> WalkPhase
    {
        // Argo hands the workflow's arguments to the entrypoint's inputs of the same names.
        let outcome = try await call(
            template: entrypoint, parameters: workflowParameters, artifacts: [], nodeName: workflowName,
            displayName: workflowName, runPod: runPod)
        return outcome.phase
    }

    // MARK: - Calls

    /// The outcome of a call: its phase and outputs.
    struct Outcome {
        var id: String
        var phase: WalkPhase
        var outputs: PodOutputs
        /// A loop's iterations (their node ids).
        var children: [String] = []
    }

    private mutating func call(
        template name: String, inline: RenderedYAML? = nil, parameters arguments: [NamedValue],
        artifacts: [RepositoryArtifact], nodeName: String, displayName: String,
        runPod: (PodCall) async throws(KubeError) -> PodResult
    ) async throws(KubeError) -> Outcome {
        guard let template = inline ?? templates[name] else {
            throw .simulation(reason: "node '\(nodeName)' calls template '\(name)', which the Workflow does not have")
        }
        let id = NodeIdentity.id(workflowName: workflowName, nodeName: nodeName)
        let inputs = try Self.inputs(
            of: template, parameters: arguments, artifacts: artifacts,
            raw: nodeName == workflowName ? workflowRawArtifacts : [:], node: nodeName)
        var variables = globalVariables
        for parameter in inputs.parameters { variables["inputs.parameters.\(parameter.name)"] = parameter.value }
        for (artifact, path) in inputs.artifacts {
            variables["inputs.artifacts.\(artifact.name).path"] = path
        }
        for raw in inputs.raw { variables["inputs.artifacts.\(raw.name).path"] = raw.path }
        for parameter in template["outputs"]?["parameters"]?.elements ?? [] {
            if let name = parameter["name"]?.scalarText, let path = parameter["valueFrom"]?["path"]?.scalarText {
                variables["outputs.parameters.\(name).path"] = path
            }
        }
        for artifact in template["outputs"]?["artifacts"]?.elements ?? [] {
            if let name = artifact["name"]?.scalarText, let path = artifact["path"]?.scalarText {
                variables["outputs.artifacts.\(name).path"] = path
            }
        }
        if template["dag"] != nil || template["steps"] != nil {
            let kind: WalkedNode.Kind = template["dag"] != nil ? .dag : .steps
            var node = WalkedNode(
                id: id, name: nodeName, displayName: displayName, kind: kind, templateName: name, phase: .succeeded)
            node.inputParameters = inputs.parameters
            node.inputArtifacts = inputs.artifacts.map(\.artifact)
            let index = nodes.count
            nodes.append(node)
            var scope = Scope(variables: variables, artifacts: [:])
            for (artifact, _) in inputs.artifacts { scope.artifacts["inputs.artifacts.\(artifact.name)"] = artifact }
            let (phase, children) =
                kind == .dag
                ? try await runDAG(template, scope: &scope, nodeName: nodeName, runPod: runPod)
                : try await runSteps(template, scope: &scope, nodeName: nodeName, runPod: runPod)
            let outputs =
                phase == .succeeded ? try Self.outputs(of: template, scope: scope, node: nodeName) : PodOutputs()
            nodes[index].phase = phase
            nodes[index].children = children
            nodes[index].outputs = outputs
            return Outcome(id: id, phase: phase, outputs: outputs)
        }
        guard template["container"] != nil || template["script"] != nil else {
            let kind = ["resource", "suspend", "http", "plugin", "data", "containerSet"].first { template[$0] != nil }
            throw .simulation(
                reason: "node '\(nodeName)' runs a \(kind ?? "unknown") template ('\(name)'): only container, script, "
                    + "DAG and steps templates are simulated")
        }
        let pod = PodNode(
            template: template, name: name, variables: variables, parameters: inputs.parameters,
            artifacts: inputs.artifacts, raw: inputs.raw)
        if let strategy = template["retryStrategy"] {
            return try await retry(
                pod, strategy: strategy, id: id, nodeName: nodeName, displayName: displayName, runPod: runPod)
        }
        return try await run(pod, id: id, nodeName: nodeName, displayName: displayName, retries: 0, runPod: runPod)
    }

    /// Argo's v2 pod name: the workflow name, the template name and the node id's hash, shortened as Argo does
    /// when the first two would push it past 63 characters.
    static func podName(workflow: String, template: String, nodeID: String) -> String {
        let hash = String(nodeID.split(separator: "-").last ?? "")
        var prefix = "\(workflow)-\(template)"
        let limit = 63 - hash.count - 1
        if prefix.count > limit { prefix = String(prefix.prefix(limit)) }
        return "\(prefix)-\(hash)"
    }

    private var globalVariables: [String: String] {
        var variables = [
            "workflow.name": workflowName, "workflow.uid": runID, "workflow.namespace": "argo",
        ]
        for parameter in workflowParameters { variables["workflow.parameters.\(parameter.name)"] = parameter.value }
        return variables
    }

    // MARK: - DAG and steps

    /// Values visible inside a DAG or steps template: variables, and artifacts by their reference.
    private struct Scope {
        var variables: [String: String]
        var artifacts: [String: RepositoryArtifact]

        mutating func record(_ prefix: String, _ outcome: Outcome) {
            for parameter in outcome.outputs.parameters {
                variables["\(prefix).outputs.parameters.\(parameter.name)"] = parameter.value
            }
            if let result = outcome.outputs.result { variables["\(prefix).outputs.result"] = result }
            if let code = outcome.outputs.exitCode { variables["\(prefix).exitCode"] = String(code) }
            variables["\(prefix).status"] = outcome.phase.rawValue
            variables["\(prefix).id"] = outcome.id
            for artifact in outcome.outputs.artifacts {
                artifacts["\(prefix).outputs.artifacts.\(artifact.name)"] = artifact
            }
        }
    }

    private mutating func runDAG(
        _ template: RenderedYAML, scope: inout Scope, nodeName: String,
        runPod: (PodCall) async throws(KubeError) -> PodResult
    ) async throws(KubeError) -> (WalkPhase, [String]) {
        let tasks = template["dag"]?["tasks"]?.elements ?? []
        var phases: [String: WalkPhase] = [:]
        var children: [String] = []
        while phases.count < tasks.count {
            guard
                let task = tasks.first(where: { task in
                    guard let name = task["name"]?.scalarText, phases[name] == nil else { return false }
                    return (try? Self.depends(of: task))?.taskNames.allSatisfy { phases[$0] != nil } ?? true
                }), let taskName = task["name"]?.scalarText
            else {
                throw .simulation(reason: "the DAG of '\(nodeName)' has a dependency no task satisfies (a cycle?)")
            }
            let depends = try Self.depends(of: task)
            let ready = depends.evaluate(
                { name in
                    let dependency = phases[name] ?? .omitted
                    return TaskResults(
                        succeeded: dependency == .succeeded, failed: dependency == .failed,
                        errored: dependency == .error, skipped: dependency == .skipped,
                        omitted: dependency == .omitted)
                },
                continueOn: { name in
                    let dependency = tasks.first { $0["name"]?.scalarText == name }
                    return DependsContinueOn(
                        error: dependency?["continueOn"]?["error"]?.scalarText == "true",
                        failed: dependency?["continueOn"]?["failed"]?.scalarText == "true")
                })
            let outcome: Outcome
            let childName = "\(nodeName).\(taskName)"
            if !ready {
                outcome = skip(
                    task, nodeName: childName, phase: .omitted, message: "omitted: depends condition not met")
            } else if let items = try Self.items(of: task, scope: scope, node: childName) {
                outcome = try await loop(
                    task, items: items, scope: scope, nodeName: childName, groupNode: true, runPod: runPod)
            } else {
                outcome = try await run(task, scope: scope, nodeName: childName, displayName: taskName, runPod: runPod)
            }
            phases[taskName] = outcome.phase
            children.append(outcome.id)
            scope.record("tasks.\(taskName)", outcome)
        }
        return (try Self.assess(tasks, phases: phases, targets: template["dag"]?["target"]?.scalarText), children)
    }

    private mutating func runSteps(
        _ template: RenderedYAML, scope: inout Scope, nodeName: String,
        runPod: (PodCall) async throws(KubeError) -> PodResult
    ) async throws(KubeError) -> (WalkPhase, [String]) {
        var children: [String] = []
        for (index, group) in (template["steps"]?.elements ?? []).enumerated() {
            let groupName = "\(nodeName)[\(index)]"
            let groupID = NodeIdentity.id(workflowName: workflowName, nodeName: groupName)
            let groupIndex = nodes.count
            nodes.append(
                WalkedNode(
                    id: groupID, name: groupName, displayName: "[\(index)]", kind: .stepGroup, templateName: nil,
                    phase: .succeeded))
            children.append(groupID)
            var outcomes: [(String, Outcome)] = []
            for step in group.elements {
                let stepName = step["name"]?.scalarText ?? ""
                let childName = "\(groupName).\(stepName)"
                if let items = try Self.items(of: step, scope: scope, node: childName) {
                    // Argo puts a step's iterations directly under its step group.
                    let outcome = try await loop(
                        step, items: items, scope: scope, nodeName: childName, groupNode: false, runPod: runPod)
                    outcomes.append((stepName, outcome))
                    nodes[groupIndex].children += outcome.children
                    continue
                }
                let outcome = try await run(
                    step, scope: scope, nodeName: childName, displayName: stepName, runPod: runPod)
                outcomes.append((stepName, outcome))
                nodes[groupIndex].children.append(outcome.id)
            }
            for (stepName, outcome) in outcomes { scope.record("steps.\(stepName)", outcome) }
            let continueOn = Dictionary(
                group.elements.compactMap { step in step["name"]?.scalarText.map { ($0, step["continueOn"]) } },
                uniquingKeysWith: { first, _ in first })
            if outcomes.contains(where: { Self.fails($0.1.phase, continueOn: continueOn[$0.0] ?? nil) }) {
                nodes[groupIndex].phase = .failed
                return (.failed, children)
            }
        }
        return (.succeeded, children)
    }

    /// One task or step (one iteration of a loop): its `when`, then its template with its arguments.
    private mutating func run(
        _ call: RenderedYAML, scope: Scope, nodeName: String, displayName: String,
        runPod: (PodCall) async throws(KubeError) -> PodResult
    ) async throws(KubeError) -> Outcome {
        if try !Self.when(call, scope: scope, node: nodeName) {
            return skip(
                call, nodeName: nodeName, phase: .skipped,
                message: "when '\(call["when"]?.scalarText ?? "")' evaluated false")
        }
        let (parameters, artifacts) = try Self.arguments(of: call, scope: scope, node: nodeName)
        // An inline template is named after its task, as Argo names it.
        return try await self.call(
            template: call["template"]?.scalarText ?? call["name"]?.scalarText ?? "", inline: call["inline"],
            parameters: parameters, artifacts: artifacts, nodeName: nodeName, displayName: displayName,
            runPod: runPod)
    }

    /// A loop: one iteration per item, named `NAME(i:label)` as Argo names them, each with `item` (and `item.KEY`)
    /// in scope; in a DAG under a TaskGroup node. Its outputs are Argo's aggregates: each output parameter and
    /// `result` as a JSON list over the iterations.
    private mutating func loop(
        _ call: RenderedYAML, items: [ExpressionValue], scope: Scope, nodeName: String, groupNode: Bool,
        runPod: (PodCall) async throws(KubeError) -> PodResult
    ) async throws(KubeError) -> Outcome {
        let id = NodeIdentity.id(workflowName: workflowName, nodeName: nodeName)
        let name = call["name"]?.scalarText ?? ""
        var groupIndex: Int?
        if groupNode {
            groupIndex = nodes.count
            nodes.append(
                WalkedNode(
                    id: id, name: nodeName, displayName: name, kind: .taskGroup,
                    templateName: call["template"]?.scalarText, phase: .succeeded))
        }
        var outcomes: [Outcome] = []
        for (index, item) in items.enumerated() {
            var iteration = scope
            Self.bind(item, prefix: "item", into: &iteration.variables)
            let label = LoopItems.label(item)
            outcomes.append(
                try await run(
                    call, scope: iteration, nodeName: "\(nodeName)(\(index):\(label))",
                    displayName: "\(name)(\(index):\(label))", runPod: runPod))
        }
        let failed = outcomes.contains { $0.phase == .failed || $0.phase == .error }
        var outputs = PodOutputs()
        let names = outcomes.flatMap { $0.outputs.parameters.map(\.name) }.reduce(into: [String]()) { names, name in
            if !names.contains(name) { names.append(name) }
        }
        for parameter in names {
            let values = outcomes.compactMap { $0.outputs.parameter(parameter) }.map { CanonicalJSON.string($0) }
            outputs.parameters.append(
                NamedValue(name: parameter, value: String(decoding: CanonicalJSON.array(values).bytes, as: UTF8.self)))
        }
        let results = outcomes.compactMap(\.outputs.result).map { CanonicalJSON.string($0) }
        if !results.isEmpty { outputs.result = String(decoding: CanonicalJSON.array(results).bytes, as: UTF8.self) }
        if let groupIndex {
            nodes[groupIndex].phase = failed ? .failed : .succeeded
            nodes[groupIndex].children = outcomes.map(\.id)
            nodes[groupIndex].outputs = outputs
        }
        return Outcome(
            id: id, phase: failed ? .failed : .succeeded, outputs: outputs, children: outcomes.map(\.id))
    }

    /// Whether a child in `phase` fails its parent, given its `continueOn` (`failed`, `error`).
    static func fails(_ phase: WalkPhase, continueOn: RenderedYAML?) -> Bool {
        switch phase {
        case .failed: continueOn?["failed"]?.scalarText != "true"
        case .error: continueOn?["error"]?.scalarText != "true"
        default: false
        }
    }

    /// `item` and, for a map, `item.KEY` (nested too), as Argo's variables.
    private static func bind(_ value: ExpressionValue, prefix: String, into variables: inout [String: String]) {
        variables[prefix] = value.asString
        if case .map(let members) = value {
            for (key, member) in members { bind(member, prefix: "\(prefix).\(key)", into: &variables) }
        }
    }

    /// The items of a loop (`withItems`, `withParam`, `withSequence`), or nil when the call has none.
    private static func items(of call: RenderedYAML, scope: Scope, node: String) throws(KubeError) -> [ExpressionValue]?
    {
        if let list = call["withItems"] {
            let substituted = try substitute(list, scope.variables, node: node)
            let json = WorkflowStatus.json(of: substituted)
            return try parse(String(decoding: json.bytes, as: UTF8.self), node: node, field: "withItems")
        }
        if let text = call["withParam"]?.scalarText {
            return try parse(try substitute(text, scope.variables, node: node), node: node, field: "withParam")
        }
        if let sequence = call["withSequence"] {
            func number(_ field: String) throws(KubeError) -> Int? {
                guard let text = sequence[field]?.scalarText else { return nil }
                let value = try substitute(text, scope.variables, node: node)
                guard let number = Int(value.trimmingCharacters(in: .whitespaces)) else {
                    throw .simulation(reason: "node '\(node)': withSequence.\(field) '\(value)' is not an integer")
                }
                return number
            }
            let start = try number("start") ?? 0
            let values: [Int]
            if let count = try number("count") {
                values = count > 0 ? Array(start..<(start + count)) : []
            } else if let end = try number("end") {
                values = end >= start ? Array(start...end) : Array(stride(from: start, through: end, by: -1))
            } else {
                throw .simulation(reason: "node '\(node)': withSequence gives neither count nor end")
            }
            let format = sequence["format"]?.scalarText
            return values.map { value in
                .string(format.map { String(format: $0, value) } ?? String(value))
            }
        }
        return nil
    }

    private static func parse(_ text: String, node: String, field: String) throws(KubeError) -> [ExpressionValue] {
        guard let value = try? ExpressionValue(jsonString: text), case .list(let items) = value else {
            throw .simulation(reason: "node '\(node)': \(field) is not a JSON list: '\(text.excerpt())'")
        }
        return items
    }

    private mutating func skip(_ call: RenderedYAML, nodeName: String, phase: WalkPhase, message: String) -> Outcome {
        let id = NodeIdentity.id(workflowName: workflowName, nodeName: nodeName)
        var node = WalkedNode(
            id: id, name: nodeName, displayName: call["name"]?.scalarText ?? nodeName, kind: .skipped,
            templateName: call["template"]?.scalarText, phase: phase)
        node.message = message
        nodes.append(node)
        return Outcome(id: id, phase: phase, outputs: PodOutputs())
    }

    // MARK: - Pure pieces

    static func depends(of task: RenderedYAML) throws(KubeError) -> DependsExpression {
        if let text = task["depends"]?.scalarText {
            do {
                return try DependsExpression(parsing: text)
            } catch {
                throw .simulation(reason: "task '\(task["name"]?.scalarText ?? "?")': depends '\(text)': \(error)")
            }
        }
        return DependsExpression(dependencies: task["dependencies"]?.elements.compactMap(\.scalarText) ?? [])
    }

    private static func when(_ call: RenderedYAML, scope: Scope, node: String) throws(KubeError) -> Bool {
        guard let text = call["when"]?.scalarText else { return true }
        let condition = try substitute(text, scope.variables, node: node)
        do {
            return try GovaluateExpression.evaluateBool(condition)
        } catch {
            throw .simulation(reason: "node '\(node)': when '\(condition)': \(error)")
        }
    }

    /// A call's arguments: parameters substituted, artifacts resolved to repository objects by their `from`.
    private static func arguments(of call: RenderedYAML, scope: Scope, node: String) throws(KubeError)
        -> ([NamedValue], [RepositoryArtifact])
    {
        var parameters: [NamedValue] = []
        for parameter in call["arguments"]?["parameters"]?.elements ?? [] {
            guard let name = parameter["name"]?.scalarText else { continue }
            parameters.append(
                NamedValue(
                    name: name, value: try substitute(parameter["value"]?.scalarText ?? "", scope.variables, node: node)
                ))
        }
        var artifacts: [RepositoryArtifact] = []
        for argument in call["arguments"]?["artifacts"]?.elements ?? [] {
            guard let name = argument["name"]?.scalarText, let from = argument["from"]?.scalarText else { continue }
            if argument["subPath"] != nil {
                // Mounting the whole artifact instead would run the node on other bytes than Argo gives it.
                throw .simulation(reason: "node '\(node)': artifact '\(name)' takes a subPath, which is not simulated")
            }
            let reference = from.trimmingCharacters(in: .whitespaces)
            guard reference.hasPrefix("{{"), reference.hasSuffix("}}") else {
                throw .simulation(reason: "node '\(node)': artifact '\(name)' from '\(from)' is not one {{reference}}")
            }
            let key = String(reference.dropFirst(2).dropLast(2)).trimmingCharacters(in: .whitespaces)
            // An unbound reference (a producer that did not run, or left no such optional output) binds nothing.
            guard var artifact = scope.artifacts[key] else { continue }
            artifact.name = name
            artifacts.append(artifact)
        }
        return (parameters, artifacts)
    }

    /// A template's inputs: parameters from the arguments, else their `value` or `default`; artifacts from the
    /// arguments with the template's paths (an unbound optional artifact is left out).
    private static func inputs(
        of template: RenderedYAML, parameters: [NamedValue], artifacts: [RepositoryArtifact],
        raw workflowRaw: [String: String] = [:], node: String
    ) throws(KubeError) -> (
        parameters: [NamedValue], artifacts: [(artifact: RepositoryArtifact, path: String)],
        raw: [(name: String, path: String, data: String)]
    ) {
        var resolved: [NamedValue] = []
        for parameter in template["inputs"]?["parameters"]?.elements ?? [] {
            guard let name = parameter["name"]?.scalarText else { continue }
            guard
                let value = parameters.first(where: { $0.name == name })?.value ?? parameter["value"]?.scalarText
                    ?? parameter["default"]?.scalarText
            else { throw .simulation(reason: "node '\(node)': input parameter '\(name)' has no value") }
            resolved.append(NamedValue(name: name, value: value))
        }
        var bound: [(artifact: RepositoryArtifact, path: String)] = []
        var raw: [(name: String, path: String, data: String)] = []
        for artifact in template["inputs"]?["artifacts"]?.elements ?? [] {
            guard let name = artifact["name"]?.scalarText else { continue }
            guard let argument = artifacts.first(where: { $0.name == name }) else {
                if let data = workflowRaw[name] ?? artifact["raw"]?["data"]?.scalarText {
                    raw.append((name, artifact["path"]?.scalarText ?? "", data))
                    continue
                }
                if artifact["optional"]?.scalarText == "true" || template["dag"] != nil || template["steps"] != nil {
                    continue
                }
                throw .simulation(reason: "node '\(node)': input artifact '\(name)' is not bound")
            }
            bound.append((argument, artifact["path"]?.scalarText ?? ""))
        }
        return (resolved, bound, raw)
    }

    /// A DAG's or steps template's own outputs: parameters from `valueFrom.parameter`, artifacts from `from`.
    private static func outputs(of template: RenderedYAML, scope: Scope, node: String) throws(KubeError) -> PodOutputs {
        var outputs = PodOutputs()
        for parameter in template["outputs"]?["parameters"]?.elements ?? [] {
            guard let name = parameter["name"]?.scalarText, let from = parameter["valueFrom"]?["parameter"]?.scalarText
            else { continue }
            outputs.parameters.append(NamedValue(name: name, value: try substitute(from, scope.variables, node: node)))
        }
        for artifact in template["outputs"]?["artifacts"]?.elements ?? [] {
            guard let name = artifact["name"]?.scalarText, let from = artifact["from"]?.scalarText else { continue }
            let key = String(from.trimmingCharacters(in: .whitespaces).dropFirst(2).dropLast(2))
                .trimmingCharacters(in: .whitespaces)
            if var bound = scope.artifacts[key] {
                bound.name = name
                outputs.artifacts.append(bound)
            }
        }
        return outputs
    }

    /// `text` with its `{{variables}}` replaced; unknown ones stay as written (Argo leaves tags it does not know).
    static func substitute(_ text: String, _ variables: [String: String], node: String) throws(KubeError) -> String {
        guard text.contains("{{") else { return text }
        do {
            return try TemplateString(parsing: text).render(
                strict: false, variable: { variables[$0] },
                expression: { (source: String) throws(ExpressionError) -> String in "{{=\(source)}}" })
        } catch {
            throw .simulation(reason: "node '\(node)': '\(text.excerpt())': \(error)")
        }
    }

    /// Every scalar of `value` substituted (keys stay).
    static func substitute(_ value: RenderedYAML, _ variables: [String: String], node: String) throws(KubeError)
        -> RenderedYAML
    {
        switch value {
        case .scalar(let text, let isPlain):
            let substituted = try substitute(text, variables, node: node)
            return .scalar(substituted, isPlain: isPlain && substituted == text)
        case .sequence(let elements):
            var result: [RenderedYAML] = []
            for element in elements { result.append(try substitute(element, variables, node: node)) }
            return .sequence(result)
        case .mapping(let entries):
            var result: [RenderedYAML.Entry] = []
            for entry in entries { result.append(.init(entry.key, try substitute(entry.value, variables, node: node))) }
            return .mapping(result)
        }
    }
}

import Foundation
import SluiceExpressions
import SluiceSpec
import SluiceStore
import Synchronization

extension WorkflowExecutor {
    /// The file whose appearance releases a run's suspended nodes (`sluice resume RUN` creates it).
    static let resumeFileName = "resume"
    /// How often a suspended node looks for the resume file.
    static let resumePollInterval: Duration = .milliseconds(150)

    /// Runs a `suspend` template: the node stays Running until its `duration` has passed or the run is resumed
    /// (`<state>/runs/<run>/resume` appears), then Succeeds with its output parameters.
    ///
    /// The resume file is consumed: it releases every node suspended at that moment, and a node that suspends later
    /// waits for the next resume (as `argo resume` does). A resume given while no node is suspended releases the next
    /// one. When the file holds a JSON object, its string values supply output parameters
    /// (`valueFrom.supplied`); an output nobody supplied takes its `valueFrom.default`. Cancellation (the run's
    /// deadline or a stop) fails the node with the stop's reason.
    func runSuspend(_ template: Template, node: NodeState, scope: VariableScope) async throws(EngineError) -> NodeState
    {
        var node = node
        let deadline: ContinuousClock.Instant?
        do {
            deadline = try suspendDeadline(template, scope: scope)
        } catch {
            return try await end(node, .error, message: error.description)
        }
        let runName = await coordinator.run.name
        node.message = deadline == nil ? "Suspended until 'sluice resume \(runName)'" : "Suspended"
        try await coordinator.update(node)

        let supplied: [String: String]
        switch await waitForResume(until: deadline) {
        case .stopped:
            return try await end(node, .failed, message: stopMessage)
        case .failure(let error):
            return try await end(node, .error, message: error.description)
        case .released(let values):
            supplied = values
        }
        do {
            let (outputs, provenance) = try suspendOutputs(template, node: node, supplied: supplied, scope: scope)
            node.outputs = outputs.parameters.isEmpty ? nil : outputs
            node.outputProvenance = provenance
        } catch {
            return try await end(node, .error, message: error.description)
        }
        return try await end(node, .succeeded, message: nil)
    }

    /// When a suspended node stops waiting on its own: its rendered `suspend.duration` from now, or nil to wait for
    /// a resume.
    private func suspendDeadline(_ template: Template, scope: VariableScope) throws(EngineError)
        -> ContinuousClock.Instant?
    {
        let context = "suspend.duration of template '\(template.name)'"
        var renderer = Renderer(scope: scope)
        guard let text = try renderer.renderOptional(template.suspend?.duration?.value, context: context) else {
            return nil
        }
        return .now + (try Durations.parse(text, field: "suspend duration", context: context))
    }

    /// How waiting for a resume ended.
    private enum SuspendEnd {
        /// The run was stopped (its deadline, or `sluice stop`).
        case stopped
        /// The resume file could not be read as values.
        case failure(EngineError)
        /// A resume (or the deadline: no values) released the node.
        case released([String: String])
    }

    /// Waits for this run's next resume or for `deadline`, whichever comes first.
    private func waitForResume(until deadline: ContinuousClock.Instant?) async -> SuspendEnd {
        let signal = ResumeSignal.signal(for: runDirectory + "/" + Self.resumeFileName)
        let generation = signal.generation
        while !Task.isCancelled {
            switch signal.release(after: generation) {
            case .success(let values?):
                return .released(values)
            case .success(nil):
                if let deadline, ContinuousClock.now >= deadline { return .released([:]) }
                let remaining = deadline.map { ContinuousClock.now.duration(to: $0) } ?? Self.resumePollInterval
                try? await Task.sleep(for: min(Self.resumePollInterval, max(remaining, .milliseconds(1))))
            case .failure(let error):
                return .failure(error)
            }
        }
        return .stopped
    }

    /// A released node's output parameters with their provenance: supplied values have no signed producer (they
    /// are resume values); defaults carry what they read; an output with neither is an error.
    private func suspendOutputs(
        _ template: Template, node: NodeState, supplied: [String: String], scope: VariableScope
    ) throws(EngineError) -> (NodeOutputs, [String: Set<ValueSource>]) {
        var outputs = NodeOutputs()
        var provenance: [String: Set<ValueSource>] = [:]
        for parameter in template.outputs?.parameters ?? [] {
            let subject = "outputs/parameters/\(parameter.name)"
            if let value = supplied[parameter.name] {
                outputs.parameters.append(ParameterValue(name: parameter.name, value: value))
                provenance[subject] = [.resume(node: node.displayName, parameter: parameter.name)]
            } else if let value = parameter.valueFrom?.default?.value ?? parameter.value?.value {
                var renderer = Renderer(scope: scope)
                let rendered = try renderer.render(
                    value, context: "output parameter '\(parameter.name)' of template '\(template.name)'")
                outputs.parameters.append(ParameterValue(name: parameter.name, value: rendered))
                provenance[subject] = renderer.lastSources
            } else {
                throw .unresolvedVariable(
                    reference: "outputs.parameters.\(parameter.name)",
                    context: "suspend node '\(node.displayName)': no value was supplied on resume and it has no "
                        + "valueFrom.default")
            }
        }
        return (outputs, provenance)
    }
}

/// The resume file of one run, watched by every node of that run suspended in this process.
///
/// Whoever polls first after the file appears consumes it (reads and removes it) and bumps the generation; every
/// node that began waiting before that generation is released with the values the file supplied.
final class ResumeSignal: Sendable {
    private struct State {
        var generation = 0
        var supplied: [Int: [String: String]] = [:]
    }

    /// One signal per resume file path in this process.
    private static let registry = Mutex<[String: ResumeSignal]>([:])

    let path: String
    private let state = Mutex(State())

    private init(path: String) {
        self.path = path
    }

    /// The shared signal for a resume file.
    static func signal(for path: String) -> ResumeSignal {
        registry.withLock { signals in
            if let existing = signals[path] { return existing }
            let created = ResumeSignal(path: path)
            signals[path] = created
            return created
        }
    }

    /// How many resumes were consumed so far; a node remembers it when it starts waiting.
    var generation: Int { state.withLock { $0.generation } }

    /// Consumes the resume file if present; returns the values of the first resume after `generation`, nil while
    /// there was none, or an error when the file is neither empty nor a JSON object of strings.
    func release(after generation: Int) -> Result<[String: String]?, EngineError> {
        state.withLock { state -> Result<[String: String]?, EngineError> in
            if let data = FileManager.default.contents(atPath: path) {
                try? FileManager.default.removeItem(atPath: path)
                state.generation += 1
                switch Self.values(in: data) {
                case .success(let values): state.supplied[state.generation] = values
                case .failure(let error): return .failure(error)
                }
            }
            guard state.generation > generation else { return .success(nil) }
            return .success(state.supplied[generation + 1] ?? [:])
        }
    }

    /// The output values a resume file supplies: none when it is empty, else a JSON object of strings.
    private static func values(in data: Data) -> Result<[String: String], EngineError> {
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { return .success([:]) }
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            return .failure(
                .badExpression(
                    expression: String(text.prefix(80)),
                    reason: "a resume file must be empty or a JSON object of output "
                        + "parameter values such as {\"message\": \"hello\"}", context: "the run's resume file"))
        }
        var values: [String: String] = [:]
        for (name, value) in object {
            switch value {
            case let text as String: values[name] = text
            case let number as NSNumber: values[name] = number.stringValue
            default:
                guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]) else {
                    continue
                }
                values[name] = String(decoding: data, as: UTF8.self)
            }
        }
        return .success(values)
    }
}

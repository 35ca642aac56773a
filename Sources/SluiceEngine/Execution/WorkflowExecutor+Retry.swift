import Foundation
import SluiceExpressions
import SluiceSpec

extension WorkflowExecutor {
    /// Runs a template with `retryStrategy` as Argo does: a Retry node whose children are the attempts
    /// (`name(0)`, `name(1)`, …), retried while the policy, the limit, the `expression` and `backoff.maxDuration`
    /// allow, waiting `backoff.duration × factor^n` (at most `backoff.cap`) between attempts.
    func executeWithRetries(_ call: TemplateCall) async throws(EngineError) -> NodeState {
        guard let strategy = retryStrategy(of: call.template) else { preconditionFailure("no retryStrategy") }
        var retryNode = try await coordinator.createNode(
            name: call.nodeName, displayName: call.displayName, type: .retry, templateName: call.template.name,
            phase: .running, boundaryID: call.boundaryID, parentID: call.parentID)
        var renderer = Renderer(scope: globals.merging(call.callerScope))
        let settings = try RetrySettings(strategy, renderer: &renderer, template: call.template.name)
        let (limit, policy, baseDelay, factor, maxDuration, cap) = (
            settings.limit, settings.policy, settings.baseDelay, settings.factor, settings.maxDuration, settings.cap
        )
        let started = Date()

        // After `sluice resume`, the attempts the dead engine made stay children and count against the limit.
        let prior = try await coordinator.restorePriorAttempts(ofRetry: retryNode.id)
        var attempt = prior.last?.phase == .succeeded ? prior.count - 1 : prior.count
        if let limit, let previous = prior.last, previous.phase != .succeeded, attempt > limit {
            retryNode.phase = previous.phase.isFailedOrError ? previous.phase : .failed
            retryNode.message = "No more retries left"
            retryNode.inputs = previous.inputs
            try await coordinator.update(retryNode)
            return retryNode
        }
        var last: NodeState
        var exhausted = false
        while true {
            var attemptCall = call
            attemptCall.nodeName = "\(call.nodeName)(\(attempt))"
            attemptCall.displayName = "\(call.displayName)(\(attempt))"
            attemptCall.parentID = retryNode.id
            attemptCall.retryAttempt = attempt
            last = await execute(attemptCall)
            guard last.phase.isFailedOrError, !Task.isCancelled else { break }
            let policyAllows =
                switch policy {
                case "Always": true
                case "OnError", "OnTransientError": last.phase == .error
                default: last.phase == .failed
                }
            guard policyAllows else { break }
            if let limit, attempt >= limit {
                exhausted = true
                break
            }
            if let expression = strategy.expression {
                let holds: Bool
                do {
                    holds = try retryExpressionHolds(expression, after: last, callerScope: call.callerScope)
                } catch {
                    retryNode.phase = .error
                    retryNode.message = error.description
                    try await coordinator.update(retryNode)
                    return retryNode
                }
                guard holds else { break }
            }
            if let baseDelay {
                let delay = Self.backoffDelay(attempt: attempt, base: baseDelay, factor: factor, cap: cap)
                if let maxDuration, Date().timeIntervalSince(started) + delay.seconds > maxDuration.seconds {
                    exhausted = true
                    break
                }
                try? await Task.sleep(for: delay)
            } else if let maxDuration, Date().timeIntervalSince(started) > maxDuration.seconds {
                exhausted = true
                break
            }
            attempt += 1
        }
        retryNode.phase = last.phase
        retryNode.outputs = last.outputs
        retryNode.envelopeDigest = last.envelopeDigest
        retryNode.lineageNodeID = last.lineageNodeID ?? last.id
        retryNode.outputProvenance = last.outputProvenance
        retryNode.inputs = last.inputs
        if last.phase.isFailedOrError {
            retryNode.message = exhausted ? "No more retries left" : last.message
        }
        try await coordinator.update(retryNode)
        return retryNode
    }
}

extension WorkflowExecutor {
    /// Whether `retryStrategy.expression` lets another attempt start after `last`: `{{...}}` substituted first (the
    /// attempt's inputs, `lastRetry.exitCode/status/message/duration`), then evaluated as Argo does.
    func retryExpressionHolds(
        _ expression: String, after last: NodeState, callerScope: VariableScope
    ) throws(EngineError) -> Bool {
        var scope = globals.merging(callerScope)
        for parameter in last.inputs?.parameters ?? [] {
            scope.set("inputs.parameters.\(parameter.name)", parameter.value)
        }
        scope.set("lastRetry.exitCode", last.outputs?.exitCode ?? "-1")
        scope.set("lastRetry.status", last.phase.rawValue)
        scope.set("lastRetry.message", last.message ?? "")
        let duration = zip2(last.startedAt, last.finishedAt).map { $1.timeIntervalSince($0) } ?? 0
        scope.set("lastRetry.duration", String(Int(duration)))
        var renderer = Renderer(scope: scope)
        let substituted = try renderer.render(expression, context: "retryStrategy.expression")
        return try renderer.render("{{=\(substituted)}}", context: "retryStrategy.expression") == "true"
    }
}

/// A `retryStrategy` rendered and checked: the limit (at most `InputLimits.retryLimit`), the policy and the
/// backoff durations (each within the duration limit).
struct RetrySettings {
    var limit: Int?
    var policy: String
    var baseDelay: Duration?
    var factor: Double
    var maxDuration: Duration?
    var cap: Duration?

    init(_ strategy: RetryStrategy, renderer: inout Renderer, template: String) throws(EngineError) {
        let context = "retryStrategy of template '\(template)'"
        if let text = try renderer.renderOptional(strategy.limit?.value, context: context) {
            guard let value = Int(text), value >= 0 else {
                throw .badExpression(expression: text, reason: "limit must be a whole number", context: context)
            }
            let maximum = InputLimits.current.retryLimit
            guard value <= maximum else {
                throw .limitExceeded(
                    limit: "retry-limit",
                    detail: "retryStrategy.limit \(value) is more than "
                        + "\(maximum)", context: context)
            }
            limit = value
        }
        policy = strategy.retryPolicy ?? "OnFailure"
        func duration(_ field: String, _ value: String?) throws(EngineError) -> Duration? {
            guard let text = try renderer.renderOptional(value, context: context) else { return nil }
            return try Durations.parse(text, field: "backoff.\(field)", context: context)
        }
        baseDelay = try duration("duration", strategy.backoff?.duration?.value)
        factor =
            try renderer.renderOptional(strategy.backoff?.factor?.value, context: context).flatMap(Double.init) ?? 1
        maxDuration = try duration("maxDuration", strategy.backoff?.maxDuration?.value)
        cap = try duration("cap", strategy.backoff?.cap?.value)
    }
}

extension WorkflowExecutor {
    /// The retry strategy that applies to `template`: its own, else the workflow's `spec.retryStrategy` (Argo).
    func retryStrategy(of template: Template) -> RetryStrategy? {
        template.retryStrategy ?? spec.retryStrategy
    }

    /// The wait before retry number `attempt + 1`: `base × factor^attempt`, at most `cap`.
    static func backoffDelay(attempt: Int, base: Duration, factor: Double, cap: Duration?) -> Duration {
        let delay = base * pow(factor, Double(attempt))
        guard let cap, delay > cap else { return delay }
        return cap
    }
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    /// `lhs` scaled by `rhs`, kept between zero and the duration limit (a backoff factor can make it overflow).
    static func * (lhs: Duration, rhs: Double) -> Duration {
        let seconds = lhs.seconds * rhs
        let limit = Double(InputLimits.current.durationSeconds)
        guard seconds.isFinite, seconds < limit else { return .seconds(Int(limit)) }
        return .milliseconds(Int64((max(seconds, 0) * 1000).rounded()))
    }
}

private func zip2<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
    guard let a, let b else { return nil }
    return (a, b)
}

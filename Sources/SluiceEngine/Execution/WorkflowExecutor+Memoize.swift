import Foundation
import SluiceExpressions
import SluiceGovernance
import SluiceRuntimes
import SluiceSpec
import SluiceStore

/// A node's `memoize` settings, rendered.
struct MemoizationKey: Sendable, Equatable {
    var cacheName: String
    /// The rendered `memoize.key`, as messages and `memoizationStatus` show it.
    var key: String
    var maxAge: Duration?
    /// What else the entry is filed under: the template's content digest and the governance digest, so that only
    /// the same code under the same governance can ever hit it.
    var scope = ""

    /// The key the store files the entry under: ``key`` and ``scope``.
    var storeKey: String { scope.isEmpty ? key : key + " " + scope }
}

extension WorkflowExecutor {
    /// Runs a node's template under its `memoize` and `synchronization`: a node a replay reuses, or a cache hit,
    /// ends with the recorded outputs; otherwise the node waits (Pending) for its locks, runs, releases them, and a
    /// Succeeded node's outputs are saved in the cache.
    func runControlled(_ template: Template, node: NodeState, scope: VariableScope, inputs: ResolvedInputs)
        async throws(EngineError) -> NodeState
    {
        if let replayed = try await replayedNode(node, template: template) { return replayed }
        var node = node
        var memoization: MemoizationKey?
        if let memoize = template.memoize {
            do {
                memoization = try memoizationKey(memoize, template: template, scope: scope)
                if let memoization,
                    let hit = try await memoizedNode(node, template: template, key: memoization, inputs: inputs)
                {
                    return hit
                }
            } catch {
                node.phase = .error
                node.message = error.description
                try await coordinator.update(node)
                return node
            }
        }

        var lock: SynchronizationLock?
        if let synchronization = template.synchronization {
            let run = await coordinator.run
            let acquisition: SynchronizationLock.Acquisition
            do {
                let namespace =
                    await coordinator.globalScope().value("workflow.namespace")?.text
                    ?? globals.value("workflow.namespace")?.text ?? "default"
                let nodeLock = try SynchronizationLock(
                    synchronization, holder: "\(run.id)/\(node.id)", runID: run.id, runName: run.name,
                    nodeName: node.displayName, namespace: namespace, store: coordinator.store)
                lock = nodeLock
                let waiting = node
                let coordinator = coordinator
                acquisition = try await nodeLock.acquire { message in
                    var pending = waiting
                    pending.phase = .pending
                    pending.message = message
                    try? await coordinator.update(pending)
                }
            } catch {
                node.phase = .error
                node.message = error.description
                try await coordinator.update(node)
                return node
            }
            switch acquisition {
            case .cancelled:
                lock?.release()
                node.phase = .failed
                node.message = stopMessage
                try await coordinator.update(node)
                return node
            case .acquired(let waited):
                if waited {
                    node.phase = .running
                    node.message = nil
                    try await coordinator.update(node)
                }
            }
        }
        defer { lock?.release() }

        var finished = try await runTemplate(template, node: node, scope: scope, inputs: inputs)
        if let memoization, finished.phase == .succeeded {
            try saveMemoization(of: finished, key: memoization)
            let status = MemoizationStatus(hit: false, key: memoization.key, cacheName: memoization.cacheName)
            finished.memoization = status
            finished.message = status.messagePrefix + " outputs saved"
            try await coordinator.update(finished)
        }
        return finished
    }

    // MARK: - Memoization

    /// Renders `memoize.key` and parses `maxAge` (a Go duration or seconds).
    func memoizationKey(_ memoize: Memoize, template: Template, scope: VariableScope) throws(EngineError)
        -> MemoizationKey
    {
        var renderer = Renderer(scope: scope)
        let context = "memoize of template '\(template.name)'"
        let key = try renderer.render(memoize.key, context: context)
        var maxAge: Duration?
        if let text = try renderer.renderOptional(memoize.maxAge, context: context), !text.isEmpty {
            maxAge = try Durations.parse(text, field: "maxAge", context: context)
        }
        let templateDigest = templateDigests[template.identity]?.description ?? "none"
        return MemoizationKey(
            cacheName: memoize.cacheName, key: key, maxAge: maxAge,
            scope: "(template \(template.identity) \(templateDigest), governance \(gate.governance.digest))")
    }

    /// Saves a Succeeded node's outputs and envelope under its cache key.
    private func saveMemoization(of node: NodeState, key: MemoizationKey) throws(EngineError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let outputs: Data
        do {
            outputs = try encoder.encode(node.outputs ?? NodeOutputs())
        } catch {
            throw .stateUnavailable(reason: "cannot encode the outputs of '\(node.displayName)': \(error)")
        }
        do {
            try coordinator.store.saveMemoization(
                MemoizationRecord(
                    cacheName: key.cacheName, key: key.storeKey, runID: lineage.runID,
                    nodeID: node.lineageNodeID ?? node.id, nodeName: node.displayName,
                    outputsJSON: String(decoding: outputs, as: UTF8.self), envelopeDigest: node.envelopeDigest,
                    createdAt: Date()))
        } catch {
            throw .stateUnavailable(reason: error.description)
        }
    }

    /// The node ended as a cache hit, or nil on a miss (no entry, or one older than `maxAge`).
    ///
    /// An entry with an envelope is first verified like an input (``reuseEnvelope(of:outputs:envelopeDigest:node:template:inputs:)``);
    /// a refusal ends the node in Error with the gate's message.
    private func memoizedNode(
        _ node: NodeState, template: Template, key: MemoizationKey, inputs: ResolvedInputs
    ) async throws(EngineError) -> NodeState? {
        guard let (entry, earlierOutputs) = try memoizedEntry(key) else { return nil }
        var hit = MemoizedHit(outputs: earlierOutputs)
        if let envelopeDigest = entry.envelopeDigest {
            switch try await reuseEnvelope(
                of: entry, outputs: earlierOutputs, envelopeDigest: envelopeDigest, node: node, template: template,
                inputs: inputs)
            {
            case .none:
                return nil
            case .refused(let refusal):
                return try await refuse(node, refusal, saying: "memoized outputs refused: ")
            case .reused(let reused):
                hit = reused
            }
        }
        return try await finishHit(node, hit: hit, entry: entry, template: template, key: key)
    }

    /// The cache entry under `key` and its outputs, or nil on a miss (no entry, an unreadable one, or one older
    /// than `maxAge`).
    private func memoizedEntry(_ key: MemoizationKey) throws(EngineError) -> (MemoizationRecord, NodeOutputs)? {
        let entry: MemoizationRecord
        let outputs: NodeOutputs
        do {
            guard let found = try coordinator.store.memoization(cacheName: key.cacheName, key: key.storeKey) else {
                return nil
            }
            entry = found
            outputs = try JSONDecoder().decode(NodeOutputs.self, from: Data(entry.outputsJSON.utf8))
        } catch let error as StoreError {
            throw .stateUnavailable(reason: error.description)
        } catch {
            return nil
        }
        if let maxAge = key.maxAge, Date().timeIntervalSince(entry.createdAt) > maxAge / .seconds(1) {
            return nil
        }
        return (entry, outputs)
    }

    /// What a cache hit hands the node: the outputs, the envelope that vouches for them, and how the message names
    /// it.
    private struct MemoizedHit {
        var outputs: NodeOutputs
        /// The envelope the node now carries: the entry's own (same run) or one signed for the reuse.
        var envelopeDigest: String?
        /// The node id the envelope names (same run: the entry's node).
        var lineageNodeID: String?
        /// A new envelope to record with the node (a reuse across runs).
        var newEnvelope: EnvelopeRecord?
    }

    /// How verifying a cache entry's envelope ended.
    private enum EnvelopeReuse {
        /// The entry cannot be checked (its run is gone): a miss.
        case none
        case refused(Refusal)
        case reused(MemoizedHit)
    }

    /// Verifies a cache entry's envelope like an input: the earlier envelope's signature by a trusted key, its
    /// payload digest, and every output's digest recomputed from the stored bytes, then the node's own rules
    /// (``refuseHit(_:template:inputs:envelopeDigest:)``). From the same run, the node reuses that envelope as its
    /// own; from an earlier run (whose envelope this run's gate would not accept downstream), it signs one whose
    /// inputs name the earlier envelope, so the lineage records the reuse.
    private func reuseEnvelope(
        of entry: MemoizationRecord, outputs: NodeOutputs, envelopeDigest: String, node: NodeState,
        template: Template, inputs: ResolvedInputs
    ) async throws(EngineError) -> EnvelopeReuse {
        let store = coordinator.store
        guard let earlierRun = try? store.run(named: entry.runID) else { return .none }
        let earlierDigest: Digest
        do {
            earlierDigest = try Digest(hex: earlierRun.workflowDigest)
        } catch {
            throw .stateUnavailable(reason: "run '\(earlierRun.name)' records a malformed workflow digest")
        }
        let earlierSubmission = (try? store.attestations(runID: entry.runID))?
            .first(where: { $0.kind == .submission }).flatMap { try? Digest(hex: $0.payloadDigest) }
        let earlierGate = gate.forEarlierRun(
            runID: entry.runID, workflowDigest: earlierDigest, submissionDigest: earlierSubmission)
        let recorded = RecordedOutputs(
            outputs: outputs, nodeID: entry.nodeID, nodeName: entry.nodeName, envelopeDigest: envelopeDigest)
        let admitted: Admission
        switch await verify(recorded, node: node, template: template, gate: earlierGate) {
        case .failure(let refusal):
            return .refused(refusal)
        case .success(let admission):
            if let refusal = await refuseHit(node, template: template, inputs: inputs, envelopeDigest: envelopeDigest) {
                return .refused(refusal)
            }
            admitted = admission
        }
        if entry.runID == lineage.runID {
            return .reused(MemoizedHit(outputs: outputs, envelopeDigest: envelopeDigest, lineageNodeID: entry.nodeID))
        }
        // Like a replay: the earlier producer's command, image and chain depth (a reuse does not lengthen the
        // chain), so that constraints over them hold offline as they did for that run.
        let earlier = recordedProducer(envelopeDigest: envelopeDigest)
        var admission = admitted
        admission.containers = recordedPredicate(envelopeDigest: envelopeDigest)?.producer.containers ?? []
        let signed = resign(
            outputs, node: node, template: template, admission: admission,
            chainDepth: earlier?.chainDepth ?? admission.chainDepth, command: earlier?.command ?? [],
            image: earlier?.image)
        return .reused(
            MemoizedHit(
                outputs: signed.outputs, envelopeDigest: signed.envelope.payloadDigest, newEnvelope: signed.envelope))
    }

    /// Ends `node` as a cache hit: the reused outputs, Argo's memoization message, its global output parameters.
    private func finishHit(
        _ node: NodeState, hit: MemoizedHit, entry: MemoizationRecord, template: Template, key: MemoizationKey
    ) async throws(EngineError) -> NodeState {
        var node = node
        let runID = lineage.runID
        if let envelopeDigest = hit.envelopeDigest { node.envelopeDigest = envelopeDigest }
        if let lineageNodeID = hit.lineageNodeID { node.lineageNodeID = lineageNodeID }
        let reused = entry.envelopeDigest.map { " (envelope sha256:\($0))" } ?? ""
        let earlierRunName =
            entry.runID == runID
            ? "this run" : "run '\((try? coordinator.store.run(named: entry.runID))?.name ?? entry.runID)'"
        node.outputs = hit.outputs
        node.phase = .succeeded
        let status = MemoizationStatus(hit: true, key: key.key, cacheName: key.cacheName)
        node.memoization = status
        node.message =
            status.messagePrefix
            + " reused the outputs of '\(entry.nodeName)' from \(earlierRunName)\(reused)"
        for parameter in template.outputs?.parameters ?? [] {
            guard let globalName = parameter.globalName,
                let value = hit.outputs.parameters.first(where: { $0.name == parameter.name })?.value
            else { continue }
            await coordinator.setGlobalParameter(
                globalName, value: value, provenance: node.provenance(of: "outputs/parameters/\(parameter.name)"))
        }
        try await coordinator.update(node, envelope: hit.newEnvelope)
        return node
    }

    /// Why a cache hit may not stand in for `node`, or nil: the hit passes the gate like the node would have run.
    ///
    /// The node's own inputs are verified by this run's gate (with the node's input constraints); the cached
    /// producer must have run this very template (same identity and content digest); and the node's own image
    /// rules and `require` must hold over what the cached producer ran (its recorded images) and the node's inputs.
    private func refuseHit(_ node: NodeState, template: Template, inputs: ResolvedInputs, envelopeDigest: String)
        async -> Refusal?
    {
        let within = await enclosingCalls(of: node)
        var gated = GatedNode(
            displayName: node.displayName, templateName: template.identity, runtime: runtime.kind,
            within: within)
        let admission: Admission
        switch gate.admit(
            node: gated, artifacts: inputs.artifacts, origins: inputs.origins,
            parameterValues: await upstreamValues(of: inputs))
        {
        case .failure(let refusal): return refusal
        case .success(let admitted): admission = admitted
        }
        guard let producer = recordedPredicate(envelopeDigest: envelopeDigest) else {
            return Refusal(
                node: node.displayName, input: Refusal.nodeLevel, check: "memoization",
                reason: "the cached envelope sha256:\(envelopeDigest) cannot be read")
        }
        let expected = templateDigests[template.identity]
        if producer.node.templateName != template.identity || producer.node.templateDigest != expected {
            let ran = producer.node.templateDigest?.description ?? "no recorded digest"
            return Refusal(
                node: node.displayName, input: Refusal.nodeLevel, check: "memoization",
                reason: "the cached outputs were produced by template '\(producer.node.templateName)' (\(ran)), "
                    + "this node runs '\(template.identity)' (\(expected?.description ?? "no digest"))")
        }
        gated.image = producer.producer.image
        gated.runtime = producer.producer.runtime
        gated.isolation = producer.producer.isolation
        gated.otherContainers = producer.producer.containers
        return gate.admitNode(gated, admission: admission)
    }
}

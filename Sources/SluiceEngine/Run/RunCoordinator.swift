import Foundation
package import SluiceExpressions
package import SluiceSpec
package import SluiceStore

/// Something that wants to follow a run as it happens (the CLI's progress display, tests).
package protocol RunObserver: Sendable {
    /// Called after each transition has been recorded; must return quickly.
    func runDidChange(_ event: RunEvent)
}

/// A recorded transition of a run.
package enum RunEvent: Sendable {
    case runStarted(RunRecord)
    case nodeChanged(NodeState)
    case runFinished(RunRecord)
}

/// Owns a run's node table and records every transition in the store, one transaction each.
///
/// Children lists are the exception: a parent whose only change is a new child is written at most every
/// ``childrenFlushInterval`` (with the next transition once that much time passed, else by a timer), so that a
/// fan-out of N nodes writes its parent's list a few times a second instead of N times (N² bytes). A Retry node's
/// list is written at once: `resume` counts its attempts from it. Every list is written before the run ends.
package actor RunCoordinator {
    /// The longest a new child may wait before its parent's children list is written.
    package static let childrenFlushInterval: Duration = .milliseconds(250)

    package let store: Store
    /// Rows of nodes created with `deferred`, written by the first transaction that needs them.
    package let pendingRows = PendingNodeRows()
    package private(set) var run: RunRecord
    private var nodes: [String: NodeState] = [:]
    private var order: [String] = []
    private var globalParameters: [String: String] = [:]
    private var globalProvenance: [String: Set<ValueSource>] = [:]
    private var globalVariables: [String: String] = [:]
    private var globalOrder: [String] = []
    private var globalArtifacts: [String: ArtifactReference] = [:]
    /// ``globalScope()`` as last built, until a global changes; and how many times one changed.
    private var builtGlobalScope: VariableScope?
    private var globalsVersion = 0
    /// Parents whose children list changed since it was last written.
    private var unsavedChildren: Set<String> = []
    /// Each parent's children as a set, for membership tests on lists of thousands (built on first use).
    private var childIndex: [String: Set<String>] = [:]
    private var lastChildrenFlush = ContinuousClock.now
    private var isChildrenFlushScheduled = false
    /// Whether a list that must not wait (a Retry node's) is among the unsaved ones.
    private var urgentChildren = false
    private let observer: (any RunObserver)?

    /// Succeeded pods of an earlier attempt at this run (resume after the engine died), by node id.
    private var reusable: [String: NodeState] = [:]
    /// Attempts that Retry nodes made before the engine died (resume), by Retry node id, in order: they stay the
    /// Retry node's children and count against its `retryStrategy.limit`.
    private var priorAttempts: [String: [NodeState]] = [:]

    package init(store: Store, run: RunRecord, observer: (any RunObserver)?, previousNodes: [NodeRecord] = []) {
        self.store = store
        self.run = run
        self.observer = observer
        let byID = Dictionary(previousNodes.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for record in previousNodes.sorted(by: { $0.sequence < $1.sequence }) {
            guard let node = Self.state(of: record) else { continue }
            if node.type == .retry, node.phase != .succeeded {
                priorAttempts[record.id] = node.children.compactMap { byID[$0].flatMap(Self.state(of:)) }
            }
            guard node.phase == .succeeded, node.type == .pod, node.envelopeDigest != nil else { continue }
            reusable[record.id] = node
            nodes[record.id] = node
            order.append(record.id)
        }
    }

    /// A recorded node as the engine holds it, or nil when its type or phase is unknown.
    private static func state(of record: NodeRecord) -> NodeState? {
        let (type, phase) = (record.type, record.phase)
        let decoder = JSONDecoder()
        return NodeState(
            id: record.id, name: record.name, displayName: record.displayName, type: type,
            templateName: record.templateName, phase: phase, message: record.message,
            boundaryID: record.boundaryID,
            children: (try? decoder.decode([String].self, from: Data(record.childrenJSON.utf8))) ?? [],
            inputs: record.inputsJSON.flatMap { try? decoder.decode(NodeInputs.self, from: Data($0.utf8)) },
            outputs: record.outputsJSON.flatMap { try? decoder.decode(NodeOutputs.self, from: Data($0.utf8)) },
            startedAt: record.startedAt, finishedAt: record.finishedAt, envelopeDigest: record.envelopeDigest,
            sequence: record.sequence, progress: record.progress, memoization: record.memoization)
    }

    /// The attempts the Retry node `retryID` made before the engine died, linked back under it (an attempt left
    /// running by the dead engine is recorded as Error): the history a resumed retry continues from.
    package func restorePriorAttempts(ofRetry retryID: String) throws(EngineError) -> [NodeState] {
        guard let attempts = priorAttempts.removeValue(forKey: retryID), !attempts.isEmpty else { return [] }
        var restored: [NodeState] = []
        for var attempt in attempts {
            if !attempt.phase.isFulfilled {
                attempt.phase = .error
                attempt.message = "the engine running this attempt stopped before it ended"
                attempt.finishedAt = attempt.finishedAt ?? Date()
            }
            if nodes[attempt.id] == nil { order.append(attempt.id) }
            nodes[attempt.id] = attempt
            try persist(Transition(nodes: [try record(attempt)]))
            try link(parents: [retryID], to: attempt.id)
            restored.append(attempt)
        }
        return restored
    }

    /// A node that already Succeeded in an earlier attempt at this run: it is linked under `parentID` and returned
    /// instead of being run again.
    package func reuse(name: String, parentID: String?) throws(EngineError) -> NodeState? {
        let id = NodeIdentity.id(workflowName: run.name, nodeName: name)
        guard let node = reusable.removeValue(forKey: id) else { return nil }
        if let parentID { try link(parents: [parentID], to: id) }
        observer?.runDidChange(.nodeChanged(node))
        return node
    }

    /// Records the run as started.
    package func start() throws(EngineError) {
        run.phase = .running
        run.startedAt = Date()
        try persist(Transition(run: run))
        observer?.runDidChange(.runStarted(run))
    }

    /// Creates a node and links it under `parentID`, in one transaction.
    ///
    /// With `deferred` (a pod, created Running before its gate) the row is not written now but held in
    /// ``pendingRows``: the transaction that records what the pod starts writes it, else its next transition, else
    /// the next write of children lists.
    package func createNode(
        name: String, displayName: String, type: NodeType, templateName: String?, phase: NodePhase,
        boundaryID: String?, parentID: String?, message: String? = nil, inputs: NodeInputs? = nil,
        deferred: Bool = false
    ) throws(EngineError) -> NodeState {
        let id = NodeIdentity.id(workflowName: run.name, nodeName: name)
        let now = Date()
        var node = NodeState(
            id: id, name: name, displayName: displayName, type: type, templateName: templateName, phase: phase,
            message: message, boundaryID: boundaryID, inputs: inputs,
            startedAt: now, finishedAt: phase.isFulfilled ? now : nil, sequence: order.count)
        if let existing = nodes[id] { node.sequence = existing.sequence } else { order.append(id) }
        nodes[id] = node
        if let parentID { appendChild(id, to: parentID) }
        if deferred {
            pendingRows.hold(try record(node))
            try persist(Transition())
        } else {
            _ = pendingRows.take(id)
            try persist(Transition(nodes: [try record(node)]))
        }
        observer?.runDidChange(.nodeChanged(node))
        return node
    }

    /// Records a node's new state, with the attempt, envelope and denial that belong to the same transition.
    package func update(
        _ node: NodeState, attempt: AttemptRecord? = nil, envelope: EnvelopeRecord? = nil,
        denial: DenialRecord? = nil
    ) throws(EngineError) {
        var node = node
        if node.phase.isFulfilled && node.finishedAt == nil { node.finishedAt = Date() }
        if let current = nodes[node.id] { node.children = current.children }
        nodes[node.id] = node
        // This transition writes the node's children list too, and its row if creating it was deferred.
        unsavedChildren.remove(node.id)
        _ = pendingRows.take(node.id)
        try persist(
            Transition(
                nodes: [try record(node)], attempts: attempt.map { [$0] } ?? [], envelopes: envelope.map { [$0] } ?? [],
                denials: denial.map { [$0] } ?? []))
        observer?.runDidChange(.nodeChanged(node))
    }

    /// Adds `childID` to the children of each of `parentIDs` (Argo links step groups and DAG tasks this way).
    ///
    /// The parents' lists are written within ``childrenFlushInterval`` (a Retry node's at once).
    package func link(parents parentIDs: [String], to childID: String) throws(EngineError) {
        for parentID in parentIDs { appendChild(childID, to: parentID) }
        try persist(Transition())
    }

    /// Writes every children list not written yet (before the run ends, and by the timer).
    package func flushChildren() throws(EngineError) {
        guard !unsavedChildren.isEmpty else { return }
        try persist(Transition(), flushingChildren: true)
    }

    /// Adds `childID` to `parentID`'s children in memory and marks the list for writing.
    ///
    /// Both the set and the list are mutated in place: copying a list of thousands per child is the quadratic cost
    /// this avoids.
    private func appendChild(_ childID: String, to parentID: String) {
        guard let type = nodes[parentID]?.type else { return }
        if childIndex[parentID] == nil { childIndex[parentID] = Set(nodes[parentID]?.children ?? []) }
        guard childIndex[parentID, default: []].insert(childID).inserted else { return }
        nodes[parentID]?.children.append(childID)
        unsavedChildren.insert(parentID)
        if type == .retry { urgentChildren = true }
    }

    /// Puts `parentID`'s children in the given order (those listed first, any others after them).
    package func orderChildren(of parentID: String, as ids: [String]) throws(EngineError) {
        guard var parent = nodes[parentID] else { return }
        let ordered = ids.filter { parent.children.contains($0) } + parent.children.filter { !ids.contains($0) }
        guard ordered != parent.children else { return }
        parent.children = ordered
        nodes[parentID] = parent
        try persist(Transition(nodes: [try record(parent)]))
    }

    /// Publishes a `globalName` output: `workflow.outputs.parameters.NAME` for every later node, and the
    /// workflow's `status.outputs`.
    ///
    /// `provenance` is what the value was derived from, carried to every node that reads the global.
    package func setGlobalParameter(_ name: String, value: String, provenance: Set<ValueSource>) {
        globalsChanged()
        globalParameters[name] = value
        globalProvenance[name] = provenance
        if !globalOrder.contains(name) { globalOrder.append(name) }
    }

    /// Publishes a `globalName` output artifact as `workflow.outputs.artifacts.NAME`.
    package func setGlobalArtifact(_ name: String, reference: ArtifactReference) {
        globalsChanged()
        globalArtifacts[name] = reference
    }

    /// Sets a workflow-wide variable that appears during the run (`workflow.status` for exit handlers).
    package func setGlobalVariable(_ name: String, value: String) {
        guard globalVariables[name] != value else { return }
        globalsChanged()
        globalVariables[name] = value
    }

    private func globalsChanged() {
        builtGlobalScope = nil
        globalsVersion += 1
    }

    /// The global outputs and run-time variables published so far, as variables, with a number that changes
    /// whenever they do (``WorkflowExecutor`` keeps the workflow's globals merged with them until it changes).
    package func versionedGlobalScope() -> (version: Int, scope: VariableScope) {
        (globalsVersion, globalScope())
    }

    /// The global outputs and run-time variables published so far, as variables (built once per change: every node
    /// asks).
    package func globalScope() -> VariableScope {
        if let builtGlobalScope { return builtGlobalScope }
        var scope = VariableScope()
        for (name, value) in globalVariables { scope.set(name, value) }
        for (name, value) in globalParameters {
            scope.set("workflow.outputs.parameters.\(name)", value, provenance: globalProvenance[name] ?? [])
        }
        for (name, reference) in globalArtifacts { scope.setArtifact("workflow.outputs.artifacts.\(name)", reference) }
        builtGlobalScope = scope
        return scope
    }

    /// The workflow's output parameters, in the order they were published.
    package func workflowOutputs() -> [ParameterValue] {
        globalOrder.compactMap { name in globalParameters[name].map { ParameterValue(name: name, value: $0) } }
    }

    /// The current state of a node.
    package func node(_ id: String) -> NodeState? { nodes[id] }

    /// Every node, in creation order.
    package func allNodes() -> [NodeState] { order.compactMap { nodes[$0] } }

    /// Records the run's end.
    package func finish(phase: RunPhase, message: String?, outputsJSON: String?) throws(EngineError) {
        let unwritten = pendingRows.takeAll()
        if !unwritten.isEmpty { try persist(Transition(nodes: unwritten)) }
        try flushChildren()
        run.phase = phase
        run.message = message
        run.finishedAt = Date()
        run.outputsJSON = outputsJSON
        try persist(Transition(run: run))
        observer?.runDidChange(.runFinished(run))
    }

    // MARK: - Records

    /// The row of `node` (its inputs, outputs and children as ``NodeRecordJSON`` text).
    private func record(_ node: NodeState) throws(EngineError) -> NodeRecord {
        NodeRecord(
            runID: run.id, id: node.id, name: node.name, displayName: node.displayName,
            type: node.type, templateName: node.templateName, phase: node.phase,
            message: node.message, boundaryID: node.boundaryID,
            childrenJSON: NodeRecordJSON.text(of: node.children),
            inputsJSON: node.inputs.map(NodeRecordJSON.text(of:)),
            outputsJSON: node.outputs.map(NodeRecordJSON.text(of:)),
            startedAt: node.startedAt, finishedAt: node.finishedAt, envelopeDigest: node.envelopeDigest,
            sequence: node.sequence, progress: node.progress, memoization: node.memoization)
    }

    /// Writes `transition`, with the unsaved children lists when they are due (or `flushingChildren`); an empty
    /// transition with nothing due writes nothing.
    private func persist(_ transition: Transition, flushingChildren: Bool = false) throws(EngineError) {
        var transition = transition
        let now = ContinuousClock.now
        let due =
            !unsavedChildren.isEmpty
            && (flushingChildren || urgentChildren || now - lastChildrenFlush >= Self.childrenFlushInterval)
        if due {
            var written = Set(transition.nodes.map(\.id))
            // A list written names no node without a row: the nodes not written yet go with it.
            for row in pendingRows.takeAll() where written.insert(row.id).inserted { transition.nodes.append(row) }
            for parentID in unsavedChildren.sorted() where !written.contains(parentID) {
                if let parent = nodes[parentID] { transition.nodes.append(try record(parent)) }
            }
        }
        if !transition.isEmpty {
            do {
                try store.record(transition)
            } catch {
                throw .stateUnavailable(reason: error.description)
            }
        }
        if due {
            unsavedChildren.removeAll()
            urgentChildren = false
            lastChildrenFlush = now
        } else if !unsavedChildren.isEmpty && !isChildrenFlushScheduled {
            scheduleChildrenFlush()
        }
    }

    /// Writes the unsaved children lists after ``childrenFlushInterval`` unless a transition did it first.
    ///
    /// An unstructured task on purpose: it only delays a write that `finish` would do anyway, and it holds the
    /// actor at most that long after the run ended.
    private func scheduleChildrenFlush() {
        isChildrenFlushScheduled = true
        Task {
            try? await Task.sleep(for: Self.childrenFlushInterval)
            self.childrenFlushTimerFired()
        }
    }

    private func childrenFlushTimerFired() {
        isChildrenFlushScheduled = false
        do {
            try flushChildren()
        } catch {
            // Left unsaved: the next transition, or `finish`, writes them (and reports the store's error).
        }
    }
}

/// One state transition of a run: everything in it is written in one transaction, or nothing is.
///
/// Records are applied in order: the run, then nodes, attempts, envelopes and denials. Each is upserted by its
/// primary key, so a transition may both create and update rows.
package struct Transition: Sendable {
    /// The run row to insert or update.
    package var run: RunRecord?
    /// Node rows to insert or update.
    package var nodes: [NodeRecord]
    /// Attempt rows to insert or update; their nodes must exist (earlier, or in this transition).
    package var attempts: [AttemptRecord]
    /// Envelopes to store.
    package var envelopes: [EnvelopeRecord]
    /// Governance refusals to append.
    package var denials: [DenialRecord]

    /// Creates a transition; every part is optional.
    package init(
        run: RunRecord? = nil,
        nodes: [NodeRecord] = [],
        attempts: [AttemptRecord] = [],
        envelopes: [EnvelopeRecord] = [],
        denials: [DenialRecord] = []
    ) {
        self.run = run
        self.nodes = nodes
        self.attempts = attempts
        self.envelopes = envelopes
        self.denials = denials
    }

    /// Whether the transition contains nothing to write.
    package var isEmpty: Bool {
        run == nil && nodes.isEmpty && attempts.isEmpty && envelopes.isEmpty && denials.isEmpty
    }
}

package import SluiceGovernance

/// A run captured in an export bundle and imported into the state directory, whose nodes a replay reuses
/// instead of running them (`sluice replay BUNDLE --from NODE`).
///
/// A reused node's outputs are re-verified against the captured envelope by a gate for the captured run (its id,
/// workflow digest, submission and trust chain; this state directory's revocations), then re-signed by the replay
/// run with lineage inputs naming the captured envelope, like a memoization hit from an earlier run.
package struct ReplaySource: Sendable {
    /// One captured node to reuse: its outputs (artifacts already in this state directory's artifact store) and
    /// the envelope that signed them.
    package struct Node: Sendable {
        package var id: String
        package var displayName: String
        package var outputs: NodeOutputs
        package var envelopeDigest: Digest
        /// The captured predicate's command, image and chain depth, carried into the re-signed envelope.
        package var command: [String]
        package var image: String?
        package var chainDepth: Int

        /// Creates a captured node.
        package init(
            id: String, displayName: String, outputs: NodeOutputs, envelopeDigest: Digest, command: [String],
            image: String?, chainDepth: Int
        ) {
            self.id = id
            self.displayName = displayName
            self.outputs = outputs
            self.envelopeDigest = envelopeDigest
            self.command = command
            self.image = image
            self.chainDepth = chainDepth
        }
    }

    /// The captured run's id, workflow digest and submission attestation.
    package var runID: String
    package var workflowDigest: Digest
    package var submissionDigest: Digest
    /// The keys the captured run's governance admitted.
    package var chain: TrustChain
    /// Nodes to reuse, by node name relative to the run name (`.produce`, `.main[0].step`).
    package var reusable: [String: Node]
    /// How node messages name the bundle: `bundle sha256:<manifest digest>`.
    package var label: String
    /// Whether the bundle was verified against keys the user gave (`--trust`); recorded in re-signed lineage.
    package var isOriginTrusted = true

    /// Creates the captured run a replay reuses.
    package init(
        runID: String, workflowDigest: Digest, submissionDigest: Digest, chain: TrustChain, reusable: [String: Node],
        label: String, isOriginTrusted: Bool = true
    ) {
        self.runID = runID
        self.workflowDigest = workflowDigest
        self.submissionDigest = submissionDigest
        self.chain = chain
        self.reusable = reusable
        self.label = label
        self.isOriginTrusted = isOriginTrusted
    }
}

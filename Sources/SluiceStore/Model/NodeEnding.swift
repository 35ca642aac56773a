package import SluiceSpec

/// What a run's signed outcome records of one node: its phase, message and envelope, without the rest of its record
/// (inputs, outputs, children), which a run of thousands of nodes would otherwise load at its end.
package struct NodeEnding: Sendable, Equatable {
    package var id: String
    package var phase: NodePhase
    package var message: String?
    /// The payload digest hex of the node's envelope, if it has one.
    package var envelopeDigest: String?
}

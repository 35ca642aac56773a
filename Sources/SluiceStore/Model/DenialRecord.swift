package import Foundation

/// A governance refusal: which node (and input) was refused, by which check, and why.
///
/// Appended when `id` is nil; a record with an id replaces the row with that id.
package struct DenialRecord: Sendable, Equatable, Codable {
    /// Assigned by the store on insert; nil before.
    package var id: Int64?
    /// The run of the refused node.
    package var runID: String
    /// The refused node.
    package var nodeID: String
    /// The input (parameter or artifact name) that failed the check, if the refusal is about one input.
    package var input: String?
    /// The governance check that refused, e.g. `envelope-signature`.
    package var check: String
    /// The human message shown to the user.
    package var message: String
    /// When the refusal happened.
    package var createdAt: Date

    /// Creates a denial; the date is truncated to whole milliseconds so it round-trips through the store.
    package init(
        id: Int64? = nil,
        runID: String,
        nodeID: String,
        input: String? = nil,
        check: String,
        message: String,
        createdAt: Date
    ) {
        self.id = id
        self.runID = runID
        self.nodeID = nodeID
        self.input = input
        self.check = check
        self.message = message
        self.createdAt = StoreTimestamp.truncated(createdAt)
    }
}

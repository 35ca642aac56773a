package import Foundation

/// One memoization cache entry: the outputs a Succeeded node produced for a (cache name, key) pair.
///
/// The store keeps the outputs as the engine's JSON text and does not interpret them. Dates are truncated to whole
/// milliseconds so that a record round-trips through the store unchanged.
package struct MemoizationRecord: Sendable, Equatable {
    /// The cache's name (Argo's `memoize.cache.configMap.name`).
    package var cacheName: String
    /// The rendered `memoize.key`.
    package var key: String
    /// The run whose node saved the entry.
    package var runID: String
    /// The node that saved the entry.
    package var nodeID: String
    /// That node's display name, for messages.
    package var nodeName: String
    /// The node's outputs, as the engine encodes them.
    package var outputsJSON: String
    /// The payload digest (hex) of the node's lineage envelope; nil when the node signed none (steps, DAG).
    package var envelopeDigest: String?
    /// When the entry was saved; `maxAge` is measured from here.
    package var createdAt: Date

    /// Creates a record; `createdAt` is truncated to whole milliseconds.
    package init(
        cacheName: String, key: String, runID: String, nodeID: String, nodeName: String, outputsJSON: String,
        envelopeDigest: String?, createdAt: Date
    ) {
        self.cacheName = cacheName
        self.key = key
        self.runID = runID
        self.nodeID = nodeID
        self.nodeName = nodeName
        self.outputsJSON = outputsJSON
        self.envelopeDigest = envelopeDigest
        self.createdAt = StoreTimestamp.truncated(createdAt)
    }
}

import Foundation

/// A memoized node's outcome (Argo's `memoizationStatus`): whether its outputs came from the cache, under which key.
///
/// Recorded with the node; its message says it too, for people: a hit reads `Memoization hit (cache 'C', key 'K'):
/// reused ...`, a saved miss `Memoization miss (cache 'C', key 'K'): outputs saved`.
package struct MemoizationStatus: Sendable, Codable, Hashable {
    package var hit: Bool
    package var key: String
    package var cacheName: String

    package static let hitPrefix = "Memoization hit (cache '"
    package static let missPrefix = "Memoization miss (cache '"

    package init(hit: Bool, key: String, cacheName: String) {
        self.hit = hit
        self.key = key
        self.cacheName = cacheName
    }

    /// The status a node message states, or nil when it says nothing about memoization (for rows recorded before
    /// the status had columns of its own).
    package init?(message: String?) {
        guard let message else { return nil }
        let hit: Bool
        let rest: Substring
        if message.hasPrefix(Self.hitPrefix) {
            hit = true
            rest = message.dropFirst(Self.hitPrefix.count)
        } else if message.hasPrefix(Self.missPrefix) {
            hit = false
            rest = message.dropFirst(Self.missPrefix.count)
        } else {
            return nil
        }
        guard let nameEnd = rest.range(of: "', key '") else { return nil }
        let afterKey = rest[nameEnd.upperBound...]
        guard let keyEnd = afterKey.range(of: "'):") else { return nil }
        self.hit = hit
        self.cacheName = String(rest[..<nameEnd.lowerBound])
        self.key = String(afterKey[..<keyEnd.lowerBound])
    }

    /// The node message's prefix for this status (`Memoization hit (cache 'C', key 'K'):`).
    package var messagePrefix: String {
        (hit ? Self.hitPrefix : Self.missPrefix) + "\(cacheName)', key '\(key)'):"
    }
}

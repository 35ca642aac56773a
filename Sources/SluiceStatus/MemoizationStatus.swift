import Foundation

/// What a node's message says about memoization, so that `sluice get -o json` can show Argo's `memoizationStatus`.
///
/// A hit reads `Memoization hit (cache 'C', key 'K'): reused ...`, a saved miss `Memoization miss (cache 'C', key
/// 'K'): outputs saved`.
package struct MemoizationStatus: Sendable, Equatable {
    package var hit: Bool
    package var key: String
    package var cacheName: String

    package static let hitPrefix = "Memoization hit (cache '"
    package static let missPrefix = "Memoization miss (cache '"

    /// The status a node message records, or nil when the message says nothing about memoization.
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

    /// The message prefix for this status (`Memoization hit (cache 'C', key 'K'):`).
    package static func prefix(hit: Bool, cacheName: String, key: String) -> String {
        (hit ? hitPrefix : missPrefix) + "\(cacheName)', key '\(key)'):"
    }
}

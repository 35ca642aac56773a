import Foundation
import Synchronization

/// Compiled regular expressions shared by both dialects, keyed by pattern text.
enum RegexCache {
    private static let cache = Mutex<[String: NSRegularExpression]>([:])

    /// Whether `pattern` matches anywhere in `text` (Go `regexp.MatchString` semantics).
    ///
    /// - Throws: `ExpressionError.invalidRegex` when the pattern does not compile.
    static func matches(_ text: String, pattern: String) throws(ExpressionError) -> Bool {
        let regex = try compiled(pattern)
        let range = NSRange(text.startIndex..<text.endIndex, in: text)
        return regex.firstMatch(in: text, options: [], range: range) != nil
    }

    private static func compiled(_ pattern: String) throws(ExpressionError) -> NSRegularExpression {
        if let regex = cache.withLock({ $0[pattern] }) { return regex }
        guard let regex = try? NSRegularExpression(pattern: pattern) else { throw .invalidRegex(pattern: pattern) }
        cache.withLock { entries in
            if entries.count > 256 { entries.removeAll() }
            entries[pattern] = regex
        }
        return regex
    }
}

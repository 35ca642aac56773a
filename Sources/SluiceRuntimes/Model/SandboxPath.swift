/// Pure helpers for absolute slash-separated paths, as bubblewrap and the layout use them.
enum SandboxPath {
    /// The path with empty and `.` components removed, or `nil` when it is relative or contains `..`.
    static func normalized(_ path: String) -> String? {
        guard path.hasPrefix("/") else { return nil }
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." { return nil }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// `base` followed by each component, separated by single slashes.
    static func join(_ base: String, _ components: String...) -> String {
        var result = base
        for component in components {
            let trimmed = component.drop { $0 == "/" }
            if trimmed.isEmpty { continue }
            if !result.hasSuffix("/") { result += "/" }
            result += trimmed
        }
        return result
    }

    /// Whether `path` equals `ancestor` or lies below it (component-wise: `/tmpx` is not below `/tmp`).
    static func isWithin(_ path: String, _ ancestor: String) -> Bool {
        if ancestor == "/" { return true }
        return path == ancestor || path.hasPrefix(ancestor + "/")
    }

    /// The part of `path` below `ancestor`, without a leading slash; empty when they are equal.
    static func relative(_ path: String, to ancestor: String) -> String {
        if path == ancestor { return "" }
        let start = path.index(path.startIndex, offsetBy: ancestor == "/" ? 1 : ancestor.count + 1)
        return String(path[start...])
    }

    /// The number of components; `/` has none.
    static func depth(_ path: String) -> Int {
        path.split(separator: "/").count
    }

    /// The parent directory; `/` for top-level paths.
    static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }
}

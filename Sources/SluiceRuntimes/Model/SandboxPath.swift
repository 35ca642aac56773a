/// Pure helpers for absolute slash-separated paths, as bubblewrap and the layout use them.
enum SandboxPath {
    /// The path with empty and `.` components removed, or `nil` when it is relative or contains `..`.
    static func normalized(_ path: String) -> String? {
        guard path.hasPrefix("/") else { return nil }
        if isAlreadyNormal(path) { return path }
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." { return nil }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// Whether the absolute `path` has no empty, `.` or `..` component and no trailing slash (`/` itself is normal):
    /// the common case, answered without splitting (the runtime normalizes every mount's paths several times a node).
    private static func isAlreadyNormal(_ path: String) -> Bool {
        var previousSlash = -1
        var index = 0
        let bytes = path.utf8
        for byte in bytes {
            if byte == UInt8(ascii: "/") {
                if index > 0 && !isProperComponent(bytes, from: previousSlash + 1, to: index) { return false }
                previousSlash = index
            }
            index += 1
        }
        return index == 1 || isProperComponent(bytes, from: previousSlash + 1, to: index)
    }

    /// Whether the bytes in `start..<end` are a component other than empty, `.` and `..`.
    private static func isProperComponent(_ bytes: String.UTF8View, from start: Int, to end: Int) -> Bool {
        let length = end - start
        if length == 0 { return false }
        if length > 2 { return true }
        let first = bytes[bytes.index(bytes.startIndex, offsetBy: start)]
        if length == 1 { return first != UInt8(ascii: ".") }
        let second = bytes[bytes.index(bytes.startIndex, offsetBy: start + 1)]
        return !(first == UInt8(ascii: ".") && second == UInt8(ascii: "."))
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

/// Checks that an artifact or output name is a safe relative path before the engine builds a file name from it.
///
/// A safe name is non-empty, relative (no leading `/`), free of NUL characters, and made of non-empty components
/// none of which is `.` or `..`; so `report.txt` and `out/report.txt` pass, while `../x`, `/etc/passwd`,
/// `a/../../b`, `a//b` and `./a` are refused.
/// - Returns: the name, unchanged.
/// - Throws: `StoreError.artifactNameUnsafe(name)`, whose description says what is wrong.
@discardableResult
package func validateRelativeName(_ name: String) throws(StoreError) -> String {
    guard RelativeName.problem(in: name) == nil else { throw .artifactNameUnsafe(name) }
    return name
}

/// The rules behind ``validateRelativeName(_:)``, shared with ``StoreError``'s description.
enum RelativeName {
    /// What makes `name` unsafe, as a clause ("it is an absolute path"), or nil when it is safe.
    static func problem(in name: String) -> String? {
        if name.isEmpty { return "it is empty" }
        if name.utf8.contains(0) { return "it contains a NUL character" }
        if name.hasPrefix("/") { return "it is an absolute path" }
        let components = name.split(separator: "/", omittingEmptySubsequences: false)
        if components.contains("..") { return "it contains a '..' component" }
        if components.contains(where: { $0.isEmpty || $0 == "." }) { return "it contains an empty or '.' component" }
        return nil
    }

    /// The name with control characters escaped, safe to print inside quotes in a message.
    static func printable(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\0": result += "\\0"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    result += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }
}

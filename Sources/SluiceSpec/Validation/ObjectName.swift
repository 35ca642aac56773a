/// Run names become directory names and node ids: they must be Kubernetes object names (DNS-1123 subdomains),
/// as Argo requires, so a name can never escape the state directory.
package enum ObjectName {
    /// Problems with `metadata.name` and `metadata.generateName`.
    package static func problems(_ metadata: ObjectMeta, tree: YAMLValue) -> [SpecError] {
        var problems: [SpecError] = []
        if let name = metadata.name, !name.isEmpty, !isValid(name, prefix: false) {
            problems.append(
                .invalidValue(
                    message: "metadata.name '\(name)' is not a valid name: use lowercase letters, digits, '-' and '.', "
                        + "starting and ending with a letter or digit, at most 253 characters",
                    at: tree.location(of: "metadata.name"), path: "metadata.name"))
        }
        if let prefix = metadata.generateName, !prefix.isEmpty, !isValid(prefix, prefix: true) {
            problems.append(
                .invalidValue(
                    message: "metadata.generateName '\(prefix)' is not a valid name prefix: use lowercase letters, "
                        + "digits, '-' and '.', starting with a letter or digit",
                    at: tree.location(of: "metadata.generateName"), path: "metadata.generateName"))
        }
        return problems
    }

    /// A DNS-1123 subdomain; a `generateName` prefix may end with '-' or '.'.
    package static func isValid(_ name: String, prefix: Bool) -> Bool {
        guard !name.isEmpty, name.count <= (prefix ? 247 : 253) else { return false }
        let allowed = name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "."
        }
        guard allowed, let first = name.unicodeScalars.first, let last = name.unicodeScalars.last else { return false }
        let alphanumeric: (Unicode.Scalar) -> Bool = { ("a"..."z").contains($0) || ("0"..."9").contains($0) }
        guard alphanumeric(first) else { return false }
        return prefix || alphanumeric(last)
    }
}

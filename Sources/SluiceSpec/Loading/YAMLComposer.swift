import Yams

/// Composes YAML text into ``YAMLValue`` trees with the result of Yams' default resolver, without running its
/// regular expressions on an ordinary document.
///
/// Composing resolves the tag of every mapping key: Yams compares keys, tags included, to find duplicates (`1` and
/// `"1"` differ, `a` and `"a"` do not), and its default resolver tries seven regular expressions on a plain key, all
/// seven for an ordinary one such as `name` (a fifth of loading a 10,000-task DAG). The rule-less resolver reads
/// every untagged key as a string, so it finds every duplicate the default one finds, and more only where a plain
/// key and a quoted one read alike (`1` and `"1"`). A document composed that way is kept when it succeeds and has no
/// explicit tag (which the rule-less resolver would compare differently, and the tree would drop): then the default
/// resolver composes the same nodes. Anything else (a duplicate, a syntax error, a conversion error, a tag) is
/// composed again with the default resolver, whose outcome is the answer.
enum YAMLComposer {
    /// One document of a text.
    struct Document {
        var tree: YAMLValue
        /// Yams' node of a document with explicit tags, which the tree does not keep: decoded by Yams, so that a
        /// tag decodes as it always did (`failFast: !!str true` is a string, not a boolean).
        var taggedNode: Yams.Node?
    }

    /// The documents of `text`, and the problems that kept some from becoming trees (aliases, keys that are not
    /// scalars).
    ///
    /// - Throws: Yams' error (`YamlError`) when `text` is not YAML, or has duplicate keys.
    static func documents(in text: String, file: String) throws -> (documents: [Document], errors: [SpecError]) {
        try composeExactly(file: file) { resolver in
            var iterator = try Yams.compose_all(yaml: text, resolver)
            var nodes: [Yams.Node] = []
            while let node = iterator.next() { nodes.append(node) }
            if let error = iterator.error { throw error }
            return nodes
        }
    }

    /// The one document of `text` (nil when empty), as ``documents(in:file:)``.
    ///
    /// - Throws: Yams' error when `text` is not YAML, has duplicate keys or holds more than one document.
    static func document(in text: String, file: String) throws -> (document: Document?, errors: [SpecError]) {
        let composed = try composeExactly(file: file) { resolver in
            try Yams.compose(yaml: text, resolver).map { [$0] } ?? []
        }
        return (composed.documents.first, composed.errors)
    }

    private static func composeExactly(file: String, _ compose: (Resolver) throws -> [Yams.Node]) throws
        -> (documents: [Document], errors: [SpecError])
    {
        if let nodes = try? compose(.basic) {
            let converted = convert(nodes, file: file)
            if converted.errors.isEmpty, converted.documents.allSatisfy({ $0.taggedNode == nil }) { return converted }
        }
        return convert(try compose(.default), file: file)
    }

    private static func convert(_ nodes: [Yams.Node], file: String) -> (documents: [Document], errors: [SpecError]) {
        var documents: [Document] = []
        var errors: [SpecError] = []
        for node in nodes {
            do {
                var hasExplicitTags = false
                let tree = try YAMLValue(node, file: file, hasExplicitTags: &hasExplicitTags)
                documents.append(Document(tree: tree, taggedNode: hasExplicitTags ? node : nil))
            } catch {
                errors.append(error)
            }
        }
        return (documents, errors)
    }
}

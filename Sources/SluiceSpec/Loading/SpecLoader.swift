import Foundation
package import SluiceExpressions
import Yams

/// One Argo document read from a file: the decoded model, its positioned tree and its text.
package struct WorkflowDocument: Sendable {
    package var workflow: Workflow
    /// The document as parsed, with positions: for located messages and the canonical digest.
    package var tree: YAMLValue
    package var file: String
}

/// What loading a file found: its documents and lint notes.
package struct LoadedFile: Sendable {
    package var file: String
    package var text: String
    package var documents: [WorkflowDocument]
    package var notes: [SpecNote]
}

/// Reads Argo YAML files into the typed model, keeping source positions.
///
/// ```swift
/// let loaded = try SpecLoader.load(path: "examples/ml-pipeline.yaml")
/// let workflow = loaded.documents[0].workflow
/// ```
package enum SpecLoader {
    /// Loads every document of a file (multi-document files too).
    ///
    /// - Throws: ``SpecError/invalid(errors:)`` listing every problem found (syntax, unknown or mistyped fields,
    ///   missing required fields), or ``SpecError/unreadableFile(path:reason:)``.
    package static func load(path: String, limits: InputLimits = .current) throws(SpecError) -> LoadedFile {
        try load(path: path, limits: limits, clusterFeatures: false)
    }

    /// Loads every document of a file, as ``load(path:limits:)``; with `clusterFeatures`, the fields only a cluster
    /// can honour (resource templates, PVC and secret volumes, …: what the local engine refuses as unsupported) are
    /// accepted, for `sluice kube render`.
    package static func load(path: String, limits: InputLimits = .current, clusterFeatures: Bool)
        throws(SpecError) -> LoadedFile
    {
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int,
            size > limits.documentBytes
        {
            throw .limitExceeded(
                limit: "document-bytes",
                detail: "the file is \(size) bytes, more than "
                    + "\(limits.documentBytes)", at: SourceLocation(file: path, line: 1, column: 1))
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "not readable as UTF-8 text" : "no such file"
            throw .unreadableFile(path: path, reason: reason)
        }
        return try load(text: text, file: path, limits: limits, clusterFeatures: clusterFeatures)
    }

    /// Loads every document of `text`, naming `file` in messages.
    ///
    /// - Throws: ``SpecError/limitExceeded(limit:detail:at:path:)`` before composing a text past `limits` (size,
    ///   nesting, aliases), else as ``load(path:limits:)``.
    package static func load(text: String, file: String, limits: InputLimits = .current) throws(SpecError)
        -> LoadedFile
    {
        try load(text: text, file: file, limits: limits, clusterFeatures: false)
    }

    /// Loads every document of `text` as ``load(text:file:limits:)``; `clusterFeatures` as in
    /// ``load(path:limits:clusterFeatures:)``.
    package static func load(text: String, file: String, limits: InputLimits = .current, clusterFeatures: Bool)
        throws(SpecError) -> LoadedFile
    {
        try YAMLBudget.check(text, file: file, limits: limits)
        var trees: [YAMLValue] = []
        var nodes: [Yams.Node] = []
        do {
            var iterator = try Yams.compose_all(yaml: text)
            while let node = iterator.next() {
                nodes.append(node)
            }
            if let error = iterator.error { throw error }
        } catch let error as YamlError {
            throw .invalid(errors: [syntaxError(error, file: file)])
        } catch {
            throw .invalid(errors: [
                .syntax(
                    at: SourceLocation(file: file, line: 1, column: 1),
                    problem: "\(error)", openedAt: nil)
            ])
        }
        var errors: [SpecError] = []
        for node in nodes {
            do {
                trees.append(try YAMLValue(node, file: file))
            } catch {
                errors.append(error)
            }
        }
        if !errors.isEmpty { throw .invalid(errors: errors) }

        var documents: [WorkflowDocument] = []
        var notes: [SpecNote] = []
        for (index, tree) in trees.enumerated() {
            if tree.isNull { continue }
            var checker = SchemaChecker()
            checker.check(tree, as: ArgoSchema.document, at: SpecPath())
            if let kind = tree["kind"]?.scalarText,
                !["Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate"].contains(kind)
            {
                errors.append(.notAWorkflow(at: tree["kind"]?.location ?? tree.location, kind: kind))
                continue
            }
            // Kubernetes serves Argo's kinds under one group and version only.
            if let apiVersion = tree["apiVersion"], let text = apiVersion.scalarText, text != Self.argoAPIVersion {
                errors.append(
                    .invalidValue(
                        message: "apiVersion '\(text)' is not Argo's: write '\(Self.argoAPIVersion)'",
                        at: apiVersion.location, path: "apiVersion"))
                continue
            }
            let problems = checker.errors.filter { error in
                if clusterFeatures, case .unsupported = error { return false }
                return true
            }
            errors.append(contentsOf: problems)
            notes.append(contentsOf: checker.notes)
            guard problems.isEmpty else { continue }
            do {
                let workflow = try YAMLDecoder().decode(Workflow.self, from: nodes[index])
                documents.append(WorkflowDocument(workflow: workflow, tree: tree, file: file))
            } catch let error as DecodingError {
                errors.append(decodingError(error, tree: tree))
            } catch {
                errors.append(.invalidValue(message: "\(error)", at: tree.location, path: SpecPath()))
            }
        }
        if !errors.isEmpty { throw .invalid(errors: errors) }
        if documents.isEmpty { throw .noDocuments(file: file) }
        return LoadedFile(file: file, text: text, documents: documents, notes: notes)
    }

    /// The `apiVersion` of every Argo document.
    static let argoAPIVersion = "argoproj.io/v1alpha1"

    // MARK: - Foreign errors, converted once

    private static func syntaxError(_ error: YamlError, file: String) -> SpecError {
        func location(_ mark: Mark) -> SourceLocation {
            SourceLocation(file: file, line: mark.line, column: mark.column)
        }
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let contextText = context.map { " \($0.text)" } ?? ""
            return .syntax(
                at: location(mark), problem: problem + contextText,
                openedAt: context.map { location($0.mark) })
        case .duplicatedKeysInMapping(let duplicates, let context):
            return .syntax(
                at: location(context.mark),
                problem: "duplicate keys \(duplicates.joined(separator: ", ")) in a mapping",
                openedAt: nil)
        default:
            return .syntax(at: SourceLocation(file: file, line: 1, column: 1), problem: "\(error)", openedAt: nil)
        }
    }

    private static func decodingError(_ error: DecodingError, tree: YAMLValue) -> SpecError {
        func path(_ codingPath: [any CodingKey]) -> SpecPath {
            SpecPath(
                codingPath.map { key in
                    if let index = key.intValue { return .index(index) }
                    return .key(key.stringValue)
                })
        }
        switch error {
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            let at = path(context.codingPath)
            let found = tree.value(at: at)?.kindName ?? "nothing"
            return .wrongType(expected: "\(type)", found: found, at: tree.location(of: at), path: at)
        case .keyNotFound(let key, let context):
            let at = path(context.codingPath)
            return .missingField(field: key.stringValue, at: tree.location(of: at), path: at)
        case .dataCorrupted(let context):
            let at = path(context.codingPath)
            return .invalidValue(message: context.debugDescription, at: tree.location(of: at), path: at)
        @unknown default:
            return .invalidValue(message: "\(error)", at: tree.location, path: SpecPath())
        }
    }
}

extension YAMLValue {
    /// Copies a composed Yams node into our positioned tree.
    init(_ node: Yams.Node, file: String) throws(SpecError) {
        func location(_ mark: Mark?) -> SourceLocation {
            SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
        }
        switch node {
        case .scalar(let scalar):
            self = .scalar(scalar.string, isPlain: scalar.style == .plain, at: location(scalar.mark))
        case .sequence(let sequence):
            var elements: [YAMLValue] = []
            for element in sequence { elements.append(try YAMLValue(element, file: file)) }
            self = .sequence(elements, at: location(sequence.mark))
        case .mapping(let mapping):
            var entries: [Entry] = []
            for (key, value) in mapping {
                guard let keyText = key.scalar?.string else {
                    throw .invalidValue(
                        message: "mapping keys must be scalars", at: location(key.mark),
                        path: SpecPath())
                }
                entries.append(
                    Entry(
                        key: keyText, keyLocation: location(key.mark),
                        value: try YAMLValue(value, file: file)))
            }
            self = .mapping(entries, at: location(mapping.mark))
        case .alias(let alias):
            throw .unsupported(
                feature: "YAML alias", at: location(alias.mark), path: SpecPath(),
                reason: "write the value out instead of '*\(alias.anchor.rawValue)'")
        }
    }
}

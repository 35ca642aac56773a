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
        let composed: [YAMLComposer.Document]
        var errors: [SpecError]
        do {
            (composed, errors) = try YAMLComposer.documents(in: text, file: file)
        } catch let error as YamlError {
            throw .invalid(errors: [syntaxError(error, file: file)])
        } catch {
            throw .invalid(errors: [
                .syntax(
                    at: SourceLocation(file: file, line: 1, column: 1),
                    problem: "\(error)", openedAt: nil)
            ])
        }
        if !errors.isEmpty { throw .invalid(errors: errors) }

        var documents: [WorkflowDocument] = []
        var notes: [SpecNote] = []
        for document in composed {
            let tree = document.tree
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
                let workflow =
                    if let node = document.taggedNode {
                        try YAMLDecoder().decode(Workflow.self, from: node)
                    } else {
                        try YAMLValueDecoder.decode(Workflow.self, from: tree)
                    }
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
        var hasExplicitTags = false
        try self.init(node, file: file, hasExplicitTags: &hasExplicitTags)
    }

    /// Copies a composed Yams node into our positioned tree, setting `hasExplicitTags` when a node carries a tag the
    /// tree does not keep (`!!str true`, `!!bool "yes"`, `!!map`: any tag but a plain scalar's or a collection's
    /// implicit one, a quoted or block scalar's `str`, and a key's resolved `str`).
    init(_ node: Yams.Node, file: String, hasExplicitTags: inout Bool) throws(SpecError) {
        func location(_ mark: Mark?) -> SourceLocation {
            SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
        }
        switch node {
        case .scalar(let scalar):
            let isPlain = scalar.style == .plain
            if scalar.tag.rawValue != (isPlain ? Tag.Name.implicit : Tag.Name.str).rawValue { hasExplicitTags = true }
            self = .scalar(scalar.string, isPlain: isPlain, at: location(scalar.mark))
        case .sequence(let sequence):
            var elements: [YAMLValue] = []
            for element in sequence {
                elements.append(try YAMLValue(element, file: file, hasExplicitTags: &hasExplicitTags))
            }
            if sequence.tag.rawValue != Tag.Name.implicit.rawValue { hasExplicitTags = true }
            self = .sequence(elements, at: location(sequence.mark))
        case .mapping(let mapping):
            var entries: [Entry] = []
            for (key, value) in mapping {
                guard let keyScalar = key.scalar else {
                    throw .invalidValue(
                        message: "mapping keys must be scalars", at: location(key.mark),
                        path: SpecPath())
                }
                // Composing resolved the key's tag: `str` unless the key has an explicit tag (or the default
                // resolver read it as another type).
                let keyTag = keyScalar.tag.rawValue
                if keyTag != Tag.Name.str.rawValue, keyTag != Tag.Name.implicit.rawValue { hasExplicitTags = true }
                entries.append(
                    Entry(
                        key: keyScalar.string, keyLocation: location(key.mark),
                        value: try YAMLValue(value, file: file, hasExplicitTags: &hasExplicitTags)))
            }
            if mapping.tag.rawValue != Tag.Name.implicit.rawValue { hasExplicitTags = true }
            self = .mapping(entries, at: location(mapping.mark))
        case .alias(let alias):
            throw .unsupported(
                feature: "YAML alias", at: location(alias.mark), path: SpecPath(),
                reason: "write the value out instead of '*\(alias.anchor.rawValue)'")
        }
    }
}

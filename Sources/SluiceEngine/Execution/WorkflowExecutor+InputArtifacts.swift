import Foundation
import SluiceGovernance
import SluiceRuntimes
import SluiceSpec
import SluiceStore

extension WorkflowExecutor {
    /// Resolves one input artifact to stored bytes: from another node (`from`, `fromExpression`), inline (`raw`) or
    /// fetched from outside (`http`, `git`), then narrowed by `subPath`.
    ///
    /// The caller's argument wins when it gives a source; otherwise the template's own declaration is used.
    /// - Returns: nil for an `optional` artifact that has no source or whose source does not resolve.
    /// - Throws: ``EngineError`` naming the artifact when it cannot be resolved, fetched or narrowed.
    func resolveInputArtifact(
        _ input: Artifact, argument: Artifact?, callerRenderer: Renderer, ownRenderer: Renderer, nodeName: String
    ) async throws(EngineError) -> ResolvedArtifact? {
        let context = "input artifact '\(input.name)' of '\(nodeName)'"
        let isOptional = input.optional == true || argument?.optional == true
        let supplied = argument.flatMap { Self.hasSource($0) ? $0 : nil }
        let source = supplied ?? input
        var renderer = supplied != nil ? callerRenderer : ownRenderer
        let fetcher = ArtifactFetcher(store: artifacts, lineage: lineage, stagingDirectory: runDirectory)
        var reference: ArtifactReference?
        var origin: String?
        var fetchedFrom: LineagePredicate.Input.Origin?
        var provenance: Set<ValueSource> = []
        if let from = source.from {
            origin = from
            do {
                reference = try renderer.artifact(from, context: context)
            } catch {
                if !isOptional { throw error }
            }
        } else if let expression = source.fromExpression {
            origin = expression
            reference = try renderer.artifact(fromExpression: expression, context: "fromExpression of \(context)")
        } else if let raw = source.raw {
            let data = try renderer.render(raw.data, context: context)
            provenance = renderer.lastSources
            reference = try storeRaw(data, name: input.name)
        } else if let http = source.http {
            let url = try renderer.render(http.url, context: "http.url of \(context)")
            var headers: [HTTPHeader] = []
            for header in http.headers ?? [] {
                headers.append(
                    HTTPHeader(
                        name: header.name, value: try renderer.render(header.value, context: "header of \(context)")))
            }
            reference = try await fetcher.download(url, headers: headers, name: input.name)
            origin = url
            fetchedFrom = .init(uri: ArtifactFetcher.originURI(url))
        } else if var git = source.git {
            git.repo = try renderer.render(git.repo, context: "git.repo of \(context)")
            git.revision = try renderer.renderOptional(git.revision, context: "git.revision of \(context)")
            let (cloned, commit) = try await fetcher.clone(git, name: input.name)
            reference = cloned
            origin = "git+\(git.repo)@\(commit)"
            fetchedFrom = .init(uri: ArtifactFetcher.originURI(git.repo), commit: commit)
        }
        guard let reference else {
            if isOptional { return nil }
            if source.fromExpression != nil {
                throw .artifactUnavailable(name: input.name, reason: "its fromExpression evaluated to nil")
            }
            throw .artifactUnavailable(
                name: input.name,
                reason: "'\(nodeName)' was given no source for it (from, fromExpression, raw, http or git)")
        }
        let subPathText = argument?.subPath ?? input.subPath
        let subPath = try renderer.renderOptional(subPathText, context: "subPath of \(context)")
        if let subPath { try checkSubPath(subPath, of: reference, name: input.name) }
        return ResolvedArtifact(
            name: input.name, path: input.path, reference: reference, from: origin,
            subPath: subPath.flatMap { $0.isEmpty ? nil : $0 }, fetchedFrom: fetchedFrom, provenance: provenance)
    }

    /// Whether an argument gives the artifact's content (rather than only naming it).
    private static func hasSource(_ artifact: Artifact) -> Bool {
        artifact.from != nil || artifact.fromExpression != nil || artifact.raw != nil || artifact.http != nil
            || artifact.git != nil
    }

    /// Checks that `subPath` is a relative path inside the directory artifact `reference` that exists.
    private func checkSubPath(_ subPath: String, of reference: ArtifactReference, name: String) throws(EngineError) {
        guard !subPath.isEmpty else { return }
        let components = subPath.split(separator: "/", omittingEmptySubsequences: true)
        guard !subPath.hasPrefix("/"), !components.contains("..") else {
            throw .artifactUnavailable(
                name: name, reason: "subPath '\(subPath)' must be a relative path that stays inside the artifact")
        }
        guard reference.kind == .directory else {
            throw .artifactUnavailable(
                name: name, reason: "subPath '\(subPath)' needs a directory artifact, not a file")
        }
        // The stored tree keeps the producer's links as links: a subPath through one would make the bind mount
        // follow it on the host.
        let kind: NodeFileView.Opened.Kind?
        do {
            kind = try LinkFreePath.kind(of: subPath, below: reference.storedPath)
        } catch {
            throw .artifactUnavailable(name: name, reason: "subPath '\(subPath)': \(error.description)")
        }
        guard kind != nil else {
            throw .artifactUnavailable(name: name, reason: "subPath '\(subPath)' does not exist in the artifact")
        }
    }
}

extension WorkflowExecutor {
    /// Where to collect an output declared at a top-level path `/NAME` that the node wrote relative to its working
    /// directory: the process runtime cannot let a node create entries in `/`, and its default working directory
    /// stands in for the image's (usually `/`), so `NAME` there is the file Argo would find at `/NAME`.
    ///
    /// Applies only to the process runtime, when the template sets no `workingDir`, and when what was collected at
    /// `/NAME` is missing, or the empty file or directory the engine made for it.
    func topLevelOutputFallback(
        _ path: String, of template: Template, invocation: NodeInvocation, view: NodeFileView
    ) -> String {
        let parent = (path as NSString).deletingLastPathComponent
        guard runtime.kind == RuntimeKind.process.rawValue, parent == "/", path.count > 1,
            (template.container?.workingDir ?? template.script?.workingDir) == nil
        else { return path }
        switch view.entryKind(path) {
        case .nonEmptyDirectory: return path
        case .file:
            // The engine binds an empty file at a top-level output path: still empty, the node wrote elsewhere.
            guard let opened = try? view.open(path) else { return path }
            opened.close()
            if opened.size > 0 { return path }
        case .missing, .emptyDirectory: break
        }
        let candidate = invocation.sandbox.defaultWorkingDirectory + path
        return view.entryKind(candidate) == .missing ? path : candidate
    }
}

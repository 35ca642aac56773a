import Foundation
import SluiceExpressions
import SluiceGovernance
import SluiceRuntimes
import SluiceSpec
import SluiceStore

#if canImport(Glibc)
    import Glibc
#endif

extension WorkflowExecutor {
    /// The most of stdout kept as `outputs.result`: Argo keeps the last 256 KiB.
    static let resultLimit = 256 * 1024
    /// The largest output parameter file read; a larger one fails the node (an artifact carries large data).
    static let parameterLimit = 1024 * 1024

    /// Collects a finished pod's outputs: `outputs.result` from its stdout, parameters and artifacts from what it
    /// wrote, read through the runtime's view of the node's own directories (never by resolving a path the node
    /// or its template named on the host). Artifacts are copied into the store, which hashes the bytes it writes.
    ///
    /// - Parameters:
    ///   - mainStarted: whether the main container started (no result when an init container failed first).
    ///   - strict: whether a missing non-optional output is an error (the node succeeded).
    func collectOutputs(
        of template: Template, into outputs: inout NodeOutputs, node: NodeState, scope: VariableScope,
        invocation: NodeInvocation, mainStarted: Bool, strict: Bool
    ) throws(EngineError) {
        var renderer = Renderer(scope: scope)
        outputs.result = mainStarted ? try Self.readResult(stdoutPath: invocation.stdoutPath) : nil
        // Built on first use: most nodes declare no file outputs.
        lazy var view = runtime.fileView(of: invocation.sandbox)
        let workingDirectory = invocation.workingDirectory ?? invocation.sandbox.defaultWorkingDirectory
        let inNode = { (path: String) in DeclaredPath.absolute(path, workingDirectory: workingDirectory) }
        for parameter in template.outputs?.parameters ?? [] {
            let context = "output parameter '\(parameter.name)'"
            if let path = parameter.valueFrom?.path {
                let rendered = try renderer.render(path, context: context)
                let located = topLevelOutputFallback(
                    inNode(try Self.plainPath(rendered, output: parameter.name)), of: template,
                    invocation: invocation, view: view)
                if let value = try Self.readParameter(parameter.name, at: located, in: view) {
                    outputs.parameters.append(ParameterValue(name: parameter.name, value: value))
                } else if let fallback = parameter.valueFrom?.default?.value {
                    outputs.parameters.append(ParameterValue(name: parameter.name, value: fallback))
                } else if strict {
                    throw .outputMissing(name: parameter.name, path: rendered)
                }
            } else if let expression = parameter.valueFrom?.expression {
                var scope = renderer.scope
                if let result = outputs.result { scope.set("outputs.result", result) }
                if let exitCode = outputs.exitCode { scope.set("exitCode", exitCode) }
                for earlier in outputs.parameters { scope.set("outputs.parameters.\(earlier.name)", earlier.value) }
                var expressionRenderer = Renderer(scope: scope)
                do {
                    outputs.parameters.append(
                        ParameterValue(
                            name: parameter.name,
                            value: try expressionRenderer.render("{{=\(expression)}}", context: context)))
                } catch {
                    guard let fallback = parameter.valueFrom?.default?.value else { throw error }
                    outputs.parameters.append(ParameterValue(name: parameter.name, value: fallback))
                }
            } else if let value = parameter.value?.value {
                outputs.parameters.append(
                    ParameterValue(name: parameter.name, value: try renderer.render(value, context: context)))
            }
        }
        for artifact in template.outputs?.artifacts ?? [] {
            guard let path = artifact.path else { continue }
            let rendered = try renderer.render(path, context: "output artifact '\(artifact.name)'")
            let located = topLevelOutputFallback(
                inNode(try Self.plainPath(rendered, output: artifact.name)), of: template, invocation: invocation,
                view: view)
            guard let collected = try storeArtifact(artifact.name, at: located, in: view) else {
                if artifact.optional == true || !strict { continue }
                throw .outputMissing(name: artifact.name, path: rendered)
            }
            outputs.artifacts.append(
                OutputArtifact(
                    name: artifact.name, path: rendered, digest: collected.stored.digest.hex, kind: collected.kind,
                    storedPath: collected.stored.path, producerNodeID: node.id,
                    producerDisplayName: node.displayName, envelopeDigest: nil))
        }
    }

    /// `outputs.result` as Argo's executor delivers it: stdout with one trailing newline trimmed, then its last
    /// ``resultLimit`` bytes; empty when the node printed nothing (its log was never made: call it for a node that
    /// ran), `nil` when the log cannot be read. Only that tail is read, however much the node printed.
    static func readResult(stdoutPath: String) throws(EngineError) -> String? {
        let descriptor = open(stdoutPath, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { return errno == ENOENT ? "" : nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        let tail: (bytes: [UInt8], truncated: Bool)
        do {
            tail = try NodeFileView.readTail(
                descriptor: descriptor, size: Int64(info.st_size), limit: resultLimit + 1, path: stdoutPath)
        } catch {
            throw .outputRefused(name: "result", reason: error.description)
        }
        var bytes = tail.bytes[...]
        if bytes.last == UInt8(ascii: "\n") { bytes = bytes.dropLast() }
        return String(decoding: bytes.suffix(resultLimit), as: UTF8.self)
    }

    /// The value of an output parameter file in the node's view (one trailing newline trimmed, as Argo does), or
    /// `nil` when nothing is there.
    static func readParameter(_ name: String, at path: String, in view: NodeFileView) throws(EngineError) -> String? {
        let read: (bytes: [UInt8], truncated: Bool)?
        do {
            read = try view.readTail(path, limit: parameterLimit)
        } catch {
            throw .outputRefused(name: name, reason: error.description)
        }
        guard let read else { return nil }
        guard !read.truncated else {
            throw .outputRefused(
                name: name,
                reason: "'\(path)' is larger than \(parameterLimit / 1024) KiB; pass large data as an artifact")
        }
        var value = String(decoding: read.bytes, as: UTF8.self)
        if value.hasSuffix("\n") { value.removeLast() }
        return value
    }

    /// Copies the file or directory at `path` in the node's view into the artifact store; `nil` when nothing is
    /// there.
    func storeArtifact(_ name: String, at path: String, in view: NodeFileView) throws(EngineError)
        -> (stored: ArtifactStore.Stored, kind: ArtifactReference.Kind)?
    {
        let opened: NodeFileView.Opened?
        do {
            opened = try view.open(path)
        } catch {
            throw .outputRefused(name: name, reason: error.description)
        }
        guard let opened else { return nil }
        defer { opened.close() }
        do {
            switch opened.kind {
            case .file:
                return (try artifacts.ingest(fileDescriptor: opened.descriptor, displayPath: path), .file)
            case .directory:
                return (try artifacts.ingest(directoryDescriptor: opened.descriptor, displayPath: path), .directory)
            }
        } catch {
            throw .artifactUnavailable(name: name, reason: error.description)
        }
    }
}

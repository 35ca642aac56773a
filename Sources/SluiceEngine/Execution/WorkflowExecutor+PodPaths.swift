import Foundation
import SluiceRuntimes

extension WorkflowExecutor {
    /// A private, empty host file bound at `path`, a declared output directly under `/` (`/output`, `/result.txt`):
    /// the root of a node is read-only, so the file must exist before the node starts, as in a container's layer.
    ///
    /// - Throws: ``EngineError/stateUnavailable(reason:)`` when the host file cannot be made.
    static func topLevelFileBind(_ path: String, nodeDirectory: String, where context: String) throws(EngineError)
        -> SandboxLayout.Bind
    {
        let directory = nodeDirectory + "/root-files"
        let hostFile = directory + "/" + String(path.dropFirst())
        try makeNodeDirectory(nodeDirectory)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            if !FileManager.default.createFile(atPath: hostFile, contents: Data()) {
                throw EngineError.stateUnavailable(reason: "cannot create '\(hostFile)'")
            }
        } catch {
            throw .stateUnavailable(reason: "cannot prepare output '\(path)' of \(context): \(error)")
        }
        return SandboxLayout.Bind(hostPath: hostFile, sandboxPath: path)
    }

    /// Whether an output artifact declared directly under `/` is a file: unless it is a directory of the host's
    /// filesystem (`/etc`), or the node's command, args or script name something inside it (`/out/…`).
    static func isTopLevelFile(_ path: String, commandText: String) -> Bool {
        let parent = (path as NSString).deletingLastPathComponent
        guard path.hasPrefix("/"), parent == "/", !commandText.contains(path + "/") else { return false }
        var isDirectory: ObjCBool = false
        return !(FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue)
    }

    /// Whether an input artifact at `inputPath` is also written as an output (the same path, or one inside the
    /// other): the node then gets a writable copy, as Argo's input artifacts live in a writable volume.
    static func isAlsoOutput(_ inputPath: String, outputPaths: [String]) -> Bool {
        outputPaths.contains { output in
            output == inputPath || output.hasPrefix(inputPath + "/") || inputPath.hasPrefix(output + "/")
        }
    }

    /// A writable private copy of a stored input artifact (file or tree), in the node's directory.
    ///
    /// - Throws: ``EngineError/artifactUnavailable(name:reason:)`` when it cannot be copied.
    static func writableCopy(of hostPath: String, name: String, index: Int, nodeDirectory: String)
        throws(EngineError) -> String
    {
        let directory = nodeDirectory + "/writable-inputs"
        let copy = directory + "/\(index)"
        let fileManager = FileManager.default
        do {
            try makeNodeDirectory(nodeDirectory)
            try fileManager.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try fileManager.copyItem(atPath: hostPath, toPath: copy)
            try makeWritable(copy)
        } catch {
            throw .artifactUnavailable(name: name, reason: "cannot make a writable copy: \(error.localizedDescription)")
        }
        return copy
    }

    /// Adds the owner's write (and, for directories, search) permission to `path` and everything below it.
    private static func makeWritable(_ path: String) throws {
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        guard fileManager.fileExists(atPath: path, isDirectory: &isDirectory) else { return }
        let mode: Int = isDirectory.boolValue ? 0o755 : 0o644
        try fileManager.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        guard isDirectory.boolValue else { return }
        for entry in try fileManager.contentsOfDirectory(atPath: path) {
            try makeWritable(path + "/" + entry)
        }
    }
}

#if canImport(Glibc)
    import Glibc
#endif

/// Finds a node's executable the way `execvp` would, but in the node's view of the filesystem and with the
/// node's own `PATH`, never the engine's.
enum ExecutableLocator {
    /// The in-sandbox path of `executable`.
    ///
    /// - Parameters:
    ///   - executable: `argv[0]` as written; with a `/` it is taken as a path (relative to `workingDirectory`).
    ///   - searchPath: the node's `PATH`, or `nil` when its environment has none.
    ///   - hostPath: maps an in-sandbox path to the host path to inspect.
    /// - Throws: ``RuntimeError/executableNotFound(node:executable:searchPath:)``.
    static func locate(
        _ executable: String,
        searchPath: String?,
        workingDirectory: String,
        node: String,
        hostPath: (String) -> String
    ) throws(RuntimeError) -> String {
        if executable.contains("/") {
            let path = executable.hasPrefix("/") ? executable : SandboxPath.join(workingDirectory, executable)
            guard isExecutableFile(hostPath(path)) else {
                throw .executableNotFound(node: node, executable: executable, searchPath: searchPath)
            }
            return path
        }
        guard let searchPath, !executable.isEmpty else {
            throw .executableNotFound(node: node, executable: executable, searchPath: searchPath)
        }
        for directory in searchPath.split(separator: ":", omittingEmptySubsequences: false) {
            // POSIX: an empty PATH entry means the current directory.
            let base = directory.isEmpty ? workingDirectory : String(directory)
            let absolute = base.hasPrefix("/") ? base : SandboxPath.join(workingDirectory, base)
            let candidate = SandboxPath.join(absolute, executable)
            if isExecutableFile(hostPath(candidate)) { return candidate }
        }
        throw .executableNotFound(node: node, executable: executable, searchPath: searchPath)
    }

    /// Whether `path` (following symlinks) is a regular file this process may execute.
    static func isExecutableFile(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return false }
        return access(path, X_OK) == 0
    }
}

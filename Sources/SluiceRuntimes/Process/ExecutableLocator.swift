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
    ///   - cache: lookups through the read-only host kept for the next nodes (see ``ExecutableCache``); only for
    ///     a sandboxed node, whose host view nodes cannot change.
    /// - Throws: ``RuntimeError/executableNotFound(node:executable:searchPath:)``.
    static func locate(
        _ executable: String,
        searchPath: String?,
        workingDirectory: String,
        node: String,
        hostPath: (String) -> String,
        cache: ExecutableCache? = nil
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
        let directories = searchPath.split(separator: ":", omittingEmptySubsequences: false)
        // Whether the candidate in entry `index` is the read-only host's own path, the same for every node.
        func isOnHost(_ index: Int) -> Bool {
            let directory = directories[index]
            guard directory.hasPrefix("/") else { return false }
            let candidate = SandboxPath.join(String(directory), executable)
            return hostPath(candidate) == candidate
        }
        if let cache, let index = cache.entryIndex(of: executable, searchPath: searchPath),
            index < directories.count, (0...index).allSatisfy(isOnHost)
        {
            let candidate = SandboxPath.join(String(directories[index]), executable)
            if isExecutableFile(candidate) { return candidate }
        }
        for (index, directory) in directories.enumerated() {
            // POSIX: an empty PATH entry means the current directory.
            let base = directory.isEmpty ? workingDirectory : String(directory)
            let absolute = base.hasPrefix("/") ? base : SandboxPath.join(workingDirectory, base)
            let candidate = SandboxPath.join(absolute, executable)
            if isExecutableFile(hostPath(candidate)) {
                if let cache, (0...index).allSatisfy(isOnHost) {
                    cache.keep(executable, searchPath: searchPath, entryIndex: index)
                }
                return candidate
            }
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

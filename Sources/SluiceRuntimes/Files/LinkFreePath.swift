#if canImport(Glibc)
    import Glibc
#endif

/// Relative paths below an engine-owned host directory (a stored artifact tree, a pod's volume), walked one
/// component at a time without following any link: what a node put there can never redirect the engine, or a
/// bind mount the engine asks for, to somewhere else on the host.
package enum LinkFreePath {
    /// What is at `relative` below `root`: a file, a directory, or `nil` when nothing is there.
    /// - Throws: ``ConfinementError`` for an absolute path, a `..` segment, a link on the way or at the end, or a
    ///   special file.
    package static func kind(of relative: String, below root: String) throws(ConfinementError)
        -> NodeFileView.Opened.Kind?
    {
        try walk(relative, below: root, creating: false)
    }

    /// Creates the missing directories of `relative` below `root` (mode 0755), refusing links on the way.
    /// - Throws: ``ConfinementError``, also when an existing component is not a directory.
    package static func makeDirectories(_ relative: String, below root: String) throws(ConfinementError) {
        guard try walk(relative, below: root, creating: true) == .directory else {
            throw .notADirectory(path: relative, component: relative)
        }
    }

    private static func walk(_ relative: String, below root: String, creating: Bool) throws(ConfinementError)
        -> NodeFileView.Opened.Kind?
    {
        let components = relative.split(separator: "/").map(String.init).filter { !$0.isEmpty && $0 != "." }
        guard !relative.hasPrefix("/"), !components.contains("..") else { throw .notPlainAbsolute(path: relative) }
        var current = open(root, O_PATH_FLAG | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard current >= 0 else { throw .unreadable(path: root, reason: String(cString: strerror(errno))) }
        defer { _ = close(current) }
        for (index, name) in components.enumerated() {
            let isLast = index == components.count - 1
            var next = openat(current, name, O_PATH_FLAG | O_NOFOLLOW | O_CLOEXEC)
            if next < 0, errno == ENOENT, creating {
                guard mkdirat(current, name, 0o755) == 0 || errno == EEXIST else {
                    throw .unreadable(path: relative, reason: String(cString: strerror(errno)))
                }
                next = openat(current, name, O_PATH_FLAG | O_NOFOLLOW | O_CLOEXEC)
            }
            guard next >= 0 else {
                if errno == ENOENT { return nil }
                throw .unreadable(path: relative, reason: String(cString: strerror(errno)))
            }
            var info = stat()
            guard fstat(next, &info) == 0 else {
                _ = close(next)
                throw .unreadable(path: relative, reason: String(cString: strerror(errno)))
            }
            let shown = components.prefix(index + 1).joined(separator: "/")
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                _ = close(current)
                current = next
            case S_IFREG where isLast:
                _ = close(next)
                return .file
            case S_IFREG:
                _ = close(next)
                throw .notADirectory(path: relative, component: shown)
            case S_IFLNK:
                _ = close(next)
                throw .linkLeavesNodeFiles(path: relative, link: shown, target: "(links are not followed here)")
            default:
                _ = close(next)
                throw .unsupportedType(path: relative, type: "special file")
            }
        }
        return .directory
    }
}

/// `O_PATH`, which Swift's Glibc module does not export: a descriptor that names a file without opening it.
let O_PATH_FLAG: Int32 = 0o10_000_000

/// Checks on paths as a workflow declares them.
package enum DeclaredPath {
    /// Whether `path` has no `..` segment (it may be relative: then it is read in the node's working directory).
    package static func isPlain(_ path: String) -> Bool {
        !path.split(separator: "/", omittingEmptySubsequences: true).contains("..")
    }

    /// `path` made absolute in the node's view: a relative path names a file in `workingDirectory`.
    package static func absolute(_ path: String, workingDirectory: String) -> String {
        path.hasPrefix("/") ? path : SandboxPath.join(workingDirectory, path)
    }
}

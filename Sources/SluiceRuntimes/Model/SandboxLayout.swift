/// Where a node's private filesystem lives on the host and what the node sees.
///
/// With bubblewrap isolation the node sees the host read-only, except each private path (backed by the host
/// directory `nodeDirectory/root/<path>`), the default working directory `nodeDirectory/work` (bound writable at
/// the same path) and the read-only binds. Without isolation the paths are the host's own; see
/// ``ProcessRuntime`` for what that mode does not protect.
package struct SandboxLayout: Sendable, Equatable {
    /// A host path made visible at a path inside the sandbox (read-only or writable, by the list holding it).
    package struct Bind: Sendable, Equatable {
        /// The existing host file or directory.
        package var hostPath: String
        /// The absolute path where the node sees it.
        package var sandboxPath: String

        /// Creates a bind of `hostPath` at `sandboxPath`.
        package init(hostPath: String, sandboxPath: String) {
            self.hostPath = hostPath
            self.sandboxPath = sandboxPath
        }
    }

    /// The host directory owned by this node; the engine creates it, the runtime creates `root/` and `work/` in it.
    package var nodeDirectory: String
    /// Absolute in-sandbox directories that must be private and writable, e.g. `/mnt/out` (the parents of declared
    /// output paths); `/tmp` is always private, whether listed or not.
    package var privatePaths: [String]
    /// Host files or directories the node reads (input artifacts, the staged script), mounted read-only.
    package var readOnlyBinds: [Bind]
    /// Existing host directories the node shares with others and may write (`emptyDir` volumes of a pod), bound
    /// writable at their sandbox paths. A private path at or below a writable bind is dropped (the volume wins).
    /// Without isolation the node uses the sandbox path itself (created if missing), so nodes sharing a volume share
    /// that host path.
    package var writableBinds: [Bind] = []
    /// Host paths (directories or files) the node must not see at all, such as the state directory and the signing
    /// key: under bubblewrap a directory is covered by an empty tmpfs and a file by `/dev/null`. Mounts that lie
    /// inside a hidden directory (the node's own work directory) are made on top. Without isolation nothing can be
    /// hidden.
    package var hiddenPaths: [String] = []
    /// The absolute in-sandbox paths the engine reads after the node (its declared outputs), or `nil` when unknown.
    ///
    /// When known, the sandbox launcher's server gives a private path that holds none of them (and the default
    /// working directory, where its mount point needs no host directory) a tmpfs instead of a host directory under
    /// `nodeDirectory`: nothing is made or deleted on the host for it, and what the node writes there is gone with it.
    package var readBackPaths: [String]?
    /// A small file the engine reads the last 4 KiB of after the node (Argo's progress file), when it has one: kept
    /// at its host path even when it lies in a tmpfs (copied there once the node ended, if the node made it).
    package var progressFile: String?

    /// Creates a layout; `privatePaths` need not list `/tmp`.
    package init(
        nodeDirectory: String, privatePaths: [String] = [], readOnlyBinds: [Bind] = [], hiddenPaths: [String] = [],
        writableBinds: [Bind] = []
    ) {
        self.nodeDirectory = nodeDirectory
        self.privatePaths = privatePaths
        self.readOnlyBinds = readOnlyBinds
        self.hiddenPaths = hiddenPaths
        self.writableBinds = writableBinds
    }

    /// The host directory backing the private in-sandbox path `path`: `nodeDirectory/root/<path>`.
    package func hostDirectory(forPrivatePath path: String) -> String {
        SandboxPath.join(SandboxPath.normalized(nodeDirectory) ?? nodeDirectory, "root", path)
    }

    /// The default working directory of the node, `nodeDirectory/work`, the same path on the host and inside.
    package var defaultWorkingDirectory: String {
        SandboxPath.join(SandboxPath.normalized(nodeDirectory) ?? nodeDirectory, "work")
    }
}

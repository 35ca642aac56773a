import Foundation

/// A node's layout after validation: every mount in mount order, and where the node starts.
///
/// Mounts are normalized absolute paths, deduplicated, parents before children, writable before read-only at the
/// same depth. The default working directory `nodeDirectory/work` is always a writable mount at its own path, so a
/// node directory under the host's `/tmp` stays reachable inside the private `/tmp`.
struct SandboxPlan: Sendable {
    /// One mount of a host path at a sandbox path.
    struct Mount: Sendable, Equatable {
        var hostPath: String
        var sandboxPath: String
        var isWritable: Bool
        /// A private path or the default working directory: backed by a host directory of the node, or a tmpfs.
        var isPrivate = false
        /// A tmpfs instead of `hostPath` (see ``SandboxPlan/withTmpfs(for:)``).
        var isTmpfs = false
    }

    /// Files to copy out of a tmpfs once the node ended: in-sandbox path, path relative to the node's directory.
    var savedFiles: [(sandboxPath: String, nodeRelativePath: String)] = []

    var mounts: [Mount]
    var workingDirectory: String
    /// Normalized host paths to hide from the node (see ``SandboxLayout/hiddenPaths``).
    var hiddenPaths: [String] = []

    /// Builds the plan, skipping invalid paths; use ``validated(_:)`` before running.
    init(layout: SandboxLayout, workingDirectory: String? = nil) {
        var mounts: [Mount] = []
        var seenWritable: Set<String> = []
        let workDirectory = layout.defaultWorkingDirectory
        let shared = layout.writableBinds.compactMap { SandboxPath.normalized($0.sandboxPath) }.filter { $0 != "/" }
        for path in ["/tmp"] + layout.privatePaths {
            guard let normalized = SandboxPath.normalized(path), normalized != "/" else { continue }
            // A volume bound at or above a private path holds that path's files: the private mount would hide them.
            if shared.contains(where: { SandboxPath.isWithin(normalized, $0) }) { continue }
            guard seenWritable.insert(normalized).inserted else { continue }
            mounts.append(
                Mount(
                    hostPath: layout.hostDirectory(forPrivatePath: normalized), sandboxPath: normalized,
                    isWritable: true, isPrivate: true)
            )
        }
        if let normalizedWork = SandboxPath.normalized(workDirectory), seenWritable.insert(normalizedWork).inserted {
            mounts.append(
                Mount(hostPath: normalizedWork, sandboxPath: normalizedWork, isWritable: true, isPrivate: true))
        }
        for bind in layout.writableBinds {
            guard let sandboxPath = SandboxPath.normalized(bind.sandboxPath), sandboxPath != "/" else { continue }
            guard seenWritable.insert(sandboxPath).inserted else { continue }
            mounts.append(Mount(hostPath: bind.hostPath, sandboxPath: sandboxPath, isWritable: true))
        }
        for bind in layout.readOnlyBinds {
            guard let sandboxPath = SandboxPath.normalized(bind.sandboxPath), sandboxPath != "/" else { continue }
            mounts.append(Mount(hostPath: bind.hostPath, sandboxPath: sandboxPath, isWritable: false))
        }
        // Stable sort: parents first, so a child mount lands on top of its parent's mount.
        self.mounts = mounts.enumerated()
            .sorted { lhs, rhs in
                let (left, right) = (
                    SandboxPath.depth(lhs.element.sandboxPath), SandboxPath.depth(rhs.element.sandboxPath)
                )
                return left != right ? left < right : lhs.offset < rhs.offset
            }
            .map(\.element)
        self.workingDirectory = workingDirectory.flatMap(SandboxPath.normalized) ?? workDirectory
        self.hiddenPaths = layout.hiddenPaths.compactMap(SandboxPath.normalized).filter { $0 != "/" }
    }

    /// The plan for `invocation`, or the first invalid path as ``RuntimeError/invalidSandboxPath(node:path:)``.
    static func validated(_ invocation: NodeInvocation) throws(RuntimeError) -> SandboxPlan {
        let layout = invocation.sandbox
        let node = invocation.nodeName
        var sandboxPaths =
            layout.privatePaths + layout.readOnlyBinds.map(\.sandboxPath) + layout.writableBinds.map(\.sandboxPath)
        if let workingDirectory = invocation.workingDirectory { sandboxPaths.append(workingDirectory) }
        for path in sandboxPaths {
            guard let normalized = SandboxPath.normalized(path), normalized != "/" else {
                throw .invalidSandboxPath(node: node, path: path)
            }
        }
        guard SandboxPath.normalized(layout.nodeDirectory) != nil else {
            throw .invalidSandboxPath(node: node, path: layout.nodeDirectory)
        }
        return SandboxPlan(layout: layout, workingDirectory: invocation.workingDirectory)
    }

    /// The plan with a tmpfs for each private mount nothing is read back from, and the progress file saved out of
    /// its tmpfs; `self` when `layout` does not say what is read back.
    ///
    /// A private path needs its host directory when a read-back path lies in it (or it in one), or when its mount
    /// point would have to be made on the host: one missing there outside an earlier tmpfs and the hidden
    /// directories (the default working directory, bound at its own host path, counts as missing).
    func withTmpfs(for layout: SandboxLayout) -> SandboxPlan {
        guard let readBack = layout.readBackPaths?.compactMap(SandboxPath.normalized) else { return self }
        let hiddenDirectories = hiddenPaths.filter(HostFiles.isDirectory)
        var plan = self
        for index in plan.mounts.indices where plan.mounts[index].isPrivate {
            let mount = plan.mounts[index]
            if readBack.contains(where: {
                SandboxPath.isWithin($0, mount.sandboxPath) || SandboxPath.isWithin(mount.sandboxPath, $0)
            }) {
                continue
            }
            // The launcher makes a missing mount point only inside another tmpfs or a hidden directory (a private
            // path missing on the host, `/work/here`, stays a host directory: bwrap makes its mount point).
            let inTmpfs = plan.mounts[..<index].contains {
                $0.isTmpfs && SandboxPath.isWithin(mount.sandboxPath, $0.sandboxPath)
            }
            let hasMountPoint =
                mount.hostPath != mount.sandboxPath && HostFiles.isDirectory(mount.sandboxPath)
            guard
                hasMountPoint || inTmpfs
                    || hiddenDirectories.contains(where: { SandboxPath.isWithin(mount.sandboxPath, $0) })
            else { continue }
            plan.mounts[index].isTmpfs = true
        }
        let nodeDirectory = SandboxPath.normalized(layout.nodeDirectory) ?? layout.nodeDirectory
        if let progress = layout.progressFile.flatMap(SandboxPath.normalized),
            plan.mounts.last(where: { SandboxPath.isWithin(progress, $0.sandboxPath) })?.isTmpfs == true
        {
            let hostPath = hostPath(forSandboxPath: progress)
            if SandboxPath.isWithin(hostPath, nodeDirectory), hostPath != nodeDirectory {
                plan.savedFiles.append((progress, SandboxPath.relative(hostPath, to: nodeDirectory)))
            }
        }
        return plan
    }

    /// Whether some mount is a tmpfs.
    var hasTmpfs: Bool { mounts.contains(where: \.isTmpfs) }

    /// The host path holding what the node sees at `path`: through the deepest mount containing it, else `path`.
    func hostPath(forSandboxPath path: String) -> String {
        guard let normalized = SandboxPath.normalized(path) else { return path }
        let mount = mounts.last { SandboxPath.isWithin(normalized, $0.sandboxPath) }
        guard let mount else { return normalized }
        return SandboxPath.join(mount.hostPath, SandboxPath.relative(normalized, to: mount.sandboxPath))
    }

    /// Whether `path` lies in a writable mount, so the runtime may create it on the host.
    func isWritable(_ path: String) -> Bool {
        mounts.last { SandboxPath.isWithin(path, $0.sandboxPath) }?.isWritable ?? false
    }
}

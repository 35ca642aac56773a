import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Builds the `bwrap` argument list that runs a command inside a node's sandbox.
///
/// The host is bound read-only as a whole (`--ro-bind / /`), with a fresh `/dev`, `/proc` and `/run` (only
/// `/run/systemd/resolve`, where `/etc/resolv.conf` may point, is bound back). A mount whose mount point does not
/// exist on the host (`/mnt/out` where the host has only `/mnt`) needs a writable parent: the deepest existing host
/// directory on its way (`/mnt`) becomes a tmpfs with its host entries bound back read-only one by one (symlinks
/// recreated), and is remounted read-only once the mounts are made. When that directory would be `/` itself, or
/// when the host has mounts a recursive read-only bind cannot remount (the `nsfs` network namespaces that podman
/// and docker mount under `/run/netns` while a container runs: `--ro-bind / /` then fails with "Unable to apply
/// mount flags"), the root is built from bwrap's own tmpfs instead (``RootLayout/topLevelEntries``): every
/// top-level host entry but `/run` bound read-only, and `/` remounted read-only at the end. Measured side by side
/// on the 2-core VM: about 8 ms per node for the first form, 10-12 ms for the second, 1.1 ms for a bare spawn.
///
/// Choices: `--unshare-pid` plus `--die-with-parent`: when the command exits, the outer `bwrap` exits, its PID 1
/// in the sandbox gets SIGKILL and the kernel kills everything left in the namespace, even processes that left the
/// process group with `setsid`; the same happens when the engine itself dies (measured: `kill -9` of the parent
/// leaves no survivor). Subprocess spawns from one long-lived thread, so the parent-death signal is not fired by
/// a pool thread exiting. Because SIGTERM to the outer `bwrap` would kill it and so SIGKILL the command at once,
/// the runtime's SIGTERM spares the leader (see `ProcessRuntime.terminate(group:sparingLeader:)`).
/// No `--new-session`: the runtime already starts `bwrap` in a new session (no controlling terminal, so no
/// TIOCSTI), and a second `setsid` inside would move the command out of the process group the runtime signals.
struct BubblewrapCommand: Sendable {
    /// How the sandbox's root filesystem is made.
    enum RootLayout: Sendable, Equatable {
        /// `--ro-bind / /`: one recursive bind of the host root (the faster form).
        case hostRoot
        /// bwrap's tmpfs root with each top-level host entry bound read-only, `/run` left out.
        case topLevelEntries
    }

    /// The host path of `bwrap`.
    var bwrapPath: String
    /// The root layout; ``RootLayout/hostRoot`` is replaced by ``RootLayout/topLevelEntries`` when a mount needs a
    /// new top-level entry.
    var rootLayout: RootLayout = .hostRoot

    /// What the sandbox's fresh `/run` gets back from the host, when present.
    static let runEntries = ["/run/systemd/resolve"]

    /// Whether the host has a mount that `--ro-bind / /` cannot remount read-only (a network namespace, `nsfs`).
    static func hostHasNamespaceMounts(mountInfo path: String = "/proc/self/mountinfo") -> Bool {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return false }
        return text.split(separator: "\n").contains { $0.contains(" - nsfs ") }
    }

    /// Whether a failed bwrap start is the recursive bind of `/` meeting a mount it cannot remount.
    static func isRemountFailure(_ message: String) -> Bool {
        message.contains("Unable to apply mount flags")
    }

    /// The arguments after `bwrap` that run `executable` (an in-sandbox path) with `arguments` in `plan`.
    func arguments(plan: SandboxPlan, executable: String, arguments: [String]) -> [String] {
        var result = ["--unshare-pid", "--die-with-parent"]
        let targets = plan.mounts.map(\.sandboxPath)
        let carved = Self.directoriesToCarve(for: plan)
        let remountReadOnly: [String]
        if carved.contains("/") || rootLayout == .topLevelEntries {
            result += ["--dev", "/dev", "--proc", "/proc"]
            // Entries that contain a mount point are recreated as directories with their own entries bound.
            Self.appendHostEntries(of: "/", excluding: targets, to: &result)
            remountReadOnly = ["/"]
        } else {
            result += ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
            for directory in carved where !SandboxPath.isWithin(directory, "/run") {
                result += ["--tmpfs", directory]
                Self.appendHostEntries(of: directory, excluding: targets, to: &result)
            }
            remountReadOnly = carved.filter { !SandboxPath.isWithin($0, "/run") }
        }
        result += ["--tmpfs", "/run"] + Self.runEntries.flatMap { ["--ro-bind-try", $0, $0] }
        // Hide secrets (the state directory, the signing key) before any mount that may lie inside them.
        for hidden in plan.hiddenPaths {
            var info = stat()
            guard lstat(hidden, &info) == 0 else { continue }
            if info.st_mode & S_IFMT == S_IFDIR {
                result += ["--tmpfs", hidden]
            } else {
                result += ["--ro-bind", "/dev/null", hidden]
            }
        }
        for mount in plan.mounts {
            result += [mount.isWritable ? "--bind" : "--ro-bind", mount.hostPath, mount.sandboxPath]
        }
        for directory in remountReadOnly.reversed() {
            result += ["--remount-ro", directory]
        }
        result += ["--chdir", plan.workingDirectory, "--", executable]
        result += arguments
        return result
    }

    /// The existing host directories that must become writable (tmpfs) so missing mount points can be created,
    /// parents first; contains `/` when a mount needs a new top-level entry.
    ///
    /// A mount point below an earlier writable mount needs nothing: bwrap creates it in that mount. A tmpfs mount
    /// (only the launcher's server makes them) lies in another tmpfs, a hidden directory or an existing directory.
    static func directoriesToCarve(for plan: SandboxPlan) -> [String] {
        var carved: [String] = []
        for (index, mount) in plan.mounts.enumerated() where !mount.isTmpfs {
            let path = mount.sandboxPath
            let earlier = plan.mounts[..<index]
            if earlier.contains(where: { $0.isWritable && SandboxPath.isWithin(path, $0.sandboxPath) }) { continue }
            guard let existing = deepestExistingDirectory(above: path) else { continue }
            // /proc and /dev are fresh kernel-made trees, never replaced: bwrap creates what it can there.
            if SandboxPath.isWithin(existing, "/proc") || SandboxPath.isWithin(existing, "/dev") { continue }
            if !carved.contains(existing) { carved.append(existing) }
        }
        return carved.sorted { SandboxPath.depth($0) < SandboxPath.depth($1) }
    }

    /// `nil` when `path` exists on the host; else its deepest existing ancestor directory (not a symlink).
    private static func deepestExistingDirectory(above path: String) -> String? {
        var info = stat()
        if lstat(path, &info) == 0 { return nil }
        var current = SandboxPath.parent(path)
        while current != "/" {
            if lstat(current, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR { return current }
            current = SandboxPath.parent(current)
        }
        return "/"
    }

    /// Appends read-only binds of `directory`'s host entries (symlinks recreated), skipping mount targets and, at
    /// the top level, `/dev`, `/proc` and `/run`; recurses into entries that contain a target, recreated as directories.
    private static func appendHostEntries(of directory: String, excluding targets: [String], to result: inout [String])
    {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names.sorted() {
            let path = SandboxPath.join(directory, name)
            if directory == "/" && (name == "proc" || name == "dev" || name == "run") { continue }
            if targets.contains(path) { continue }
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            let type = info.st_mode & S_IFMT
            if type == S_IFLNK {
                if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path) {
                    result += ["--symlink", target, path]
                }
                continue
            }
            let containsTarget = targets.contains { SandboxPath.isWithin($0, path) }
            if containsTarget && type == S_IFDIR {
                result += ["--dir", path]
                appendHostEntries(of: path, excluding: targets, to: &result)
            } else if type == S_IFDIR || type == S_IFREG {
                result += ["--ro-bind", path, path]
            }
        }
    }
}

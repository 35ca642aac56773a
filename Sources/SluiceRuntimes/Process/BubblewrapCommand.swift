import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Builds the `bwrap` argument list that runs a command inside a node's sandbox.
///
/// The sandbox root is bubblewrap's own tmpfs, remounted read-only at the end. Every top-level host entry is bound
/// read-only (symlinks recreated), except `/dev` and `/proc` (fresh ones), and except entries that lie on the way
/// to a mount: those directories are recreated in the tmpfs and their own entries bound one by one, so a mount
/// point like `/mnt/out` can be created even where the host has `/mnt` but no `/mnt/out`.
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
    /// The host path of `bwrap`.
    var bwrapPath: String

    /// The arguments after `bwrap` that run `executable` (an in-sandbox path) with `arguments` in `plan`.
    func arguments(plan: SandboxPlan, executable: String, arguments: [String]) -> [String] {
        var result = ["--unshare-pid", "--die-with-parent", "--dev", "/dev", "--proc", "/proc"]
        var hostView: [String] = []
        Self.appendHostView(of: "/", excluding: plan.mounts.map(\.sandboxPath), to: &hostView)
        result += hostView
        for mount in plan.mounts {
            result += [mount.isWritable ? "--bind" : "--ro-bind", mount.hostPath, mount.sandboxPath]
        }
        result += ["--remount-ro", "/", "--chdir", plan.workingDirectory, "--", executable]
        result += arguments
        return result
    }

    /// Appends read-only binds of `directory`'s host entries, recursing into those that contain a mount target.
    private static func appendHostView(of directory: String, excluding targets: [String], to result: inout [String]) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names.sorted() {
            let path = SandboxPath.join(directory, name)
            if directory == "/" && (name == "proc" || name == "dev") { continue }
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
                appendHostView(of: path, excluding: targets, to: &result)
            } else if type == S_IFDIR || type == S_IFREG {
                result += ["--ro-bind", path, path]
            }
        }
    }
}

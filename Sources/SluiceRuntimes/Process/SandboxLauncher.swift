import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `sluice-sandbox`, the package's own sandbox launcher (a small C program, `Sources/sluice-sandbox`), which
/// the process runtime starts instead of `bwrap` when it works here.
///
/// It gives a node the same sandbox as ``BubblewrapCommand`` (host read-only, private `/tmp` and paths, hidden
/// state directory and key, own PID namespace, killed with the engine) at a fraction of the cost: one recursive
/// `mount_setattr` makes the copied host mount tree read-only instead of a rebuilt root and a remount per host
/// mount, and the program is tiny. Measured on the 2-core VM, a node `sh -c 'echo 1 > /tmp/out.txt'`: about 6.5 ms
/// through bwrap, 2.6 ms through the launcher, 2.1 ms bare.
///
/// It needs root (it creates the namespaces without a user namespace) and a kernel with `mount_setattr` (5.12), and
/// it does not build a root from scratch: a mount whose mount point is missing on the host outside the node's
/// writable paths (``BubblewrapCommand/directoriesToCarve(for:)`` not empty) still goes through bwrap. The launcher
/// is looked up next to the running executable (`sluice-sandbox` beside `sluice`, or beside the test binary);
/// `SLUICE_SANDBOX_LAUNCHER=PATH` names another, `SLUICE_SANDBOX_LAUNCHER=bwrap` turns it off.
enum SandboxLauncher: Sendable, Equatable {
    case available(path: String)
    case unavailable(reason: String)

    /// The environment variable that names the launcher, or `bwrap` to use bubblewrap only.
    static let environmentVariable = "SLUICE_SANDBOX_LAUNCHER"

    /// The result for this process, computed on first use (a blocking spawn of about a millisecond).
    static let current: SandboxLauncher = probe()

    /// The launcher's path when it is usable.
    var path: String? {
        if case .available(let path) = self { return path }
        return nil
    }

    /// The launcher's arguments that run `executable` (an in-sandbox path) with `arguments` in `plan`.
    static func arguments(plan: SandboxPlan, executable: String, arguments: [String]) -> [String] {
        var result: [String] = []
        // Hidden first, as with bwrap, so that mounts inside a hidden directory land in its empty tmpfs.
        for hidden in plan.hiddenPaths {
            var info = stat()
            guard lstat(hidden, &info) == 0 else { continue }
            result += [info.st_mode & S_IFMT == S_IFDIR ? "--hide-dir" : "--hide-file", hidden]
        }
        for mount in plan.mounts {
            if mount.isTmpfs {
                result += ["--tmpfs", mount.sandboxPath]
            } else {
                result += [mount.isWritable ? "--bind" : "--ro-bind", mount.hostPath, mount.sandboxPath]
            }
        }
        for saved in plan.savedFiles { result += ["--save", saved.sandboxPath, saved.nodeRelativePath] }
        return result + ["--chdir", plan.workingDirectory, "--", executable] + arguments
    }

    /// Whether a failed start's stderr is the launcher's own one-line report.
    static func isLauncherFailure(_ line: String) -> Bool { line.hasPrefix("sluice-sandbox: ") }

    private static func probe() -> SandboxLauncher {
        let named = ProcessInfo.processInfo.environment[environmentVariable]
        if named == "bwrap" { return .unavailable(reason: "\(environmentVariable)=bwrap") }
        guard geteuid() == 0 else { return .unavailable(reason: "not running as root") }
        let path: String
        if let named, !named.isEmpty {
            path = named
        } else {
            guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else {
                return .unavailable(reason: "cannot read /proc/self/exe")
            }
            path = SandboxPath.join(SandboxPath.parent(executable), "sluice-sandbox")
        }
        guard ExecutableLocator.isExecutableFile(path) else { return .unavailable(reason: "no launcher at '\(path)'") }
        let trueCommand =
            ["/usr/bin/true", "/bin/true"].first(where: ExecutableLocator.isExecutableFile) ?? "/bin/true"
        var pid: pid_t = 0
        let words: [String] = [path, "--chdir", "/", "--", trueCommand]
        let argv = words.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = [nil]
        defer { argv.forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for descriptor: Int32 in 0...2 {
            posix_spawn_file_actions_addopen(
                &actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, envp)
        guard spawned == 0 else { return .unavailable(reason: "cannot run '\(path)': \(HostFiles.errorText(spawned))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        guard status == 0 else { return .unavailable(reason: "'\(path)' failed its probe with wait status \(status)") }
        return .available(path: path)
    }
}

import Testing

@testable import SluiceRuntimes

@Suite("SandboxPlan maps sandbox paths and orders mounts")
struct SandboxPlanTests {
    let layout = SandboxLayout(
        nodeDirectory: "/runs/r1/nodes/build/",
        privatePaths: ["/mnt/out/", "/tmp", "/mnt/out"],
        readOnlyBinds: [
            SandboxLayout.Bind(hostPath: "/store/ab12", sandboxPath: "/mnt/out/input.txt"),
            SandboxLayout.Bind(hostPath: "/store/cd34", sandboxPath: "/inputs"),
        ]
    )

    @Test(
        "maps each sandbox path of the node's own directories to the host path holding it under bubblewrap; the read-only host is outside the view",
        arguments: [
            ("/tmp/out.txt", "/runs/r1/nodes/build/root/tmp/out.txt"),
            ("/tmp", "/runs/r1/nodes/build/root/tmp"),
            ("/mnt/out/result.txt", "/runs/r1/nodes/build/root/mnt/out/result.txt"),
            ("/mnt/out//deep/./x", "/runs/r1/nodes/build/root/mnt/out/deep/x"),
            ("/mnt/outside.txt", nil),
            ("/mnt/out/input.txt", "/store/ab12"),
            ("/inputs/a/b.csv", "/store/cd34/a/b.csv"),
            ("/runs/r1/nodes/build/work/report.txt", "/runs/r1/nodes/build/work/report.txt"),
            ("/usr/bin/env", nil),
        ]
    )
    func hostPaths(sandboxPath: String, hostPath: String?) {
        #expect(ProcessRuntime(isolation: .bubblewrap).fileView(of: layout).hostPath(of: sandboxPath) == hostPath)
    }

    @Test("without isolation every path maps to itself")
    func hostPathsWithoutIsolation() {
        #expect(ProcessRuntime(isolation: .none).fileView(of: layout).hostPath(of: "/tmp/out.txt") == "/tmp/out.txt")
    }

    @Test("orders mounts parents first, writable before read-only, without duplicates")
    func mountOrder() {
        let plan = SandboxPlan(layout: layout)

        #expect(
            plan.mounts.map { "\($0.isWritable ? "rw" : "ro") \($0.hostPath) \($0.sandboxPath)" } == [
                "rw /runs/r1/nodes/build/root/tmp /tmp",
                "ro /store/cd34 /inputs",
                "rw /runs/r1/nodes/build/root/mnt/out /mnt/out",
                "ro /store/ab12 /mnt/out/input.txt",
                "rw /runs/r1/nodes/build/work /runs/r1/nodes/build/work",
            ]
        )
        #expect(plan.workingDirectory == "/runs/r1/nodes/build/work")
    }

    @Test("binds the host read-only as a whole and carves an existing directory for a missing mount point")
    func bubblewrapArgumentsOverHostRoot() {
        let layout = SandboxLayout(
            nodeDirectory: "/tmp/sluice-plan/node",
            privatePaths: ["/usr/sluice-out-1f2e"],
            readOnlyBinds: [SandboxLayout.Bind(hostPath: "/store/ab12", sandboxPath: "/tmp/in.txt")]
        )
        let plan = SandboxPlan(layout: layout)

        let arguments = BubblewrapCommand(bwrapPath: "/usr/bin/bwrap")
            .arguments(plan: plan, executable: "/usr/bin/sh", arguments: ["-c", "echo hi"])

        #expect(
            Array(arguments.prefix(11)) == [
                "--unshare-pid", "--die-with-parent", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
                "--tmpfs", "/usr",
            ]
        )
        #expect(arguments.contains(sequence: ["--ro-bind", "/usr/bin", "/usr/bin"]))
        #expect(arguments.contains(sequence: ["--bind", "/tmp/sluice-plan/node/root/tmp", "/tmp"]))
        #expect(
            arguments.contains(sequence: [
                "--bind", "/tmp/sluice-plan/node/root/usr/sluice-out-1f2e", "/usr/sluice-out-1f2e",
            ]))
        #expect(arguments.contains(sequence: ["--ro-bind", "/store/ab12", "/tmp/in.txt"]))
        #expect(
            Array(arguments.suffix(8)) == [
                "--remount-ro", "/usr", "--chdir", "/tmp/sluice-plan/node/work", "--", "/usr/bin/sh", "-c", "echo hi",
            ]
        )
        #expect(!arguments.contains(sequence: ["--remount-ro", "/"]))
        #expect(!arguments.contains("--new-session"))
    }

    @Test("builds the root from top-level binds when a mount needs a new top-level entry")
    func bubblewrapArgumentsOverTmpfsRoot() {
        let plan = SandboxPlan(layout: layout, workingDirectory: "/mnt/out")

        let arguments = BubblewrapCommand(bwrapPath: "/usr/bin/bwrap")
            .arguments(plan: plan, executable: "/usr/bin/sh", arguments: ["-c", "echo hi"])

        #expect(
            Array(arguments.prefix(6)) == ["--unshare-pid", "--die-with-parent", "--dev", "/dev", "--proc", "/proc"])
        #expect(
            Array(arguments.suffix(8)) == [
                "--remount-ro", "/", "--chdir", "/mnt/out", "--", "/usr/bin/sh", "-c", "echo hi",
            ]
        )
        #expect(arguments.contains(sequence: ["--ro-bind", "/usr", "/usr"]))
        #expect(arguments.contains(sequence: ["--bind", "/runs/r1/nodes/build/root/mnt/out", "/mnt/out"]))
        #expect(arguments.contains(sequence: ["--ro-bind", "/store/ab12", "/mnt/out/input.txt"]))
        #expect(arguments.contains(sequence: ["--ro-bind", "/store/cd34", "/inputs"]))
        #expect(!arguments.contains(sequence: ["--ro-bind", "/tmp", "/tmp"]))
        #expect(!arguments.contains(sequence: ["--ro-bind", "/proc", "/proc"]))
        #expect(!arguments.contains(sequence: ["--ro-bind", "/", "/"]))
    }

    @Test(
        "normalizes absolute paths and refuses relative or escaping ones",
        arguments: [
            ("/a//b/./c/", "/a/b/c"),
            ("/", "/"),
            ("relative/x", nil),
            ("/a/../b", nil),
            ("/tmp/sluice/nodes/n-1/work", "/tmp/sluice/nodes/n-1/work"),
            ("/a/b/", "/a/b"), ("//a", "/a"), ("/a/.", "/a"), ("/.", "/"), ("/..", nil), ("/a/..", nil),
            ("/.a/..b/...", "/.a/..b/..."), ("/a./b.", "/a./b."),
        ] as [(String, String?)]
    )
    func normalization(path: String, expected: String?) {
        #expect(SandboxPath.normalized(path) == expected)
    }
}

extension Array where Element: Equatable {
    /// Whether `sequence` occurs as a contiguous run.
    func contains(sequence: [Element]) -> Bool {
        guard sequence.count <= count else { return false }
        return (0...(count - sequence.count)).contains { Array(self[$0..<($0 + sequence.count)]) == sequence }
    }
}

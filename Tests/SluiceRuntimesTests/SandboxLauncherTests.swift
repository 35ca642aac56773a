import Foundation
import SluiceRuntimes
import SluiceTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The package's sandbox launcher (`sluice-sandbox`) keeps each guarantee bubblewrap gives a node: its own PID
/// namespace, a private `/tmp`, the state directory and key hidden, the host read-only outside its private paths,
/// nothing left running after the node or after the engine dies.
@Suite(
    "ProcessRuntime through the sluice-sandbox launcher",
    .timeLimit(.minutes(1)),
    .enabled(
        if: ProcessRuntime.detectedIsolation == .bubblewrap && ProcessRuntime.launcherPath != nil,
        "the launcher does not work on this host: \(ProcessRuntime.launcherUnavailableReason ?? "")")
)
struct SandboxLauncherTests {
    /// How the runtime starts the launcher: one process per node, or this process's long-lived server.
    enum Launching: String, CaseIterable, CustomTestStringConvertible {
        case perNode, server
        var testDescription: String { rawValue }
        /// The runtime that launches this way (the server is the one ProcessRuntime uses by default).
        var runtime: ProcessRuntime {
            self == .perNode ? ProcessRuntime(launchingThrough: nil) : ProcessRuntime(isolation: .bubblewrap)
        }
    }

    @Test("a node runs as PID 2 of its own namespace, under the launcher's init", arguments: Launching.allCases)
    func ownPIDNamespace(_ launching: Launching) async throws {
        let runtime = launching.runtime
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        let script = "echo $$; tr '\\0' ' ' < /proc/1/cmdline; echo; ls /proc | grep -c '^[0-9]'"
        let invocation = fixture.invocation("pid", "sh", ["-c", script])

        let outcome = try await runtime.run(invocation)

        #expect(runtime.usesLauncher)
        #expect(outcome.termination == .exited(0))
        let lines = (contents(of: invocation.stdoutPath) ?? "").split(separator: "\n").map(String.init)
        #expect(lines.first == "2")
        #expect(lines.dropFirst().first?.hasPrefix(try #require(ProcessRuntime.launcherPath)) == true)
        // The server's init is a fork of `sluice-sandbox --serve`; the per-node one of the launcher of that node.
        #expect(lines.dropFirst().first?.contains(" --serve ") == (launching == .server))
        // init, sh, and the pipeline's ls and grep: nothing of the host.
        #expect(Int(lines.last ?? "") ?? 99 <= 4)
    }

    @Test(
        "two nodes in parallel writing /tmp/out.txt each get their own file, and neither sees the other's",
        arguments: Launching.allCases)
    func privateTmp(_ launching: Launching) async throws {
        let runtime = launching.runtime
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        func node(_ name: String) -> NodeInvocation {
            let script =
                "echo \(name) > /tmp/out.txt; touch /tmp/only-\(name); sleep 0.3; cat /tmp/out.txt; ls /tmp | grep only-"
            return fixture.invocation(name, "sh", ["-c", script])
        }
        let (first, second) = (node("alpha"), node("beta"))

        async let firstOutcome = runtime.run(first)
        async let secondOutcome = runtime.run(second)
        let outcomes = try await [firstOutcome, secondOutcome]

        #expect(outcomes.map(\.termination) == [.exited(0), .exited(0)])
        for (invocation, name) in [(first, "alpha"), (second, "beta")] {
            #expect(contents(of: invocation.stdoutPath) == "\(name)\nonly-\(name)\n")
            let tmpFile = try #require(runtime.fileView(of: invocation.sandbox).hostPath(of: "/tmp/out.txt"))
            #expect(tmpFile == invocation.sandbox.nodeDirectory + "/root/tmp/out.txt")
            #expect(contents(of: tmpFile) == "\(name)\n")
        }
    }

    @Test(
        "the state directory and the key file are hidden, also when the node's directories lie inside them",
        arguments: Launching.allCases)
    func secretsHidden(_ launching: Launching) async throws {
        let runtime = launching.runtime
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        // Outside /tmp, which the node's private /tmp would cover anyway.
        let outside = "/var/tmp/sluice-launcher-\(fixture.marker)"
        defer { try? FileManager.default.removeItem(atPath: outside) }
        let state = outside + "/state"
        let nodeDirectory = state + "/nodes/secrets"
        try FileManager.default.createDirectory(atPath: nodeDirectory, withIntermediateDirectories: true)
        let database = state + "/sluice.db"
        let key = outside + "/signing-key.pem"
        try "rows\n".write(toFile: database, atomically: false, encoding: .utf8)
        try "PRIVATE KEY\n".write(toFile: key, atomically: false, encoding: .utf8)
        let script = """
            ls -A \(state) | grep -v '^nodes$' | wc -l
            cat \(database) 2>/dev/null || echo no-database
            wc -c < \(key)
            pwd
            """
        var invocation = fixture.invocation("secrets", "sh", ["-c", script])
        // The node's own directory inside the state directory, as the engine lays runs out.
        invocation.sandbox = SandboxLayout(nodeDirectory: nodeDirectory, hiddenPaths: [state, key])

        let outcome = try await runtime.run(invocation)

        #expect(outcome.termination == .exited(0))
        #expect(contents(of: invocation.stdoutPath) == "0\nno-database\n0\n\(nodeDirectory)/work\n")
        #expect(contents(of: database) == "rows\n")
        #expect(contents(of: key) == "PRIVATE KEY\n")
    }

    @Test(
        "a state directory under the host's /tmp is hidden, its key too, and the working directory inside it is the node's",
        arguments: Launching.allCases)
    func stateDirectoryUnderTmp(_ launching: Launching) async throws {
        let runtime = launching.runtime
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        // As the benchmarks lay runs out: the state directory under the host's /tmp, which the node's private /tmp
        // covers (the launcher then makes no mount of its own to hide it, nor one for the working directory).
        let state = fixture.root + "/state"
        let key = fixture.root + "/signing-key.pem"
        let nodeDirectory = state + "/runs/run-test/nodes/deep"
        try FileManager.default.createDirectory(atPath: nodeDirectory, withIntermediateDirectories: true)
        try "rows\n".write(toFile: state + "/sluice.db", atomically: false, encoding: .utf8)
        try "PRIVATE KEY\n".write(toFile: key, atomically: false, encoding: .utf8)
        let script = """
            ls -A \(state) | grep -v '^runs$' | wc -l
            cat \(state)/sluice.db 2>/dev/null || echo no-database
            cat \(key) 2>/dev/null || echo no-key
            pwd; echo here > ./here && cat ./here
            echo x > /tmp/x && echo tmp-writable
            """
        var invocation = fixture.invocation("deep", "sh", ["-c", script])
        invocation.sandbox = SandboxLayout(nodeDirectory: nodeDirectory, hiddenPaths: [state, key])
        // Nothing read back: through the server, /tmp and the working directory are memory.
        invocation.sandbox.readBackPaths = []

        let outcome = try await runtime.run(invocation)

        #expect(outcome.termination == .exited(0))
        let work = invocation.sandbox.defaultWorkingDirectory
        #expect(contents(of: invocation.stdoutPath) == "0\nno-database\nno-key\n\(work)\nhere\ntmp-writable\n")
        #expect(contents(of: state + "/sluice.db") == "rows\n")
        #expect(contents(of: key) == "PRIVATE KEY\n")
    }

    @Test(
        "the node's /dev has working devices and a writable shm; through the server no host mount lies hidden under /dev, /proc or /run",
        arguments: Launching.allCases)
    func devices(_ launching: Launching) async throws {
        let runtime = launching.runtime
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        let script = """
            echo gone > /dev/null && echo null-ok
            head -c 3 /dev/zero | od -An -tx1 | tr -d ' \\n'; echo
            head -c 16 /dev/urandom | wc -c | tr -d ' '
            if (echo x > /dev/full) 2>/dev/null; then echo full-accepted; else echo full-refused; fi
            echo s > /dev/shm/s-\(fixture.marker) && cat /dev/shm/s-\(fixture.marker) && rm /dev/shm/s-\(fixture.marker)
            ls /dev | tr '\\n' ' '; echo
            awk '$5 == "/dev" || $5 == "/proc" || $5 == "/run"' /proc/self/mountinfo | wc -l
            """
        let invocation = fixture.invocation("devices", "sh", ["-c", script])

        let outcome = try await runtime.run(invocation)

        #expect(outcome.termination == .exited(0))
        let devices = "core fd full null ptmx pts random shm stderr stdin stdout tty urandom zero "
        let lines = (contents(of: invocation.stdoutPath) ?? "").split(separator: "\n").map(String.init)
        #expect(lines.dropLast() == ["null-ok", "000000", "16", "full-refused", "s", devices])
        // The server's view, which every node's namespace copies, holds one mount at each (the per-node launcher's
        // view is used once: it keeps the host's under them).
        if launching == .server { #expect(lines.last == "3") }
    }

    @Test(
        "nothing a node leaves in /dev, /dev/shm or /run reaches the next node (the server's nodes share its view)",
        arguments: Launching.allCases)
    func noChannelThroughSharedMounts(_ launching: Launching) async throws {
        let runtime = launching.runtime
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        let name = "leak-\(fixture.marker)"
        let writer = fixture.invocation(
            "writer", "sh",
            [
                "-c",
                """
                echo x > /dev/shm/\(name) && echo shm-written
                (echo x > /dev/\(name)) 2>/dev/null && echo dev-written
                (echo x > /run/\(name)) 2>/dev/null && echo run-written
                echo done
                """,
            ])
        let reader = fixture.invocation(
            "reader", "sh", ["-c", "ls /dev/shm /dev /run | grep -c '\(name)'; true"])

        let written = try await runtime.run(writer)
        let read = try await runtime.run(reader)

        #expect(written.termination == .exited(0))
        #expect(contents(of: writer.stdoutPath) == "shm-written\ndone\n")
        #expect(read.termination == .exited(0))
        #expect(contents(of: reader.stdoutPath) == "0\n")
    }

    @Test(
        "the host is read-only outside the private paths; /tmp and the working directory are writable",
        arguments: Launching.allCases)
    func hostIsReadOnly(_ launching: Launching) async throws {
        let runtime = launching.runtime
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        let other = fixture.nodeDirectory("other")
        let marker = fixture.marker
        let script = """
            for target in /usr/sluice-\(marker) /sluice-\(marker) /var/tmp/sluice-\(marker) \(other)/planted /etc/passwd; do
              if (echo x >> "$target") 2>/dev/null; then echo "wrote $target"; else echo "refused $target"; fi
            done
            echo ok > /tmp/mine && echo ok > ./mine && echo private-writable
            if (mount -o remount,rw / ) 2>/dev/null && (echo x > /sluice-\(marker)) 2>/dev/null; then echo remounted; fi
            """
        let invocation = fixture.invocation("writer", "sh", ["-c", script])

        let outcome = try await runtime.run(invocation)

        #expect(outcome.termination == .exited(0))
        let expected =
            [
                "/usr/sluice-\(marker)", "/sluice-\(marker)", "/var/tmp/sluice-\(marker)", "\(other)/planted",
                "/etc/passwd",
            ].map { "refused \($0)\n" }.joined() + "private-writable\n"
        #expect(contents(of: invocation.stdoutPath) == expected)
        #expect(FileManager.default.fileExists(atPath: "/sluice-\(marker)") == false)
        #expect(FileManager.default.fileExists(atPath: other + "/planted") == false)
    }

    @Test(
        "a working directory inside the private /tmp gets its mount points on a read-only scaffold, not the host",
        arguments: Launching.allCases)
    func workingDirectoryScaffold(_ launching: Launching) async throws {
        let runtime = launching.runtime
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        // A node directory under the host's /tmp, as in a state directory there: the node's working directory
        // (nodeDirectory/work, at its host path) then lies inside its private /tmp.
        let outside = "/tmp/sluice-scaffold-\(fixture.marker)"
        defer { try? FileManager.default.removeItem(atPath: outside) }
        var invocation = fixture.invocation(
            "scaffold", "sh",
            [
                "-c",
                """
                pwd; echo ok > ./mine && echo work-writable
                if (echo x > ../beside) 2>/dev/null; then echo wrote-beside; else echo refused-beside; fi
                echo ok > /tmp/mine && echo tmp-writable
                """,
            ])
        invocation.sandbox = SandboxLayout(nodeDirectory: outside + "/nodes/scaffold")
        let work = invocation.sandbox.defaultWorkingDirectory

        let outcome = try await runtime.run(invocation)

        #expect(outcome.termination == .exited(0))
        #expect(
            contents(of: invocation.stdoutPath) == "\(work)\nwork-writable\nrefused-beside\ntmp-writable\n")
        #expect(contents(of: work + "/mine") == "ok\n")
        // Behind the private /tmp on the host: the node's file and the one directory the scaffold was mounted on.
        let privateTmp = invocation.sandbox.nodeDirectory + "/root/tmp"
        let firstComponent = String(work.dropFirst("/tmp/".count).prefix { $0 != "/" })
        let entries = try FileManager.default.contentsOfDirectory(atPath: privateTmp).sorted()
        #expect(entries == [firstComponent, "mine"].sorted())
        #expect(try FileManager.default.contentsOfDirectory(atPath: privateTmp + "/" + firstComponent).isEmpty)
    }

    @Test("a read-only input is readable and not writable", arguments: Launching.allCases)
    func readOnlyBind(_ launching: Launching) async throws {
        let runtime = launching.runtime
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        let source = try fixture.write("input-data\n", to: "artifacts/data.txt")
        let script = """
            cat /tmp/inputs/data.txt
            if (echo overwritten > /tmp/inputs/data.txt) 2>/dev/null; then echo writable; else echo refused; fi
            """
        let invocation = fixture.invocation(
            "reader", "sh", ["-c", script],
            readOnlyBinds: [SandboxLayout.Bind(hostPath: source, sandboxPath: "/tmp/inputs/data.txt")])

        let outcome = try await runtime.run(invocation)

        #expect(outcome.termination == .exited(0))
        #expect(contents(of: invocation.stdoutPath) == "input-data\nrefused\n")
        #expect(contents(of: source) == "input-data\n")
    }

    @Test("a process that left the group with setsid dies with the node", arguments: Launching.allCases)
    func setsidEscapeeKilled(_ launching: Launching) async throws {
        let runtime = launching.runtime
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        let sleeper = "sleep 300.\(fixture.marker)"
        let invocation = fixture.invocation("escapes", "sh", ["-c", "setsid \(sleeper) & echo started"])

        let outcome = try await runtime.run(invocation)

        #expect(outcome.termination == .exited(0))
        #expect(await processesSurviving(sleeper) == [])
    }

    @Test("the node dies with the process that started the launcher (SIGKILL, no clean-up)")
    func diesWithEngine() async throws {
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        let launcher = try #require(ProcessRuntime.launcherPath)
        let sleeper = "300.\(fixture.marker)"
        // A stand-in engine: a shell that starts the launcher and waits.
        let engine = try HostProcess.start(
            "/bin/sh", arguments: ["-c", #""$0" --chdir / -- /bin/sleep "$1" & wait"#, launcher, sleeper],
            environment: ["PATH": "/usr/bin:/bin"], directory: fixture.root, stdoutPath: fixture.root + "/engine.out",
            stderrPath: fixture.root + "/engine.err")
        let deadline = ContinuousClock.now + .seconds(10)
        while livingProcesses(matching: "sleep \(sleeper)").isEmpty && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(!livingProcesses(matching: "sleep \(sleeper)").isEmpty)

        kill(engine, SIGKILL)
        _ = await HostProcess.exit(of: engine)

        #expect(await processesSurviving(sleeper) == [])
    }

    @Test("exit codes and signals come back as the command's own", arguments: Launching.allCases)
    func terminations(_ launching: Launching) async throws {
        let runtime = launching.runtime
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        let exited = try await runtime.run(fixture.invocation("three", "sh", ["-c", "exit 3"]))
        let signaled = try await runtime.run(fixture.invocation("killed", "sh", ["-c", "kill -TERM $$"]))
        #expect(exited.termination == .exited(3))
        #expect(signaled.termination == .signaled(15))
    }

    @Test(
        "a mount the launcher cannot make fails the node with the launcher's own one-line message",
        arguments: Launching.allCases)
    func launcherRefusal(_ launching: Launching) async throws {
        let runtime = launching.runtime
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        let source = try fixture.write("x\n", to: "artifacts/x.txt")
        let invocation = fixture.invocation(
            "refused", "true", [],
            readOnlyBinds: [SandboxLayout.Bind(hostPath: source, sandboxPath: "/proc/sluice-x/x.txt")])

        let error = await #expect(throws: RuntimeError.self) { try await runtime.run(invocation) }

        guard case .bubblewrapFailed(let node, let message) = error else {
            Issue.record("expected bubblewrapFailed, got \(String(describing: error))")
            return
        }
        #expect(node == "refused")
        #expect(message.hasPrefix("sluice-sandbox: cannot mount at '/proc/sluice-x/x.txt'"))
    }

    @Test("a node of the long-lived server dies when the engine's end of the server's socket closes")
    func serverNodeDiesWithEngineSocket() async throws {
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        let server = try SandboxServer(launcher: try #require(ProcessRuntime.launcherPath))
        let runtime = ProcessRuntime(launchingThrough: server)
        let sleeper = "sleep 300.\(fixture.marker)"
        let invocation = fixture.invocation("orphan", "sh", ["-c", "\(sleeper) & \(sleeper)"])

        let outcome = Task { try await runtime.run(invocation) }
        let deadline = ContinuousClock.now + .seconds(10)
        while livingProcesses(matching: sleeper).count < 3 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        // The shell and its two sleeps.
        #expect(livingProcesses(matching: sleeper).count == 3)
        // What the kernel does when the engine dies, even by SIGKILL: its end of the socket closes.
        server.shutDown()

        await #expect(throws: RuntimeError.self) { try await outcome.value }
        #expect(await processesSurviving(sleeper) == [])
        #expect(await processesSurviving("--serve", limit: .seconds(5)).contains(server.processID) == false)
    }

    @Test("the server's nodes each see only their own /tmp, while other nodes of the same server run")
    func serverNodesSeparated() async throws {
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        let server = try SandboxServer(launcher: try #require(ProcessRuntime.launcherPath))
        defer { server.shutDown() }
        let runtime = ProcessRuntime(launchingThrough: server)
        let nodes = (1...6).map { index in
            fixture.invocation(
                "n\(index)", "sh",
                [
                    "-c",
                    "touch /tmp/id-\(index); sleep 0.2; ls /tmp | grep '^id-'; echo $$; ls /proc | grep -c '^[0-9]'",
                ])
        }

        let outcomes = try await withThrowingTaskGroup(of: NodeOutcome.self) { group in
            for node in nodes { group.addTask { try await runtime.run(node) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }

        #expect(outcomes.map(\.termination) == Array(repeating: .exited(0), count: nodes.count))
        for (index, node) in zip(1..., nodes) {
            let lines = (contents(of: node.stdoutPath) ?? "").split(separator: "\n").map(String.init)
            #expect(lines.prefix(2) == ["id-\(index)", "2"])
            #expect(Int(lines.last ?? "") ?? 99 <= 4)
        }
    }

    @Test(
        "through the server, private paths nothing is read back from are tmpfs; outputs and the progress file reach the host"
    )
    func tmpfsWhereNothingIsReadBack() async throws {
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        let server = try SandboxServer(launcher: try #require(ProcessRuntime.launcherPath))
        defer { server.shutDown() }
        let runtime = ProcessRuntime(launchingThrough: server)
        let script = """
            echo 1/2 > /tmp/argo-progress; echo 2/2 >> /tmp/argo-progress
            echo scratch > /tmp/scratch; echo result > /srv/result.txt; echo here > ./here
            pwd; grep -c ' /tmp tmpfs ' /proc/mounts
            """
        // An existing host directory as the private output path: a missing one would need bwrap to make its mount point.
        var invocation = fixture.invocation("lazy", "sh", ["-c", script], privatePaths: ["/srv"])
        invocation.sandbox.readBackPaths = ["/srv/result.txt"]
        invocation.sandbox.progressFile = "/tmp/argo-progress"
        let node = invocation.sandbox.nodeDirectory

        let outcome = try await runtime.run(invocation)

        #expect(outcome.termination == .exited(0))
        #expect(contents(of: invocation.stdoutPath) == "\(invocation.sandbox.defaultWorkingDirectory)\n1\n")
        // The declared output on the host; /tmp and the working directory were memory, except the progress file.
        #expect(contents(of: node + "/root/srv/result.txt") == "result\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: node + "/root/tmp") == ["argo-progress"])
        #expect(FileManager.default.fileExists(atPath: invocation.sandbox.defaultWorkingDirectory) == false)
        let progress = try runtime.fileView(of: invocation.sandbox).readTail("/tmp/argo-progress", limit: 4096)
        #expect(progress.map { String(decoding: $0.bytes, as: UTF8.self) } == "1/2\n2/2\n")
    }

    /// A server started without its socket (descriptor 3 a pipe it made itself) waited forever; it must refuse.
    @Test("sluice-sandbox --serve without its request socket exits 1 with one line")
    func serverNeedsItsSocket() async throws {
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        let status = try HostProcess.run(
            try #require(ProcessRuntime.launcherPath), arguments: ["--serve"], environment: [:],
            directory: fixture.root, stdoutPath: fixture.root + "/out", stderrPath: fixture.root + "/err")

        #expect(status == 1)
        #expect(
            contents(of: fixture.root + "/err")
                == "sluice-sandbox: --serve needs its request socket (SOCK_SEQPACKET) as descriptor 3\n")
    }
}

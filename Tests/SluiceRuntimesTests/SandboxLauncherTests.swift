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
    let runtime = ProcessRuntime(isolation: .bubblewrap)

    @Test("a node runs as PID 2 of its own namespace, under the launcher's init")
    func ownPIDNamespace() async throws {
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
        // init, sh, and the pipeline's ls and grep: nothing of the host.
        #expect(Int(lines.last ?? "") ?? 99 <= 4)
    }

    @Test("two nodes in parallel writing /tmp/out.txt each get their own file, and neither sees the other's")
    func privateTmp() async throws {
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

    @Test("the state directory and the key file are hidden, also when the node's directories lie inside them")
    func secretsHidden() async throws {
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

    @Test("the host is read-only outside the private paths; /tmp and the working directory are writable")
    func hostIsReadOnly() async throws {
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

    @Test("a working directory inside the private /tmp gets its mount points on a read-only scaffold, not the host")
    func workingDirectoryScaffold() async throws {
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

    @Test("a read-only input is readable and not writable")
    func readOnlyBind() async throws {
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

    @Test("a process that left the group with setsid dies with the node")
    func setsidEscapeeKilled() async throws {
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

    @Test("exit codes and signals come back as the command's own")
    func terminations() async throws {
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        let exited = try await runtime.run(fixture.invocation("three", "sh", ["-c", "exit 3"]))
        let signaled = try await runtime.run(fixture.invocation("killed", "sh", ["-c", "kill -TERM $$"]))
        #expect(exited.termination == .exited(3))
        #expect(signaled.termination == .signaled(15))
    }

    @Test("a mount the launcher cannot make fails the node with the launcher's own one-line message")
    func launcherRefusal() async throws {
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
}

import Foundation
import SluiceRuntimes
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("ProcessRuntime runs nodes as process groups", .timeLimit(.minutes(1)))
struct ProcessRuntimeTests {
    @Test("bubblewrap is available when CI is set")
    func bubblewrapAvailableInCI() {
        guard ProcessInfo.processInfo.environment["CI"] != nil else { return }
        #expect(
            ProcessRuntime.detectedIsolation == .bubblewrap,
            "CI must provide bubblewrap: \(ProcessRuntime.bubblewrapUnavailableReason ?? "")"
        )
    }

    /// Pins the overload that keeps `.none` from meaning `Optional.none` (which would detect bubblewrap).
    @Test("an explicit isolation is kept, and .none means no isolation")
    func explicitIsolation() {
        #expect(ProcessRuntime(isolation: .none).isolation == .none)
        #expect(ProcessRuntime(isolation: .bubblewrap).isolation == .bubblewrap)
        #expect(ProcessRuntime().isolation == ProcessRuntime.detectedIsolation)
        #expect(ProcessRuntime().kind == "process")
    }

    @Test("reports exit codes 0 and 3", arguments: availableIsolations)
    func exitCodes(isolation: Isolation) async throws {
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        let runtime = ProcessRuntime(isolation: isolation)

        let success = try await runtime.run(fixture.invocation("ok", "sh", ["-c", "exit 0"]))
        let failure = try await runtime.run(fixture.invocation("fails", "sh", ["-c", "exit 3"]))

        #expect(success.termination == .exited(0))
        #expect(success.isSuccess)
        #expect(success.timedOut == false)
        #expect(failure.termination == .exited(3))
        #expect(failure.isSuccess == false)
        #expect(failure.startedAt <= failure.finishedAt)
        #expect(failure.processID > 0)
    }

    @Test("reports a child killed by a signal as signaled", arguments: availableIsolations)
    func signaledChild(isolation: Isolation) async throws {
        let fixture = try NodeFixture()
        defer { fixture.remove() }

        let outcome = try await ProcessRuntime(isolation: isolation)
            .run(fixture.invocation("killed", "sh", ["-c", "kill -KILL $$"]))

        #expect(outcome.termination == .signaled(SIGKILL))
        #expect(outcome.timedOut == false)
    }

    @Test("writes stdout and stderr into their files, created 0600", arguments: availableIsolations)
    func logFiles(isolation: Isolation) async throws {
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        let invocation = fixture.invocation("logs", "sh", ["-c", "echo out-line; echo err-line >&2; echo out-2"])

        let outcome = try await ProcessRuntime(isolation: isolation).run(invocation)

        #expect(outcome.termination == .exited(0))
        #expect(contents(of: invocation.stdoutPath) == "out-line\nout-2\n")
        #expect(contents(of: invocation.stderrPath) == "err-line\n")
        let attributes = try FileManager.default.attributesOfItem(atPath: invocation.stdoutPath)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    @Test("interleaves both streams when stdout and stderr are the same file", arguments: availableIsolations)
    func sharedLogFile(isolation: Isolation) async throws {
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        var invocation = fixture.invocation("shared", "sh", ["-c", "echo one; echo two >&2; echo three"])
        invocation.stderrPath = invocation.stdoutPath

        _ = try await ProcessRuntime(isolation: isolation).run(invocation)

        #expect(contents(of: invocation.stdoutPath) == "one\ntwo\nthree\n")
    }

    @Test(
        "gives the child exactly the environment passed plus PWD, none of the engine's", arguments: availableIsolations)
    func exactEnvironment(isolation: Isolation) async throws {
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        #expect(ProcessInfo.processInfo.environment[NodeFixture.engineSecretName] != nil)
        let invocation = fixture.invocation(
            "env",
            "env",
            [],
            environment: ["PATH": "/usr/bin:/bin", "GREETING": "hello world", "EMPTY": ""]
        )

        _ = try await ProcessRuntime(isolation: isolation).run(invocation)

        let lines = (contents(of: invocation.stdoutPath) ?? "").split(separator: "\n").sorted()
        let work = invocation.sandbox.nodeDirectory + "/work"
        #expect(lines == ["EMPTY=", "GREETING=hello world", "PATH=/usr/bin:/bin", "PWD=\(work)"])
    }

    @Test("starts in nodeDirectory/work by default, created", arguments: availableIsolations)
    func defaultWorkingDirectory(isolation: Isolation) async throws {
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        let invocation = fixture.invocation("cwd", "sh", ["-c", "pwd; echo made > here.txt"])

        let outcome = try await ProcessRuntime(isolation: isolation).run(invocation)

        let work = invocation.sandbox.nodeDirectory + "/work"
        #expect(outcome.termination == .exited(0))
        #expect(contents(of: invocation.stdoutPath) == work + "\n")
        #expect(contents(of: work + "/here.txt") == "made\n")
    }

    @Test("honours an explicit working directory", arguments: availableIsolations)
    func explicitWorkingDirectory(isolation: Isolation) async throws {
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        let directory = fixture.root + "/elsewhere/inner"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let invocation = fixture.invocation("cwd", "sh", ["-c", "pwd"], workingDirectory: directory)

        _ = try await ProcessRuntime(isolation: isolation).run(invocation)

        // Under bubblewrap the fixture (in the host's /tmp) is hidden by the private /tmp, so the node sees an
        // empty private directory there: what matters is that it starts at the path it was given.
        #expect(contents(of: invocation.stdoutPath) == directory + "\n")
    }

    @Test("kills a background child left behind after the leader exits", arguments: availableIsolations)
    func backgroundChildKilled(isolation: Isolation) async throws {
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        let sleeper = "sleep 300.\(fixture.marker)"
        let invocation = fixture.invocation("leaves-child", "sh", ["-c", "\(sleeper) & echo started"])

        let outcome = try await ProcessRuntime(isolation: isolation).run(invocation)

        #expect(outcome.termination == .exited(0))
        #expect(contents(of: invocation.stdoutPath) == "started\n")
        if isolation == .bubblewrap {
            // A sandboxed node is reported ended only once nothing of it runs (its PID 1 kills and reaps the rest
            // before it reports, and before its namespaces are torn down).
            #expect(livingProcesses(matching: sleeper) == [])
        }
        #expect(await processesSurviving(sleeper) == [])
    }

    @Test("a timeout kills the whole group and is reported", arguments: availableIsolations)
    func timeoutKillsGroup(isolation: Isolation) async throws {
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        let marker = fixture.marker
        let invocation = fixture.invocation(
            "slow",
            "sh",
            ["-c", "sleep 300.\(marker); sleep 301.\(marker)"],
            timeout: .milliseconds(300)
        )

        let outcome = try await ProcessRuntime(isolation: isolation).run(invocation)

        #expect(outcome.timedOut)
        #expect(outcome.termination == .signaled(SIGTERM))
        #expect(outcome.isSuccess == false)
        #expect(await processesSurviving(marker) == [])
    }

    @Test("a timeout lets the command handle SIGTERM within the grace period", arguments: availableIsolations)
    func timeoutIsGraceful(isolation: Isolation) async throws {
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        let marker = fixture.marker
        let invocation = fixture.invocation(
            "graceful",
            "sh",
            ["-c", "trap 'echo got-term; exit 7' TERM; sleep 300.\(marker) & wait"],
            timeout: .milliseconds(300)
        )

        let outcome = try await ProcessRuntime(isolation: isolation).run(invocation)

        #expect(outcome.timedOut)
        #expect(outcome.termination == .exited(7))
        #expect(contents(of: invocation.stdoutPath) == "got-term\n")
        #expect(await processesSurviving(marker) == [])
    }

    @Test("a group ignoring SIGTERM gets SIGKILL after the grace period", arguments: availableIsolations)
    func timeoutEscalatesToKill(isolation: Isolation) async throws {
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        let marker = fixture.marker
        let invocation = fixture.invocation(
            "stubborn",
            "sh",
            ["-c", "trap '' TERM; sleep 300.\(marker) & wait; sleep 301.\(marker)"],
            timeout: .milliseconds(300)
        )

        let outcome = try await ProcessRuntime(isolation: isolation).run(invocation)

        #expect(outcome.timedOut)
        #expect(await processesSurviving(marker) == [])
    }

    @Test("cancelling the task kills the group and throws cancelled", arguments: availableIsolations)
    func cancellationKillsGroup(isolation: Isolation) async throws {
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        let sleeper = "sleep 300.\(fixture.marker)"
        let invocation = fixture.invocation("cancelled", "sh", ["-c", "\(sleeper) & \(sleeper)"])
        let runtime = ProcessRuntime(isolation: isolation)

        let task = Task { () async throws(RuntimeError) -> NodeOutcome in try await runtime.run(invocation) }
        while livingProcesses(matching: sleeper).count < 2 { try await Task.sleep(for: .milliseconds(10)) }
        task.cancel()
        let result = await task.result

        #expect(throws: RuntimeError.cancelled(node: "cancelled")) { try result.get() }
        #expect(await processesSurviving(sleeper) == [])
    }

    @Test("looks the executable up in the node's PATH, not the engine's", arguments: availableIsolations)
    func executableNotFound(isolation: Isolation) async throws {
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        let runtime = ProcessRuntime(isolation: isolation)

        let missing = fixture.invocation("missing", "sluice-no-such-tool", [])
        let wrongPath = fixture.invocation("wrong-path", "sh", ["-c", "true"], environment: ["PATH": "/nonexistent"])
        let noPath = fixture.invocation("no-path", "sh", ["-c", "true"], environment: [:])
        let absolute = fixture.invocation("absolute", "/usr/bin/sluice-no-such-tool", [])

        let error = await #expect(throws: RuntimeError.self) { try await runtime.run(missing) }
        #expect(
            error?.description == "node 'missing': executable 'sluice-no-such-tool' not found in PATH '/usr/bin:/bin'"
        )
        await #expect(
            throws: RuntimeError.executableNotFound(node: "wrong-path", executable: "sh", searchPath: "/nonexistent")
        ) {
            try await runtime.run(wrongPath)
        }
        let noPathError = await #expect(throws: RuntimeError.self) { try await runtime.run(noPath) }
        #expect(
            noPathError?.description == "node 'no-path': executable 'sh' not found: the node's environment has no PATH")
        let absoluteError = await #expect(throws: RuntimeError.self) { try await runtime.run(absolute) }
        #expect(
            absoluteError?.description
                == "node 'absolute': executable '/usr/bin/sluice-no-such-tool' does not exist or is not an executable file"
        )
    }

    @Test(
        "a log file that cannot be made for what the node printed is an error naming the file",
        arguments: availableIsolations)
    func unwritableLog(isolation: Isolation) async throws {
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        var invocation = fixture.invocation("logless", "sh", ["-c", "echo lost"])
        let file = try fixture.write("a file, not a directory", to: "not-a-dir")
        invocation.stdoutPath = file + "/stdout.log"

        let error = await #expect(throws: RuntimeError.self) {
            try await ProcessRuntime(isolation: isolation).run(invocation)
        }

        #expect(
            error?.description
                == "node 'logless': cannot open log file '\(file)/stdout.log' for writing: Not a directory")
    }

    @Test(
        "a node that prints nothing leaves no log file; through the launcher's server, no node directory either",
        arguments: availableIsolations)
    func silentNodeLeavesNoFiles(isolation: Isolation) async throws {
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        let server =
            isolation == .bubblewrap ? try ProcessRuntime.launcherPath.map { try SandboxServer(launcher: $0) } : nil
        defer { server?.shutDown() }
        let runtime = server.map { ProcessRuntime(launchingThrough: $0) } ?? ProcessRuntime(isolation: isolation)
        // As the engine lays a node out: nothing read back, a progress file under bubblewrap.
        var silent = fixture.invocation("silent", "sh", ["-c", "echo x > /dev/null"], createsDirectory: false)
        silent.sandbox.readBackPaths = []
        // Without isolation /tmp is the host's: that node writes nothing there.
        let writesProgress = isolation == .bubblewrap ? "echo 1/2 > /tmp/argo-progress" : "true"
        var progress = fixture.invocation("progress", "sh", ["-c", writesProgress], createsDirectory: false)
        progress.sandbox.readBackPaths = []
        if isolation == .bubblewrap {
            silent.sandbox.progressFile = "/tmp/argo-progress"
            progress.sandbox.progressFile = "/tmp/argo-progress"
            progress.environment["ARGO_PROGRESS_FILE"] = "/tmp/argo-progress"
        }

        #expect(try await runtime.run(silent).termination == .exited(0))
        #expect(try await runtime.run(progress).termination == .exited(0))

        for invocation in [silent, progress] {
            #expect(!FileManager.default.fileExists(atPath: invocation.stdoutPath))
            #expect(!FileManager.default.fileExists(atPath: invocation.stderrPath))
        }
        guard server != nil else { return }
        #expect(!FileManager.default.fileExists(atPath: silent.sandbox.nodeDirectory))
        // A file the launcher saves makes the node's directory, private.
        let directory = progress.sandbox.nodeDirectory
        #expect(contents(of: directory + "/root/tmp/argo-progress") == "1/2\n")
        let attributes = try FileManager.default.attributesOfItem(atPath: directory)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o700)
    }

    @Test(
        "what a running node printed is in its log file before it ends, 0600 in a 0700 directory",
        arguments: availableIsolations)
    func logReadableWhileRunning(isolation: Isolation) async throws {
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        let gate = fixture.root + "/gate"
        try FileManager.default.createDirectory(atPath: gate, withIntermediateDirectories: true)
        // The node sees the gate directory at /gate under bubblewrap (the fixture lies in its private /tmp).
        let inside = isolation == .bubblewrap ? "/gate" : gate
        var invocation = fixture.invocation(
            "running", "sh", ["-c", "echo started; while [ ! -e \(inside)/open ]; do sleep 0.02; done; echo ended"],
            readOnlyBinds: isolation == .bubblewrap ? [SandboxLayout.Bind(hostPath: gate, sandboxPath: "/gate")] : [],
            createsDirectory: false)
        invocation.sandbox.readBackPaths = []
        let runtime = ProcessRuntime(isolation: isolation)

        let running = Task { try await runtime.run(invocation) }
        let deadline = ContinuousClock.now + .seconds(30)
        while contents(of: invocation.stdoutPath) != "started\n" && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        // The node cannot have ended: it waits for the gate to open.
        #expect(contents(of: invocation.stdoutPath) == "started\n")
        let log = try FileManager.default.attributesOfItem(atPath: invocation.stdoutPath)
        #expect((log[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let directory = try FileManager.default.attributesOfItem(atPath: invocation.sandbox.nodeDirectory)
        #expect((directory[.posixPermissions] as? NSNumber)?.intValue == 0o700)
        FileManager.default.createFile(atPath: gate + "/open", contents: Data())

        #expect(try await running.value.termination == .exited(0))
        #expect(contents(of: invocation.stdoutPath) == "started\nended\n")
        #expect(!FileManager.default.fileExists(atPath: invocation.stderrPath))
    }

    @Test("a node printing more than a pipe holds gets all of it in its log", arguments: availableIsolations)
    func largeLog(isolation: Isolation) async throws {
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        let invocation = fixture.invocation(
            "large", "sh", ["-c", "head -c 3000000 /dev/zero | tr '\\0' a; echo; echo tail >&2"])

        #expect(try await ProcessRuntime(isolation: isolation).run(invocation).termination == .exited(0))

        let log = try FileManager.default.attributesOfItem(atPath: invocation.stdoutPath)
        #expect((log[.size] as? NSNumber)?.intValue == 3_000_001)
        #expect(contents(of: invocation.stdoutPath)?.hasPrefix("aaaa") == true)
        #expect(contents(of: invocation.stderrPath) == "tail\n")
    }

    @Test("rejects relative and parent-escaping sandbox paths", arguments: availableIsolations)
    func invalidPaths(isolation: Isolation) async throws {
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        let invocation = fixture.invocation("bad", "sh", ["-c", "true"], privatePaths: ["/mnt/../etc"])

        let error = await #expect(throws: RuntimeError.self) {
            try await ProcessRuntime(isolation: isolation).run(invocation)
        }

        #expect(
            error?.description
                == "node 'bad': sandbox path '/mnt/../etc' must be absolute, must not be '/' and must not contain '..'"
        )
    }

    @Test("a missing working directory outside the private paths is an error", arguments: availableIsolations)
    func missingWorkingDirectory(isolation: Isolation) async throws {
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        let invocation = fixture.invocation("lost", "sh", ["-c", "true"], workingDirectory: "/sluice-no-such-dir")

        await #expect(throws: RuntimeError.workingDirectoryMissing(node: "lost", path: "/sluice-no-such-dir")) {
            try await ProcessRuntime(isolation: isolation).run(invocation)
        }
    }

    @Test("without isolation a read-only bind is copied to its sandbox path and readable")
    func noneCopiesReadOnlyBind() async throws {
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        let source = try fixture.write("input-data\n", to: "artifacts/data.txt")
        let target = fixture.root + "/inputs/nested/data.txt"
        let invocation = fixture.invocation(
            "reads",
            "cat",
            [target],
            readOnlyBinds: [SandboxLayout.Bind(hostPath: source, sandboxPath: target)]
        )

        let outcome = try await ProcessRuntime(isolation: .none).run(invocation)

        #expect(outcome.termination == .exited(0))
        #expect(contents(of: invocation.stdoutPath) == "input-data\n")
        #expect(
            ProcessRuntime(isolation: .none).fileView(of: invocation.sandbox).hostPath(of: "/tmp/out.txt")
                == "/tmp/out.txt")
    }
}

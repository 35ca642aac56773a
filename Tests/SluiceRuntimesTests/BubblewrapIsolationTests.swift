import Foundation
import SluiceRuntimes
import Testing

@Suite(
    "ProcessRuntime with bubblewrap isolates each node's files",
    .timeLimit(.minutes(1)),
    .enabled(if: ProcessRuntime.bwrapWorks, "bwrap does not work on this host")
)
struct BubblewrapIsolationTests {
    /// bwrap itself, launcher or not: it stays the fallback where the launcher cannot run (SandboxLauncherTests
    /// covers the launcher).
    let runtime = ProcessRuntime(isolation: .bubblewrap, usesLauncher: false)

    @Test("two nodes in parallel writing the same absolute paths each get their own files")
    func parallelNodesArePrivate() async throws {
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        func node(_ name: String) -> NodeInvocation {
            let script = """
                echo \(name) > /tmp/out.txt
                echo result-\(name) > /mnt/out/result.txt
                sleep 0.3
                cat /tmp/out.txt /mnt/out/result.txt
                """
            return fixture.invocation(name, "sh", ["-c", script], privatePaths: ["/mnt/out"])
        }
        let (first, second) = (node("alpha"), node("beta"))

        async let firstOutcome = runtime.run(first)
        async let secondOutcome = runtime.run(second)
        let outcomes = try await [firstOutcome, secondOutcome]

        #expect(outcomes.map(\.termination) == [.exited(0), .exited(0)])
        for (invocation, name) in [(first, "alpha"), (second, "beta")] {
            #expect(contents(of: invocation.stdoutPath) == "\(name)\nresult-\(name)\n")
            let tmpFile = try #require(runtime.fileView(of: invocation.sandbox).hostPath(of: "/tmp/out.txt"))
            let resultFile = try #require(runtime.fileView(of: invocation.sandbox).hostPath(of: "/mnt/out/result.txt"))
            #expect(tmpFile == invocation.sandbox.nodeDirectory + "/root/tmp/out.txt")
            #expect(resultFile == invocation.sandbox.nodeDirectory + "/root/mnt/out/result.txt")
            #expect(contents(of: tmpFile) == "\(name)\n")
            #expect(contents(of: resultFile) == "result-\(name)\n")
        }
        #expect(FileManager.default.fileExists(atPath: "/mnt/out/result.txt") == false)
    }

    @Test("a process that left the group with setsid still dies with the sandbox")
    func setsidEscapeeKilled() async throws {
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        let sleeper = "sleep 300.\(fixture.marker)"
        let invocation = fixture.invocation("escapes", "sh", ["-c", "setsid \(sleeper) & echo started"])

        let outcome = try await runtime.run(invocation)

        #expect(outcome.termination == .exited(0))
        #expect(await processesSurviving(sleeper) == [])
    }

    @Test("a read-only bind is readable and not writable")
    func readOnlyBind() async throws {
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        let source = try fixture.write("input-data\n", to: "artifacts/data.txt")
        let script = """
            cat /inputs/data.txt
            if (echo overwritten > /inputs/data.txt) 2>/dev/null; then echo writable; else echo refused; fi
            """
        let invocation = fixture.invocation(
            "reader",
            "sh",
            ["-c", script],
            readOnlyBinds: [SandboxLayout.Bind(hostPath: source, sandboxPath: "/inputs/data.txt")]
        )

        let outcome = try await runtime.run(invocation)

        #expect(outcome.termination == .exited(0))
        #expect(contents(of: invocation.stdoutPath) == "input-data\nrefused\n")
        #expect(contents(of: source) == "input-data\n")
        #expect(runtime.fileView(of: invocation.sandbox).hostPath(of: "/inputs/data.txt") == source)
    }

    @Test("the host is read-only outside the private paths")
    func hostIsReadOnly() async throws {
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        let script = """
            for target in /usr/sluice-\(fixture.marker) /sluice-\(fixture.marker) /var/tmp/sluice-\(fixture.marker); do
              if (echo x > "$target") 2>/dev/null; then echo "wrote $target"; else echo "refused $target"; fi
            done
            """
        let invocation = fixture.invocation("writer", "sh", ["-c", script])

        _ = try await runtime.run(invocation)

        let marker = fixture.marker
        #expect(
            contents(of: invocation.stdoutPath)
                == "refused /usr/sluice-\(marker)\nrefused /sluice-\(marker)\nrefused /var/tmp/sluice-\(marker)\n"
        )
        #expect(FileManager.default.fileExists(atPath: "/sluice-\(marker)") == false)
    }

    @Test("finds an executable in the node's PATH inside the sandbox view")
    func lookupInSandboxView() async throws {
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        let tool = try fixture.write("#!/bin/sh\necho tool says $1\n", to: "staged/greet")
        chmod(tool, 0o755)
        let invocation = fixture.invocation(
            "tooling",
            "greet",
            ["hi"],
            environment: ["PATH": "/opt/sluice-tools:/usr/bin:/bin"],
            readOnlyBinds: [SandboxLayout.Bind(hostPath: tool, sandboxPath: "/opt/sluice-tools/greet")]
        )

        let outcome = try await runtime.run(invocation)

        #expect(outcome.termination == .exited(0))
        #expect(contents(of: invocation.stdoutPath) == "tool says hi\n")
    }

    @Test("a mount bubblewrap refuses is reported with bwrap's own message")
    func bubblewrapRefusal() async throws {
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        let source = try fixture.write("x\n", to: "artifacts/x.txt")
        let invocation = fixture.invocation(
            "refused",
            "true",
            [],
            readOnlyBinds: [SandboxLayout.Bind(hostPath: source, sandboxPath: "/proc/sluice-x/x.txt")]
        )

        let error = await #expect(throws: RuntimeError.self) { try await runtime.run(invocation) }

        guard case .bubblewrapFailed(let node, let message) = error else {
            Issue.record("expected bubblewrapFailed, got \(String(describing: error))")
            return
        }
        #expect(node == "refused")
        #expect(message.hasPrefix("bwrap: "))
    }
}

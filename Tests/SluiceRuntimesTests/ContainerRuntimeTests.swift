import Foundation
import SluiceRuntimes
import SluiceTesting
import Testing

/// Real containers through both CLIs: podman, and docker against `podman system service`.
///
/// Needs `scripts/setup-containers.sh --service`; skips locally without it and fails under CI.
@Suite(.timeLimit(.minutes(2)))
struct ContainerRuntimeTests {
    enum CLI: String, CaseIterable, CustomTestStringConvertible {
        case podman, docker
        var testDescription: String { rawValue }
        var runtime: ContainerRuntime { ContainerRuntime(profile: self == .podman ? .podman : .docker) }
        var isEnabled: Bool {
            self == .podman ? ContainersSupport.podmanTestsEnabled : ContainersSupport.dockerTestsEnabled
        }
    }

    /// A container invocation for `node` in a fresh fixture; the run name is unique so leaks can be listed.
    static func invocation(
        _ fixture: NodeFixture, _ node: String, image: String = ContainersSupport.baseImage, command: [String]? = nil,
        args: [String]? = nil, environment: [String: String] = [:], privatePaths: [String] = [],
        readOnlyBinds: [SandboxLayout.Bind] = [], timeout: Duration? = nil, policy: String? = nil,
        runAsUser: Int? = nil, runAsNonRoot: Bool? = nil
    ) -> NodeInvocation {
        var invocation = fixture.invocation(
            node, command?.first ?? "", Array((command ?? []).dropFirst()), environment: environment,
            privatePaths: privatePaths, readOnlyBinds: readOnlyBinds, timeout: timeout)
        invocation.runName = "rt\(fixture.marker)"
        invocation.container = ContainerSettings(
            image: image, command: command, args: args, imagePullPolicy: policy, runAsUser: runAsUser,
            runAsNonRoot: runAsNonRoot)
        return invocation
    }

    private func require(_ cli: CLI) throws {
        let reason =
            cli == .podman ? ContainersSupport.podmanUnavailableReason : ContainersSupport.dockerUnavailableReason
        if let reason { try #require(Bool(false), "container tests need the setup: \(reason)") }
    }

    private func text(_ path: String?) -> String {
        path.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) } ?? ""
    }

    @Test(
        "stdout goes to the log, the exit code is the container's, the image ID is the engine's own",
        arguments: CLI.allCases.filter(\.isEnabled))
    func exitCodeAndLogs(cli: CLI) async throws {
        try require(cli)
        let fixture = try NodeFixture()
        let invocation = Self.invocation(
            fixture, "exit", command: ["sh", "-c", "echo out-$GREETING; echo err >&2; exit 3"],
            environment: ["GREETING": "hello"])
        let outcome = try await cli.runtime.run(invocation)
        #expect(outcome.termination == .exited(3))
        #expect(!outcome.timedOut)
        #expect(text(invocation.stdoutPath) == "out-hello\n")
        #expect(text(invocation.stderrPath) == "err\n")
        #expect(outcome.imageID == ContainersSupport.imageID(ContainersSupport.baseImage))
        #expect(ContainersSupport.containers(prefixed: "sluice-" + invocation.runName).isEmpty)
    }

    @Test(
        "Kubernetes command/args rules against an image with ENTRYPOINT and CMD",
        arguments: CLI.allCases.filter(\.isEnabled))
    func entrypointRules(cli: CLI) async throws {
        try require(cli)
        let fixture = try NodeFixture()
        let cases: [([String]?, [String]?, String)] = [
            (nil, nil, "entry default-cmd\n"),
            (nil, ["a", "b"], "entry a b\n"),
            (["/bin/echo"], nil, "\n"),
            (["/bin/echo", "x"], ["y"], "x y\n"),
        ]
        for (index, (command, args, expected)) in cases.enumerated() {
            let invocation = Self.invocation(
                fixture, "entry\(index)", image: ContainersSupport.entrypointImage, command: command, args: args)
            let outcome = try await cli.runtime.run(invocation)
            #expect(outcome.termination == .exited(0))
            #expect(text(invocation.stdoutPath) == expected, "command \(command ?? []) args \(args ?? [])")
        }
    }

    @Test(
        "outputs written to private paths are on the host without a copy; inputs are read-only",
        arguments: CLI.allCases.filter(\.isEnabled))
    func mounts(cli: CLI) async throws {
        try require(cli)
        let fixture = try NodeFixture()
        let input = try fixture.write("input bytes\n", to: "inputs/in.txt")
        let invocation = Self.invocation(
            fixture, "io",
            command: [
                "sh", "-c",
                "cat /in/in.txt > /mnt/out/copy.txt && echo tmp > /tmp/t.txt && (echo x > /in/in.txt || echo refused)",
            ],
            privatePaths: ["/mnt/out"], readOnlyBinds: [.init(hostPath: input, sandboxPath: "/in/in.txt")])
        let runtime = cli.runtime
        let outcome = try await runtime.run(invocation)
        #expect(outcome.termination == .exited(0))
        #expect(text(runtime.fileView(of: invocation.sandbox).hostPath(of: "/mnt/out/copy.txt")) == "input bytes\n")
        #expect(text(runtime.fileView(of: invocation.sandbox).hostPath(of: "/tmp/t.txt")) == "tmp\n")
        #expect(text(invocation.stdoutPath) == "refused\n")
        #expect(text(input) == "input bytes\n")
        #expect(runtime.fileView(of: invocation.sandbox).hostPath(of: "/etc/passwd") == nil)
    }

    @Test(
        "a container past its deadline is stopped, reported timed out and removed",
        arguments: CLI.allCases.filter(\.isEnabled))
    func deadline(cli: CLI) async throws {
        try require(cli)
        let fixture = try NodeFixture()
        let invocation = Self.invocation(
            fixture, "slow", command: ["sh", "-c", "echo started; sleep 300"], timeout: .seconds(2))
        let outcome = try await cli.runtime.run(invocation)
        #expect(outcome.timedOut)
        // sh as PID 1 ignores SIGTERM, so `stop` kills it after the grace (when the container had started).
        if text(invocation.stdoutPath) == "started\n" {
            #expect(outcome.termination == .signaled(9), "\(outcome.termination)")
        }
        #expect(ContainersSupport.containers(prefixed: "sluice-" + invocation.runName).isEmpty)
    }

    @Test("cancelling the node's task removes its container", arguments: CLI.allCases.filter(\.isEnabled))
    func cancellation(cli: CLI) async throws {
        try require(cli)
        let fixture = try NodeFixture()
        let invocation = Self.invocation(fixture, "cancel", command: ["sleep", "300"])
        let runtime = cli.runtime
        let task = Task { try await runtime.run(invocation) }
        // Wait until the container exists, then cancel.
        for _ in 0..<200 where ContainersSupport.containers(prefixed: "sluice-" + invocation.runName).isEmpty {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(!ContainersSupport.containers(prefixed: "sluice-" + invocation.runName).isEmpty)
        task.cancel()
        let result = await task.result
        #expect(throws: RuntimeError.cancelled(node: "cancel")) { try result.get() }
        #expect(ContainersSupport.containers(prefixed: "sluice-" + invocation.runName).isEmpty)
    }

    @Test(
        "a missing image under Never fails naming the image and the policy", arguments: CLI.allCases.filter(\.isEnabled)
    )
    func missingImage(cli: CLI) async throws {
        try require(cli)
        let fixture = try NodeFixture()
        let invocation = Self.invocation(
            fixture, "missing", image: "localhost/sluice-no-such-image:1", command: ["true"], policy: "Never")
        await #expect(
            throws: RuntimeError.container(
                node: "missing", runtime: cli.rawValue, image: "localhost/sluice-no-such-image:1",
                problem: .imageMissing(policy: .never))
        ) { try await cli.runtime.run(invocation) }
    }

    @Test("a pull that cannot reach a registry fails saying so", arguments: CLI.allCases.filter(\.isEnabled))
    func pullFailure(cli: CLI) async throws {
        try require(cli)
        let fixture = try NodeFixture()
        let image = "registry.invalid/sluice/none:1"
        let invocation = Self.invocation(fixture, "pull", image: image, command: ["true"], policy: "IfNotPresent")
        do {
            _ = try await cli.runtime.run(invocation)
            Issue.record("pulled \(image)")
        } catch {
            guard case .container(_, _, _, .pullFailed(let policy, _)) = error else {
                Issue.record("expected pullFailed, got \(error)")
                return
            }
            #expect(policy == .ifNotPresent)
            #expect(error.description.contains("could not pull image '\(image)' (imagePullPolicy IfNotPresent)"))
        }
        #expect(ContainersSupport.containers(prefixed: "sluice-" + invocation.runName).isEmpty)
    }

    @Test(
        "runAsUser runs as that uid; runAsNonRoot refuses an image that runs as root",
        arguments: CLI.allCases.filter(\.isEnabled))
    func users(cli: CLI) async throws {
        try require(cli)
        let fixture = try NodeFixture()
        let asUser = Self.invocation(
            fixture, "uid", command: ["sh", "-c", "id -u; echo w > /tmp/w"], runAsUser: 65534, runAsNonRoot: true)
        let outcome = try await cli.runtime.run(asUser)
        #expect(outcome.termination == .exited(0))
        #expect(text(asUser.stdoutPath) == "65534\n")
        let image = Self.invocation(
            fixture, "img", image: ContainersSupport.nonRootImage, command: ["id", "-u"], runAsNonRoot: true)
        _ = try await cli.runtime.run(image)
        #expect(text(image.stdoutPath) == "65534\n")
        let root = Self.invocation(fixture, "root", command: ["true"], runAsNonRoot: true)
        await #expect(
            throws: RuntimeError.container(
                node: "root", runtime: cli.rawValue, image: ContainersSupport.baseImage,
                problem: .runsAsRoot(user: "the image sets no USER"))
        ) { try await cli.runtime.run(root) }
    }

    @Test("an uninstalled CLI and an unreachable Docker daemon are named")
    func unreachable() async throws {
        try require(.podman)
        let fixture = try NodeFixture()
        let invocation = Self.invocation(fixture, "n", command: ["true"])
        let missing = ContainerRuntime(profile: ContainerProfile(runtime: .podman, executable: "podman-not-installed"))
        await #expect(
            throws: RuntimeError.container(
                node: "n", runtime: "podman", image: ContainersSupport.baseImage,
                problem: .cliNotInstalled(executable: "podman-not-installed"))
        ) { try await missing.run(invocation) }
        let noDaemon = ContainerRuntime(
            profile: ContainerProfile(runtime: .docker, environment: ["DOCKER_HOST": "unix:///nonexistent/docker.sock"])
        )
        do {
            _ = try await noDaemon.run(invocation)
            Issue.record("ran without a daemon")
        } catch {
            guard case .container(_, _, _, .daemonUnreachable) = error else {
                Issue.record("expected daemonUnreachable, got \(error)")
                return
            }
        }
    }
}

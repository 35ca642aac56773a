import Foundation
import SluiceRuntimes
import Testing
import Yams

@testable import SluiceRuntimes

@Suite("Container command lines, quantities and profiles (no containers)")
struct ContainerCommandTests {
    @Test(
        "Kubernetes CPU quantities become --cpus values",
        arguments: [("500m", "0.5"), ("2", "2"), ("1.5", "1.5"), ("250m", "0.25"), ("1001m", "1.001"), ("0.1", "0.1")])
    func cpus(quantity: String, expected: String) {
        #expect(KubernetesQuantity.cpus(quantity) == expected)
    }

    @Test(
        "Kubernetes memory quantities become --memory values",
        arguments: [
            ("128Mi", "128m"), ("1Gi", "1g"), ("64Ki", "64k"), ("1G", "1000000000b"), ("500M", "500000000b"),
            ("1048576", "1m"), ("1000", "1000b"),
        ])
    func memory(quantity: String, expected: String) {
        #expect(KubernetesQuantity.memory(quantity) == expected)
    }

    @Test("invalid quantities are refused", arguments: ["", "abc", "-1", "0", "1.5Mi", "10x", "0m"])
    func invalidQuantities(quantity: String) {
        #expect(KubernetesQuantity.memory(quantity) == nil)
        if quantity != "1.5Mi" { #expect(KubernetesQuantity.cpus(quantity) == nil) }
    }

    /// Issue 16: a killed engine's containers carried nothing saying which run and state directory they were for.
    @Test("a container is labelled with its run, its state directory and its engine's pid")
    func labels() {
        var labelled = command(ContainerSettings(image: "img"))
        labelled.labels = ContainerCommand.labels(
            runName: "hello", nodeDirectory: "/home/u/.local/state/sluice/runs/hello/nodes/hello-123", enginePID: 42)
        #expect(
            Array(labelled.runArguments.prefix(12)) == [
                "run", "--name", "sluice-r-n", "--pull", "missing", "--quiet", "--label", "sluice.run=hello", "--label",
                "sluice.state-dir=/home/u/.local/state/sluice", "--label", "sluice.engine-pid=42",
            ])
        #expect(
            ContainerCommand.labels(runName: "r", nodeDirectory: "/tmp/elsewhere/n", enginePID: 7).map(\.name)
                == ["sluice.run", "sluice.engine-pid"])
    }

    @Test(
        "a running container's first IP address is where other nodes reach it; none yet while it does not run",
        arguments: [
            ("running|10.88.0.7 10.88.0.7 \n", NodeAddress.own("10.88.0.7")),
            ("running| 10.89.0.3 \n", .own("10.89.0.3")),
            ("running|<no value> 172.17.0.2 ", .own("172.17.0.2")),
            ("running|  \n", .host),
            ("created|  ", .pending),
            ("exited|10.88.0.7 ", .pending),
            ("", .pending),
        ])
    func containerAddress(output: String, expected: NodeAddress) {
        #expect(ContainerCommand.address(fromInspectOutput: output) == expected)
    }

    @Test("pull policies map to --pull values")
    func pullPolicies() {
        #expect(PullPolicy.allCases.map(\.pullFlagValue) == ["always", "missing", "never"])
    }

    private func command(_ settings: ContainerSettings, profile: ContainerProfile = .podman) -> ContainerCommand {
        ContainerCommand(
            profile: profile, name: "sluice-r-n", settings: settings, pullPolicy: .ifNotPresent,
            mounts: [
                .init(hostPath: "/h/root/tmp", containerPath: "/tmp", isReadOnly: false),
                .init(hostPath: "/h/in.txt", containerPath: "/in/in.txt", isReadOnly: true),
            ],
            inheritedVariables: ["GREETING"], explicitVariables: [("PATH", "/opt/bin")], workingDirectory: "/work",
            cpus: "0.5", memory: "128m", user: "1000:1000")
    }

    @Test("command replaces the entrypoint (first word) and args follow the image")
    func commandAndArgs() {
        let settings = ContainerSettings(image: "busybox", command: ["sh", "-c"], args: ["echo hi"])
        #expect(
            command(settings).runArguments == [
                "run", "--name", "sluice-r-n", "--pull", "missing", "--quiet", "-v", "/h/root/tmp:/tmp", "-v",
                "/h/in.txt:/in/in.txt:ro", "-e", "GREETING", "-e", "PATH=/opt/bin", "-w", "/work", "--cpus", "0.5",
                "--memory", "128m", "--user", "1000:1000", "--entrypoint", "sh", "busybox", "-c", "echo hi",
            ])
    }

    @Test("a sidecar joins its network owner's namespace instead of the profile's network")
    func networkOwner() {
        var profile = ContainerProfile.docker
        profile.network = "none"
        let own = command(ContainerSettings(image: "busybox"), profile: profile).runArguments
        #expect(own.contains("--network") && own[(own.firstIndex(of: "--network") ?? 0) + 1] == "none")
        let joined = command(ContainerSettings(image: "busybox", networkOwner: "sluice-r-main"), profile: profile)
            .runArguments
        #expect(joined.filter { $0 == "--network" }.count == 1)
        #expect(joined[(joined.firstIndex(of: "--network") ?? 0) + 1] == "container:sluice-r-main")
    }

    @Test("args alone keep the image's entrypoint; neither keeps entrypoint and CMD")
    func argsOnly() {
        let argsOnly = command(ContainerSettings(image: "img", args: ["a", "b"])).runArguments
        #expect(!argsOnly.contains("--entrypoint"))
        #expect(Array(argsOnly.suffix(3)) == ["img", "a", "b"])
        let neither = command(ContainerSettings(image: "img")).runArguments
        #expect(!neither.contains("--entrypoint"))
        #expect(neither.last == "img")
    }

    @Test("profile flags, network and mount options are placed where the CLI expects them")
    func profileFlags() {
        let profile = ContainerProfile(
            runtime: .docker, globalFlags: ["--log-level", "error"], runFlags: ["--init"], network: "none",
            mountOptions: ["z"])
        let arguments = command(ContainerSettings(image: "img"), profile: profile).runArguments
        #expect(Array(arguments.prefix(3)) == ["--log-level", "error", "run"])
        #expect(arguments.contains("/h/root/tmp:/tmp:z"))
        #expect(arguments.contains("/h/in.txt:/in/in.txt:ro,z"))
        #expect(Array(arguments.suffix(4)) == ["--network", "none", "--init", "img"])
        #expect(
            ContainerCommand.removeArguments(profile: profile, name: "c") == ["--log-level", "error", "rm", "-f", "c"])
        #expect(
            ContainerCommand.removeArguments(profile: .podman, name: "c") == ["rm", "-f", "-t", "0", "--ignore", "c"])
    }

    @Test("container names come from the run and the node id, with invalid characters replaced")
    func names() {
        #expect(
            ContainerCommand.containerName(runName: "hello-x1", nodeID: "hello-x1-123")
                == "sluice-hello-x1-hello-x1-123")
        #expect(ContainerCommand.containerName(runName: "r", nodeID: "a b(0)/c") == "sluice-r-a-b-0--c")
    }

    @Test("the node's variables reach the container except the engine's host PATH and HOME=/tmp")
    func environment() {
        let enginePath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        let passed = ContainerRuntime.nodeEnvironment(["PATH": enginePath, "HOME": "/tmp", "A": "1"])
        #expect(passed == ["A": "1"])
        #expect(ContainerRuntime.nodeEnvironment(["PATH": "/custom"]) == ["PATH": "/custom"])
        #expect(ContainerCommand.isReservedForCLI("DOCKER_HOST", profile: .docker))
        #expect(!ContainerCommand.isReservedForCLI("GREETING", profile: .docker))
    }

    @Test("a profile file overrides the built-in defaults; absent keys keep them")
    func profileDecoding() throws {
        let yaml = """
            runtime: docker
            executable: /usr/local/bin/docker
            environment: {DOCKER_HOST: "unix:///tmp/x.sock"}
            imagePullPolicy: Never
            runFlags: [--init]
            """
        let profile = try YAMLDecoder().decode(ContainerProfile.self, from: yaml)
        #expect(
            profile
                == ContainerProfile(
                    runtime: .docker, executable: "/usr/local/bin/docker", runFlags: ["--init"],
                    environment: ["DOCKER_HOST": "unix:///tmp/x.sock"], imagePullPolicy: .never))
        #expect(try YAMLDecoder().decode(ContainerProfile.self, from: "runtime: podman") == .podman)
    }

    @Test("a profile with an unknown key, runtime or pull policy is refused with the offending value")
    func badProfiles() {
        let cases = [
            ("runtime: podman\nrunflags: [x]", "unknown key 'runflags'"),
            ("runtime: containerd", "runtime 'containerd' must be podman or docker"),
            (
                "runtime: podman\nimagePullPolicy: Sometimes",
                "imagePullPolicy 'Sometimes' must be Always, IfNotPresent or Never"
            ),
        ]
        for (yaml, expected) in cases {
            do {
                _ = try YAMLDecoder().decode(ContainerProfile.self, from: yaml)
                Issue.record("decoded \(yaml)")
            } catch {
                #expect("\(error)".contains(expected), "\(error)")
            }
        }
    }

    @Test("runAsNonRoot is checked against runAsUser or the image's USER")
    func nonRoot() throws {
        let failure: (ContainerProblem) -> RuntimeError = {
            .container(node: "n", runtime: "podman", image: "img", problem: $0)
        }
        let root = ContainerSettings(image: "img", runAsUser: 0, runAsNonRoot: true)
        #expect(
            throws: RuntimeError.container(
                node: "n", runtime: "podman", image: "img", problem: .runsAsRoot(user: "runAsUser 0"))
        ) {
            try ContainerRuntime.user(settings: root, imageUser: nil, failure: failure)
        }
        let fromImage = ContainerSettings(image: "img", runAsNonRoot: true)
        #expect(
            throws: RuntimeError.container(
                node: "n", runtime: "podman", image: "img", problem: .runsAsRoot(user: "the image sets no USER"))
        ) {
            try ContainerRuntime.user(settings: fromImage, imageUser: "", failure: failure)
        }
        #expect(
            throws: RuntimeError.container(
                node: "n", runtime: "podman", image: "img", problem: .unverifiableUser(user: "app"))
        ) {
            try ContainerRuntime.user(settings: fromImage, imageUser: "app", failure: failure)
        }
        #expect(try ContainerRuntime.user(settings: fromImage, imageUser: "65534", failure: failure) == nil)
        let both = ContainerSettings(image: "img", runAsUser: 1000, runAsGroup: 100)
        #expect(try ContainerRuntime.user(settings: both, imageUser: nil, failure: failure) == "1000:100")
    }

    @Test("errors name the node, runtime, image and the policy or value")
    func messages() {
        let missing = RuntimeError.container(
            node: "hello", runtime: "podman", image: "busybox:9", problem: .imageMissing(policy: .never))
        #expect(
            missing.description
                == "node 'hello' (podman, image busybox:9): image 'busybox:9' is not present locally and "
                + "imagePullPolicy is Never, so it is not pulled")
        let cli = RuntimeError.container(
            node: "a", runtime: "docker", image: "x", problem: .cliNotInstalled(executable: "docker"))
        #expect(
            cli.description
                == "node 'a' (docker, image x): the container CLI 'docker' is not installed (not found on PATH); "
                + "install it or name another binary in the runtime profile's 'executable'")
    }

    @Test("CLI messages are classified: daemon, permission, missing image, pull failure")
    func classification() {
        #expect(
            ContainerCLI.classify(
                "Cannot connect to the Docker daemon at unix:///x.sock. Is the docker daemon running?\n",
                subcommand: "run", exitCode: 125, policy: .ifNotPresent)
                == .daemonUnreachable(
                    detail: "Cannot connect to the Docker daemon at unix:///x.sock. Is the docker daemon running?"))
        #expect(
            ContainerCLI.classify(
                "Error: nope/img:1: image not known\n", subcommand: "run", exitCode: 125, policy: .never)
                == .imageMissing(policy: .never))
        let pull =
            "Unable to find image 'a/b:1' locally\ndocker: initializing source docker://a/b:1: pinging container "
            + "registry registry-1.docker.io: dial tcp: no such host\n\nRun 'docker run --help' for more information\n"
        #expect(
            ContainerCLI.classify(pull, subcommand: "run", exitCode: 125, policy: .ifNotPresent)
                == .pullFailed(
                    policy: .ifNotPresent,
                    detail: "docker: initializing source docker://a/b:1: pinging container registry "
                        + "registry-1.docker.io: dial tcp: no such host"))
        #expect(
            ContainerCLI.classify("Error: open /x: permission denied", subcommand: "run", exitCode: 125, policy: .never)
                == .permissionDenied(detail: "Error: open /x: permission denied"))
        #expect(
            ContainerCLI.normalizedImageID(String(repeating: "a", count: 64)) == "sha256:"
                + String(repeating: "a", count: 64))
    }
}

import Foundation
import SluiceEngine
import SluiceGovernance
import SluiceRuntimes
import SluiceSpec
import SluiceStore
import SluiceTesting
import Testing

/// Pods under the container runtimes: a per-template runtime (`sluice.dev/runtime`), sidecars sharing the main
/// container's network namespace, and OOM-killed containers. Needs `scripts/setup-containers.sh --service`; skips
/// locally without it, fails under CI.
@Suite(.timeLimit(.minutes(3)))
struct ContainerPodTests {
    enum CLI: String, CaseIterable, CustomTestStringConvertible {
        case podman, docker
        var testDescription: String { rawValue }
        var runtime: ContainerRuntime { ContainerRuntime(profile: self == .podman ? .podman : .docker) }
        var isEnabled: Bool {
            self == .podman ? ContainersSupport.podmanTestsEnabled : ContainersSupport.dockerTestsEnabled
        }
        var unavailableReason: String? {
            self == .podman ? ContainersSupport.podmanUnavailableReason : ContainersSupport.dockerUnavailableReason
        }
    }

    private func require(_ cli: CLI) throws {
        if let reason = cli.unavailableReason { try #require(Bool(false), "container tests need the setup: \(reason)") }
    }

    /// The producer section of a node's envelope.
    private func producer(_ run: RecordedRun, _ node: String) throws -> LineagePredicate.Producer {
        let digest = try #require(try run.node(node).envelopeDigest)
        let record = try #require(try run.store.envelope(payloadDigest: digest))
        let statement = try Statement(payloadBytes: try Envelope(jsonBytes: [UInt8](record.envelopeJSON)).payload)
        return try LineagePredicate(json: statement.predicate).producer
    }

    private func expectNoContainers(of run: RecordedRun, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        #expect(
            ContainersSupport.containers(ofStateDirectory: run.stateDirectory).isEmpty,
            "containers left behind", sourceLocation: sourceLocation)
    }

    // MARK: - Per-template runtime

    /// `host` runs as a process (the run's runtime), `boxed` in a container by its annotation; `boxed` sees the
    /// container's `/run/.containerenv`, which the host does not have.
    static func mixed(_ name: String, cli: CLI) -> String {
        """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {name: \(name)}
        spec:
          entrypoint: main
          templates:
          - name: main
            dag:
              tasks:
              - {name: host, template: host}
              - {name: boxed, template: boxed, dependencies: [host],
                 arguments: {parameters: [{name: word, value: "{{tasks.host.outputs.result}}"}]}}
          - name: host
            container:
              image: busybox
              command: [sh, -c, "test -e /run/.containerenv || echo on-host"]
          - name: boxed
            metadata:
              annotations: {sluice.dev/runtime: \(cli.rawValue)}
            inputs: {parameters: [{name: word}]}
            container:
              image: \(ContainersSupport.baseImage)
              command: [sh, -c, "test -e /run/.containerenv && echo '{{inputs.parameters.word}} then boxed'"]
        """
    }

    @Test(
        "a template annotated sluice.dev/runtime runs in a container, the others as processes; envelopes agree",
        arguments: CLI.allCases.filter(\.isEnabled))
    func perTemplateRuntime(cli: CLI) async throws {
        try require(cli)
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(
                Self.mixed("mixed-\(cli.rawValue)", cli: cli), in: directory, runtime: ProcessRuntime())
            #expect(run.summary.phase == .succeeded, "\(run.summary.message ?? "")")
            #expect(try run.node("host").phase == .succeeded)
            #expect(try run.node("boxed").phase == .succeeded)
            #expect(try run.outputs("boxed").result == "on-host then boxed")
            #expect(try producer(run, "host").runtime == "process")
            let boxed = try producer(run, "boxed")
            #expect(boxed.runtime == cli.rawValue)
            let imageID = try #require(ContainersSupport.imageID(ContainersSupport.baseImage))
            #expect(boxed.image == "\(ContainersSupport.baseImage)@\(imageID)")
            #expect(run.run.runtime == "process")
            expectNoContainers(of: run)
        }
    }

    @Test("process nodes run under bubblewrap while a container of the run holds a network namespace on the host")
    func processNodesBesideAContainer() async throws {
        try require(.podman)
        let yaml = """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata: {name: beside-podman}
            spec:
              entrypoint: main
              templates:
              - name: main
                dag:
                  tasks:
                  - {name: boxed, template: boxed}
                  - {name: delay, template: delay}
                  - {name: host, template: host, depends: delay}
              - name: boxed
                metadata:
                  annotations: {sluice.dev/runtime: podman}
                container:
                  image: \(ContainersSupport.baseImage)
                  command: [sh, -c, "sleep 4"]
              - name: delay
                container:
                  image: busybox
                  command: [sh, -c, "sleep 1.5"]
              - name: host
                container:
                  image: busybox
                  command: [sh, -c, "ls /run/netns 2>/dev/null; echo ran"]
            """
        try await EngineHarness.withDirectory { directory in
            // `host` starts 1.5 s in, while the container's network namespace is mounted under the host's
            // /run/netns: a sandbox binding the host's /run would fail to start ("Unable to apply mount flags").
            let run = try await EngineHarness.run(yaml, in: directory, runtime: ProcessRuntime())
            #expect(
                run.summary.phase == .succeeded,
                "\(run.nodes.map { "\($0.displayName): \($0.phase) \($0.message ?? "")" })")
            #expect(try run.outputs("host").result == "ran")
            expectNoContainers(of: run)
        }
    }

    @Test("spec.podMetadata's annotation is the run-wide default; a template's own annotation overrides it")
    func runWideAnnotation() async throws {
        try require(.podman)
        let yaml = """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata: {name: run-wide-podman}
            spec:
              entrypoint: main
              podMetadata:
                annotations: {sluice.dev/runtime: podman}
              templates:
              - name: main
                steps:
                - - {name: boxed, template: boxed}
                  - {name: host, template: host}
              - name: boxed
                container:
                  image: \(ContainersSupport.baseImage)
                  command: [sh, -c, "test -e /run/.containerenv && echo boxed"]
              - name: host
                metadata:
                  annotations: {sluice.dev/runtime: process}
                container:
                  image: busybox
                  command: [sh, -c, "test -e /run/.containerenv || echo host"]
            """
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(yaml, in: directory, runtime: ProcessRuntime())
            #expect(run.summary.phase == .succeeded, "\(run.summary.message ?? "")")
            #expect(try run.outputs("boxed").result == "boxed")
            #expect(try run.outputs("host").result == "host")
            #expect(try producer(run, "boxed").runtime == "podman")
            #expect(try producer(run, "host").runtime == "process")
            expectNoContainers(of: run)
        }
    }

    // MARK: - Sidecars

    /// The sidecar serves on localhost:8080; main connects to localhost until it answers (there is no readiness
    /// probe; up to a minute, as a loaded host starts containers slowly), then ends with `exit`.
    static func served(_ name: String, exit: String = "0", timeout: String? = nil) -> String {
        """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {name: \(name)}
        spec:
          entrypoint: main
          templates:
          - name: main
            \(timeout.map { "timeout: \($0)" } ?? "")
            container:
              image: \(ContainersSupport.baseImage)
              command:
              - sh
              - -c
              - |
                for i in $(seq 1 1200); do
                  reply=$(nc 127.0.0.1 8080 </dev/null 2>/dev/null) && [ -n "$reply" ] && break
                  sleep 0.05
                done
                echo "got $reply"
                \(exit == "hang" ? "sleep 300" : "exit \(exit)")
            sidecars:
            - name: server
              image: \(ContainersSupport.baseImage)
              command: [sh, -c, "while true; do echo from-sidecar | nc -l -p 8080; done"]
        """
    }

    @Test(
        "a sidecar shares the main container's network namespace: main reaches it on localhost; nothing is left",
        arguments: CLI.allCases.filter(\.isEnabled))
    func sidecarOnLocalhost(cli: CLI) async throws {
        try require(cli)
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(
                Self.served("sidecar-net-\(cli.rawValue)"), in: directory, runtime: cli.runtime)
            #expect(run.summary.phase == .succeeded, "\(run.summary.message ?? "")")
            #expect(try run.outputs("sidecar-net-\(cli.rawValue)").result == "got from-sidecar")
            expectNoContainers(of: run)
        }
    }

    @Test(
        "when main fails or times out, its sidecars and main's container are removed",
        arguments: CLI.allCases.filter(\.isEnabled), ["3", "hang"])
    func sidecarCleanupOnFailure(cli: CLI, exit: String) async throws {
        try require(cli)
        let name = "sidecar-\(exit == "hang" ? "timeout" : "fail")-\(cli.rawValue)"
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(
                Self.served(name, exit: exit, timeout: exit == "hang" ? "3s" : nil), in: directory,
                runtime: cli.runtime)
            #expect(run.summary.phase == .failed)
            let message = try run.node(name).message ?? ""
            if exit == "hang" {
                #expect(message.hasPrefix("Step exceeded its deadline"), "\(message)")
            } else {
                #expect(message == "Error (exit code 3)")
                #expect(try run.outputs(name).result == "got from-sidecar")
            }
            expectNoContainers(of: run)
        }
    }

    // MARK: - Daemons

    /// A daemon container serves on port 8080; a client in another container reaches it at `{{steps.server.ip}}`
    /// once its readiness probe (run by the engine against that address) passes.
    static func daemonWorkflow(_ name: String) -> String {
        """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {name: \(name)}
        spec:
          entrypoint: main
          templates:
          - name: main
            steps:
            - - {name: server, template: server}
            - - name: client
                template: client
                arguments: {parameters: [{name: ip, value: "{{steps.server.ip}}"}]}
          - name: server
            daemon: true
            container:
              image: \(ContainersSupport.baseImage)
              command: [sh, -c, "while true; do echo from-daemon | nc -l -p 8080; done"]
              readinessProbe: {tcpSocket: {port: 8080}}
          - name: client
            inputs: {parameters: [{name: ip}]}
            container:
              image: \(ContainersSupport.baseImage)
              command: [sh, -c, "echo {{inputs.parameters.ip}}; nc {{inputs.parameters.ip}} 8080 </dev/null"]
        """
    }

    @Test(
        "a daemon's {{steps.X.ip}} is its container's own address, which its probe and another container reach",
        arguments: CLI.allCases.filter(\.isEnabled))
    func daemonAddress(cli: CLI) async throws {
        try require(cli)
        try await EngineHarness.withDirectory { directory in
            let name = "daemon-ip-\(cli.rawValue)"
            let run = try await EngineHarness.run(Self.daemonWorkflow(name), in: directory, runtime: cli.runtime)
            #expect(run.summary.phase == .succeeded, "\(run.summary.message ?? "")")
            let lines = (try run.result("client") ?? "").split(separator: "\n").map(String.init)
            #expect(lines.count == 2 && lines[1] == "from-daemon", "\(lines)")
            let address = lines.first ?? ""
            #expect(address != "127.0.0.1" && address.split(separator: ".").count == 4, "\(address)")
            #expect(try run.node("server").phase == .succeeded)
            expectNoContainers(of: run)
        }
    }

    // MARK: - Memory limits

    @Test("a container killed for exceeding resources.limits.memory says so in its node's message")
    func oomKilledMessage() async throws {
        try require(.podman)
        let behaviour = ContainersSupport.memoryLimitBehaviour
        if case .notEnforced(let reason) = behaviour {
            try #require(!ContainersSupport.isCI, "memory limits: \(reason)")
            print("skipped: \(reason)")
            return
        }
        let yaml = """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata: {name: oom-podman}
            spec:
              entrypoint: main
              templates:
              - name: main
                container:
                  image: \(ContainersSupport.baseImage)
                  command: [sh, -c, "x=aaaaaaaaaaaaaaaa; while true; do x=$x$x; done"]
                  resources: {limits: {memory: 16Mi}}
            """
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(yaml, in: directory, runtime: CLI.podman.runtime)
            #expect(run.summary.phase == .failed)
            let node = try run.node("oom-podman")
            #expect(try run.outputs("oom-podman").exitCode == "137")
            switch behaviour {
            case .killedAndReported:
                #expect(node.message == "OOMKilled (exit code 137): the container exceeded its memory limit 16Mi")
            default:
                // This host enforces the limit but podman does not report OOMKilled (see ContainersSupport).
                #expect(
                    node.message
                        == "terminated by signal 9 (exit code 137): probably OOMKilled, the memory limit 16Mi was "
                        + "likely exceeded (the container engine did not report it)")
            }
            expectNoContainers(of: run)
        }
    }

    @Test("the node messages for an OOM-killed container, a SIGKILL under a memory limit, and other endings")
    func failureMessages() {
        let now = Date()
        func outcome(_ termination: NodeOutcome.Termination, oom: Bool = false, timedOut: Bool = false) -> NodeOutcome {
            NodeOutcome(
                termination: termination, timedOut: timedOut, processID: 1, startedAt: now, finishedAt: now,
                oomKilled: oom)
        }
        #expect(outcome(.exited(0)).failureMessage(memoryLimit: "16Mi") == nil)
        #expect(
            outcome(.signaled(9), oom: true).failureMessage(memoryLimit: "16Mi")
                == "OOMKilled (exit code 137): the container exceeded its memory limit 16Mi")
        #expect(outcome(.exited(2)).failureMessage(memoryLimit: "16Mi") == "Error (exit code 2)")
        #expect(
            outcome(.signaled(9)).failureMessage(memoryLimit: nil) == "Error (exit code 137): terminated by signal 9")
        #expect(
            outcome(.signaled(9), timedOut: true).failureMessage(memoryLimit: "1Gi")
                == "Error (exit code 137): terminated by signal 9")
        #expect(
            outcome(.signaled(15)).failureMessage(memoryLimit: "1Gi")
                == "Error (exit code 143): terminated by signal 15")
    }
}

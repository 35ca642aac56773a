import Foundation
import SluiceTesting
import Testing

/// `sluice kube simulate`, `collect` and `diff` as a platform team runs them: the rendered pods run for real under
/// `podman kube play` with the wrapper image built from the binary under test, a directory as the artifact
/// repository; then the attacks a pod must refuse.
@Suite(
    "kube simulate, collect and diff (podman)", .serialized, .timeLimit(.minutes(5)),
    .enabled(if: ContainersSupport.podmanTestsEnabled))
struct KubeSimulateCLITests {
    static func workflow(name: String, extra: String = "") -> String {
        """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {name: \(name)}
        spec:
          entrypoint: main
          arguments:
            parameters: [{name: greeting, value: hi}]
          templates:
            - name: main
              dag:
                tasks:
                  - {name: make, template: make}
                  - name: use
                    template: use
                    dependencies: [make]
                    arguments:
                      parameters: [{name: word, value: "{{tasks.make.outputs.parameters.word}}"}]
                      artifacts: [{name: data, from: "{{tasks.make.outputs.artifacts.data}}"}]
        \(extra)
            - name: make
              container:
                image: busybox
                command: [sh, -c, "echo {{workflow.parameters.greeting}} > /tmp/data; printf hello > /tmp/word; echo made"]
              outputs:
                parameters: [{name: word, valueFrom: {path: /tmp/word}}]
                artifacts: [{name: data, path: /tmp/data}]
            - name: use
              inputs:
                parameters: [{name: word}]
                artifacts: [{name: data, path: /tmp/data}]
              container: {image: busybox, command: [sh, -c, "cat /tmp/data; echo {{inputs.parameters.word}}"]}
        """
    }

    /// The test environment's container settings, for the sluice processes the tests start.
    static var containerEnvironment: [String: String] {
        let environment = ProcessInfo.processInfo.environment
        return environment.filter { $0.key == "CONTAINERS_CONF" || $0.key == "DOCKER_HOST" }
    }

    /// Builds the wrapper image from the binary under test (scripts/build-wrapper-image.sh), runs `body` with its
    /// tag, removes it; checks no container of `prefix` is left.
    static func withWrapperImage(prefix: String, _ body: (String) async throws -> Void) async throws {
        if let reason = ContainersSupport.podmanUnavailableReason {
            try #require(Bool(false), "container tests need the setup: \(reason)")
        }
        let tag = "localhost/sluice-wrapper:test-\(UUID().uuidString.prefix(8).lowercased())"
        let built = ContainersSupport.run([
            "bash", SluiceCLI.repository + "/scripts/build-wrapper-image.sh", SluiceCLI.binary, tag,
        ])
        try #require(built?.status == 0, "building the wrapper image failed: \(built?.output ?? "bash missing")")
        defer { _ = ContainersSupport.run(["podman", "rmi", "-f", tag]) }
        try await body(tag)
        #expect(ContainersSupport.containers(prefixed: prefix).isEmpty, "pods left behind")
    }

    /// `kube render` with a fixed time, the test's wrapper image.
    static func render(_ cli: SluiceCLI, _ file: String, image: String, at time: String = "2026-12-01T00:00:00Z")
        throws -> String
    {
        let output = cli.directory + "/rendered-\(UUID().uuidString.prefix(6)).yaml"
        let rendered = try cli.run([
            "kube", "render", file, "-o", output, "--wrapper-image", image, "--submitted-on", time,
        ])
        try #require(rendered.status == 0, "\(rendered)")
        return output
    }

    @Test(
        "simulate runs the pods under podman in DAG order; the collected bundle verifies and is the same as a local run"
    )
    func simulateCollectDiff() async throws {
        try await Self.withWrapperImage(prefix: "kube-sim-a") { image in
            try await SluiceCLI.withScratch { cli in
                #expect(try cli.run(["keygen"]).status == 0)
                let file = try cli.write(Self.workflow(name: "kube-sim-a"), name: "wf.yaml")
                let rendered = try Self.render(cli, file, image: image)
                let environment = Self.containerEnvironment
                let simulated = try cli.run(
                    ["kube", "simulate", rendered, "--artifact-repo", "repo", "-o", "cluster"], environment: environment
                )
                #expect(simulated.status == 0, "\(simulated)")
                #expect(simulated.stdout.hasPrefix("Succeeded make\nSucceeded use\n"), "\(simulated)")
                #expect(
                    simulated.stdout.contains("collected 2 envelope(s), 1 artifact(s) into cluster"), "\(simulated)")
                let verified = try cli.run(["verify", "cluster"])
                #expect(verified.status == 0, "\(verified)")
                #expect(
                    verified.stdout.contains("verified: 2 envelope(s), 1 artifact(s), 2 chain link(s)"), "\(verified)")
                // collect alone, from what the run left in the repository: the same bundle.
                let collected = try cli.run([
                    "kube", "collect", "--from", "repo", "--workflow", "repo/kube-sim-a.workflow.json", "-o", "again",
                ])
                #expect(collected.status == 0, "\(collected)")
                #expect(try cli.run(["verify", "again"]).status == 0)

                let profile = try cli.write(
                    "runtime: podman\nenvironment: {"
                        + environment.map { "\($0.key): \"\($0.value)\"" }.joined(separator: ", ") + "}\n",
                    name: "podman.yaml")
                let local = try cli.run(["run", file, "--runtime", "podman", "--runtime-profile", profile, "--no-tty"])
                #expect(local.status == 0, "\(local)")
                #expect(try cli.run(["export", "@latest", "-o", "local"]).status == 0)
                let diff = try cli.run(["kube", "diff", "local", "cluster"])
                #expect(diff.status == 0, "\(diff)")
                #expect(
                    diff.stdout == """
                        NODE             L1 VERIFY  L2 PREDICATE  L3 SUBJECTS
                        <workflow>.make  ok         same          same
                        <workflow>.use   ok         same          same

                        the same: 2 node(s) verify, with equal masked predicates and subjects

                        """, "\(diff)")
            }
        }
    }

    @Test("a simulation stopped by SIGTERM takes its running pod down and ends with the signal's status")
    func stoppedSimulation() async throws {
        try await Self.withWrapperImage(prefix: "kube-sim-stop") { image in
            try await SluiceCLI.withScratch { cli in
                #expect(try cli.run(["keygen"]).status == 0)
                let file = try cli.write(
                    """
                    apiVersion: argoproj.io/v1alpha1
                    kind: Workflow
                    metadata: {name: kube-sim-stop}
                    spec:
                      entrypoint: wait
                      templates:
                        - name: wait
                          container: {image: busybox, command: [sleep, "300"]}
                    """, name: "wf.yaml")
                let rendered = try Self.render(cli, file, image: image)
                let simulation = try cli.start(
                    ["kube", "simulate", rendered, "--artifact-repo", "repo"], environment: Self.containerEnvironment)
                var running = false
                let deadline = ContinuousClock.now + .seconds(120)
                while !running, ContinuousClock.now < deadline, kill(simulation.pid, 0) == 0 {
                    let listed = ContainersSupport.run([
                        "podman", "ps", "--filter", "status=running", "--format", "{{.Names}}",
                    ])
                    running = listed?.output.contains("kube-sim-stop") ?? false
                    if !running { usleep(200_000) }
                }
                #expect(running, "the pod never ran")
                kill(simulation.pid, SIGTERM)
                let ended = try await simulation.finish()
                #expect(ended.status == 128 + SIGTERM, "\(ended)")
                #expect(ended.stderr.hasSuffix("sluice: kube simulate stopped by a signal; its pod was removed\n"))
                #expect(ContainersSupport.containers(prefixed: "kube-sim-stop").isEmpty, "the pod was left running")
            }
        }
    }

    /// The run's Workflow object without node `name`, so that `--resume` runs that node again.
    static func forget(_ node: String, in statusPath: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: statusPath))
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var status = try #require(object["status"] as? [String: Any])
        var nodes = try #require(status["nodes"] as? [String: Any])
        let id = try #require(nodes.first { ($0.value as? [String: Any])?["displayName"] as? String == node }?.key)
        nodes[id] = nil
        status["nodes"] = nodes
        object["status"] = status
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: statusPath))
    }

    /// The repository key of `node`'s output artifact `name`, and its `sluice-envelope-digest`.
    static func output(of node: String, artifact name: String, in statusPath: String) throws -> (
        key: String, digest: String
    ) {
        let data = try Data(contentsOf: URL(fileURLWithPath: statusPath))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let nodes = try #require((object["status"] as? [String: Any])?["nodes"] as? [String: Any])
        let found = try #require(
            nodes.values.compactMap { $0 as? [String: Any] }.first { $0["displayName"] as? String == node })
        let outputs = try #require(found["outputs"] as? [String: Any])
        let artifact = try #require((outputs["artifacts"] as? [[String: Any]])?.first { $0["name"] as? String == name })
        let key = try #require((artifact["s3"] as? [String: Any])?["key"] as? String)
        let digest =
            (outputs["parameters"] as? [[String: Any]])?.first { $0["name"] as? String == "sluice-envelope-digest" }?[
                "value"] as? String
        return (key, digest ?? "")
    }

    @Test("in the pod: a tampered artifact in the repository and an envelope of another run are refused naming why")
    func tamperedRepository() async throws {
        try await Self.withWrapperImage(prefix: "kube-sim-b") { image in
            try await SluiceCLI.withScratch { cli in
                #expect(try cli.run(["keygen"]).status == 0)
                let environment = Self.containerEnvironment
                let file = try cli.write(Self.workflow(name: "kube-sim-b"), name: "wf.yaml")
                let rendered = try Self.render(cli, file, image: image)
                let status = cli.directory + "/repo/kube-sim-b.workflow.json"
                let first = try cli.run(
                    ["kube", "simulate", rendered, "--artifact-repo", "repo"], environment: environment)
                #expect(first.status == 0, "\(first)")

                // The artifact's object is replaced in the repository after its producer signed it.
                let data = try Self.output(of: "make", artifact: "data", in: status)
                let original = cli.directory + "/original.tgz"
                try FileManager.default.copyItem(atPath: cli.directory + "/repo/" + data.key, toPath: original)
                try FileManager.default.createDirectory(
                    atPath: cli.directory + "/evil", withIntermediateDirectories: true)
                _ = try cli.write("evil\n", name: "evil/data")
                let tar = ContainersSupport.run([
                    "tar", "-czf", cli.directory + "/repo/" + data.key, "-C", cli.directory + "/evil", "data",
                ])
                #expect(tar?.status == 0)
                try Self.forget("use", in: status)
                let tampered = try cli.run(
                    ["kube", "simulate", rendered, "--artifact-repo", "repo", "--resume"], environment: environment)
                #expect(tampered.status == 3, "\(tampered)")
                #expect(
                    tampered.stdout.hasPrefix("Failed    use: node 'use' refused: input 'data': subject-digest: "),
                    "\(tampered)")

                // The producer's envelope (and Argo's record of it) replaced by those of another run of the workflow.
                let other = try Self.render(cli, file, image: image, at: "2026-12-02T00:00:00Z")
                let second = try cli.run(
                    ["kube", "simulate", other, "--artifact-repo", "other"], environment: environment)
                #expect(second.status == 0, "\(second)")
                let foreign = try Self.output(
                    of: "make", artifact: "sluice-envelope", in: cli.directory + "/other/kube-sim-b.workflow.json")
                let own = try Self.output(of: "make", artifact: "sluice-envelope", in: status)
                try FileManager.default.removeItem(atPath: cli.directory + "/repo/" + own.key)
                try FileManager.default.copyItem(
                    atPath: cli.directory + "/other/" + foreign.key, toPath: cli.directory + "/repo/" + own.key)
                // The original artifact back, so that only the envelope is wrong.
                let text = try String(contentsOfFile: status, encoding: .utf8).replacingOccurrences(
                    of: own.digest, with: foreign.digest)
                _ = try cli.write(text, name: "repo/kube-sim-b.workflow.json")
                try FileManager.default.removeItem(atPath: cli.directory + "/repo/" + data.key)
                try FileManager.default.copyItem(atPath: original, toPath: cli.directory + "/repo/" + data.key)
                try Self.forget("use", in: status)
                let replayed = try cli.run(
                    ["kube", "simulate", rendered, "--artifact-repo", "repo", "--resume"], environment: environment)
                #expect(replayed.status == 3, "\(replayed)")
                #expect(replayed.stdout.hasPrefix("Failed    use: node 'use' refused: input "), "\(replayed)")
                #expect(replayed.stdout.contains("run"), "\(replayed)")
            }
        }
    }

    @Test(
        "in the pod: once the lineage key is revoked (the signer's ConfigMap), the gate refuses every node naming why")
    func revokedKey() async throws {
        try await Self.withWrapperImage(prefix: "kube-sim-d") { image in
            try await SluiceCLI.withScratch { cli in
                #expect(try cli.run(["keygen"]).status == 0)
                let file = try cli.write(Self.workflow(name: "kube-sim-d"), name: "wf.yaml")
                let rendered = try Self.render(cli, file, image: image)
                let shown = try cli.run(["key", "show"])
                let keyID = try #require(
                    shown.stdout.split(separator: "\n").first { $0.hasPrefix("keyid: ") }?.dropFirst(7))
                #expect(try cli.run(["revoke", String(keyID), "--reason", "laptop stolen"]).status == 0)
                #expect(try cli.run(["revocations", "export", "-o", "revoked.json"]).status == 0)
                let simulated = try cli.run(
                    ["kube", "simulate", rendered, "--artifact-repo", "repo", "--revocations", "revoked.json"],
                    environment: Self.containerEnvironment)
                #expect(simulated.status == 3, "\(simulated)")
                #expect(simulated.stdout.hasPrefix("Failed    make: node 'make' refused: revoked: "), "\(simulated)")
                #expect(simulated.stdout.contains("laptop stolen"), "\(simulated)")
                #expect(!simulated.stdout.contains(" use"), "a node after a refused one ran: \(simulated)")

                // A list that does not verify (a byte changed) fails closed: nothing is admitted.
                var bytes = try Data(contentsOf: URL(fileURLWithPath: cli.directory + "/revoked.json"))
                bytes[bytes.count / 2] ^= 0x01
                try bytes.write(to: URL(fileURLWithPath: cli.directory + "/forged.json"))
                let forged = try cli.run(
                    ["kube", "simulate", rendered, "--artifact-repo", "repo2", "--revocations", "forged.json"],
                    environment: Self.containerEnvironment)
                #expect(forged.status == 3, "\(forged)")
                #expect(forged.stdout.hasPrefix("Failed    make: node 'make' refused: "), "\(forged)")
            }
        }
    }

    @Test("in the pod: the user's command cannot read the key nor open its own signer session")
    func snooping() async throws {
        try await Self.withWrapperImage(prefix: "kube-sim-c") { image in
            try await SluiceCLI.withScratch { cli in
                #expect(try cli.run(["keygen"]).status == 0)
                let snoop = """
                    apiVersion: argoproj.io/v1alpha1
                    kind: Workflow
                    metadata: {name: kube-sim-c}
                    spec:
                      entrypoint: main
                      templates:
                        - name: main
                          steps:
                            - - {name: read-key, template: read-key, continueOn: {failed: true}}
                              - {name: own-session, template: own-session, continueOn: {failed: true}}
                        - name: read-key
                          container: {image: busybox, command: [cat, /var/run/sluice/key/key.pem]}
                        - name: own-session
                          container:
                            image: busybox
                            command: [/var/run/sluice/bin/sluice, wrap, --connect-timeout, "1", --envelope, /tmp/e, --envelope-digest, /tmp/d, --, "true"]
                    """
                let file = try cli.write(snoop, name: "snoop.yaml")
                let rendered = try Self.render(cli, file, image: image)
                let simulated = try cli.run(
                    ["kube", "simulate", rendered, "--artifact-repo", "repo", "-o", "bundle"],
                    environment: Self.containerEnvironment)
                // Both steps fail; continueOn lets the workflow succeed, as Argo would.
                #expect(simulated.status == 0, "\(simulated)")
                #expect(
                    simulated.stdout.contains(
                        "Failed    read-key: cat: can't open '/var/run/sluice/key/key.pem': No such file or directory"),
                    "\(simulated)")
                #expect(
                    simulated.stdout.contains(
                        "Failed    own-session: sluice wrap: signer session: cannot connect to the signer at "
                            + "'/var/run/sluice/session/signer.sock'"), "\(simulated)")
                #expect(!simulated.stdout.contains("PRIVATE KEY"))
                let files =
                    FileManager.default.enumerator(atPath: cli.directory + "/repo")?.allObjects as? [String] ?? []
                for name in files {
                    let text = (try? String(contentsOfFile: cli.directory + "/repo/" + name, encoding: .utf8)) ?? ""
                    #expect(!text.contains("PRIVATE KEY"), "\(name) holds the key")
                }
            }
        }
    }

    /// Pins the deadline of `podman wait` (coreutils' `timeout` through swift-subprocess since Foundation's
    /// `Process` left the simulator): a pod past its deadline is stopped and fails as on Argo.
    @Test("a pod still running after its template's activeDeadlineSeconds is stopped and fails with Argo's message")
    func podDeadline() async throws {
        try await Self.withWrapperImage(prefix: "kube-sim-e") { image in
            try await SluiceCLI.withScratch { cli in
                #expect(try cli.run(["keygen"]).status == 0)
                let slow = """
                    apiVersion: argoproj.io/v1alpha1
                    kind: Workflow
                    metadata: {name: kube-sim-e}
                    spec:
                      entrypoint: slow
                      templates:
                        - name: slow
                          activeDeadlineSeconds: 3
                          container: {image: busybox, command: [sleep, "120"]}
                    """
                let rendered = try Self.render(cli, try cli.write(slow, name: "slow.yaml"), image: image)
                let simulated = try cli.run(
                    ["kube", "simulate", rendered, "--artifact-repo", "repo"], environment: Self.containerEnvironment)
                #expect(simulated.status == 1, "\(simulated)")
                #expect(
                    simulated.stdout.hasPrefix(
                        "Failed    kube-sim-e: Pod was active on the node longer than the specified deadline"),
                    "\(simulated)")
            }
        }
    }

    /// Pins producer envelopes through steps and DAG templates: the consumer of a DAG template's output gets the
    /// envelope of the pod that produced it (before, it got none and recorded the input as unsigned).
    @Test("a consumer of a DAG template's outputs links to the pod that produced them, as a local run does")
    func nestedProducer() async throws {
        try await Self.withWrapperImage(prefix: "kube-sim-f") { image in
            try await SluiceCLI.withScratch { cli in
                #expect(try cli.run(["keygen"]).status == 0)
                let nested = Self.workflow(name: "kube-sim-f")
                    .replacingOccurrences(of: "{name: make, template: make}", with: "{name: make, template: inner}")
                    .replacingOccurrences(
                        of: "    - name: make\n      container:",
                        with: """
                                - name: inner
                                  dag: {tasks: [{name: made, template: make}]}
                                  outputs:
                                    parameters: [{name: word, valueFrom: {parameter: "{{tasks.made.outputs.parameters.word}}"}}]
                                    artifacts: [{name: data, from: "{{tasks.made.outputs.artifacts.data}}"}]
                                - name: make
                                  container:
                            """)
                let file = try cli.write(nested, name: "wf.yaml")
                let rendered = try Self.render(cli, file, image: image)
                let environment = Self.containerEnvironment
                let simulated = try cli.run(
                    ["kube", "simulate", rendered, "--artifact-repo", "repo", "-o", "cluster"], environment: environment
                )
                #expect(simulated.status == 0, "\(simulated)")
                let verified = try cli.run(["verify", "cluster"])
                #expect(
                    verified.stdout.contains("verified: 2 envelope(s), 1 artifact(s), 2 chain link(s)"), "\(verified)")
                let profile = try cli.write(
                    "runtime: podman\nenvironment: {"
                        + environment.map { "\($0.key): \"\($0.value)\"" }.joined(separator: ", ") + "}\n",
                    name: "podman.yaml")
                let local = try cli.run(["run", file, "--runtime", "podman", "--runtime-profile", profile, "--no-tty"])
                #expect(local.status == 0, "\(local)")
                #expect(try cli.run(["export", "@latest", "-o", "local"]).status == 0)
                let diff = try cli.run(["kube", "diff", "local", "cluster"])
                #expect(diff.status == 0, "\(diff)")
                #expect(
                    diff.stdout == """
                        NODE                  L1 VERIFY  L2 PREDICATE  L3 SUBJECTS
                        <workflow>.make       signed locally only: a DAG node, which no pod runs on a cluster
                        <workflow>.make.made  ok         same          same
                        <workflow>.use        ok         same          same

                        the same: 2 node(s) verify, with equal masked predicates and subjects; 1 steps/DAG node(s) \
                        signed locally only

                        """, "\(diff)")
            }
        }
    }

    /// Pins simulated retries: every pod was attempt 1 before, whatever the template's retryStrategy.
    @Test(
        "a retried template runs attempt after attempt under a Retry node; the bundle holds every attempt's envelope")
    func retries() async throws {
        try await Self.withWrapperImage(prefix: "kube-sim-g") { image in
            try await SluiceCLI.withScratch { cli in
                #expect(try cli.run(["keygen"]).status == 0)
                let flaky = """
                    apiVersion: argoproj.io/v1alpha1
                    kind: Workflow
                    metadata: {name: kube-sim-g}
                    spec:
                      entrypoint: flaky
                      templates:
                        - name: flaky
                          retryStrategy: {limit: 2}
                          container: {image: busybox, command: [sh, -c, "echo try {{retries}}; [ {{retries}} -ge 1 ]"]}
                    """
                let rendered = try Self.render(cli, try cli.write(flaky, name: "flaky.yaml"), image: image)
                let simulated = try cli.run(
                    ["kube", "simulate", rendered, "--artifact-repo", "repo", "-o", "cluster"],
                    environment: Self.containerEnvironment)
                #expect(simulated.status == 0, "\(simulated)")
                #expect(
                    simulated.stdout.hasPrefix(
                        "Failed    kube-sim-g(0): Error (exit code 1)\nSucceeded kube-sim-g(1)\n"),
                    "\(simulated)")
                // The failed attempt's envelope too (signed with its failure), as Argo saves what a failed pod left.
                #expect(simulated.stdout.contains("collected 2 envelope(s)"), "\(simulated)")
                let verified = try cli.run(["verify", "cluster"])
                #expect(verified.status == 0, "\(verified)")
                let status = try String(
                    contentsOfFile: cli.directory + "/repo/kube-sim-g.workflow.json", encoding: .utf8)
                #expect(status.contains("\"type\":\"Retry\""), "\(status)")

                // A local run files each attempt's envelope under the attempt, as the cluster's bundle does.
                let environment = Self.containerEnvironment
                let profile = try cli.write(
                    "runtime: podman\nenvironment: {"
                        + environment.map { "\($0.key): \"\($0.value)\"" }.joined(separator: ", ") + "}\n",
                    name: "podman.yaml")
                let local = try cli.run([
                    "run", cli.directory + "/flaky.yaml", "--runtime", "podman", "--runtime-profile", profile,
                    "--no-tty",
                ])
                #expect(local.status == 0, "\(local)")
                #expect(try cli.run(["export", "@latest", "-o", "local"]).status == 0)
                let diff = try cli.run(["kube", "diff", "local", "cluster"])
                #expect(diff.status == 0, "\(diff)")
            }
        }
    }
}

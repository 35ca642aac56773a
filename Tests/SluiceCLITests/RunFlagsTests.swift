import Foundation
import SluiceStore
import Testing

/// `sluice run -f FILE`, `--target`, and locks and suspends seen through the CLI.
@Suite("Run flags", .timeLimit(.minutes(3)))
struct RunFlagsTests {
    static let arguments = """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: flags
        spec:
          entrypoint: show
          arguments:
            parameters:
              - {name: a, value: default-a}
              - {name: b, value: default-b}
              - {name: c, value: default-c}
          templates:
            - name: show
              container:
                image: alpine
                command: [echo, "{{workflow.parameters.a}} {{workflow.parameters.b}} {{workflow.parameters.c}}"]
        """

    /// `spec.arguments.parameters` of the latest run, as `sluice get -o json` reports them.
    static func parameters(_ cli: SluiceCLI) throws -> [String: String] {
        let result = try cli.run(["get", "@latest", "-o", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let spec = try #require(object["spec"] as? [String: Any])
        let arguments = try #require(spec["arguments"] as? [String: Any])
        let list = try #require(arguments["parameters"] as? [[String: Any]])
        return Dictionary(
            uniqueKeysWithValues: list.compactMap { entry in
                (entry["name"] as? String).map { ($0, entry["value"] as? String ?? "") }
            })
    }

    /// The display names and phases of the latest run's nodes.
    static func nodes(_ cli: SluiceCLI) throws -> [String: String] {
        let result = try cli.run(["get", "@latest", "-o", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let status = try #require(object["status"] as? [String: Any])
        var nodes: [String: String] = [:]
        for case let node as [String: Any] in (status["nodes"] as? [String: Any] ?? [:]).values {
            nodes[node["displayName"] as? String ?? ""] = node["phase"] as? String
        }
        return nodes
    }

    @Test("-f reads a YAML map of arguments; -p wins over it; the rest keep their defaults")
    func yamlParameterFile() async throws {
        try await SluiceCLI.withScratch { cli in
            let workflow = try cli.write(Self.arguments, name: "wf.yaml")
            let file = try cli.write("a: from-file\nb: 5\n", name: "params.yaml")
            let result = try cli.run(["run", workflow, "-f", file, "-p", "b=from-flag"])
            #expect(result.status == 0, "\(result)")
            #expect(try Self.parameters(cli) == ["a": "from-file", "b": "from-flag", "c": "default-c"])
        }
    }

    @Test("--parameter-file reads JSON too; a list value is passed as its JSON text")
    func jsonParameterFile() async throws {
        try await SluiceCLI.withScratch { cli in
            let workflow = try cli.write(Self.arguments, name: "wf.yaml")
            let file = try cli.write(#"{"a": "json", "c": ["x", 1]}"#, name: "params.json")
            let result = try cli.run(["run", workflow, "--parameter-file", file])
            #expect(result.status == 0, "\(result)")
            #expect(try Self.parameters(cli) == ["a": "json", "b": "default-b", "c": #"["x",1]"#])
        }
    }

    @Test("a parameter file naming an unknown argument, or not holding a map, is a usage error (exit 2)")
    func badParameterFiles() async throws {
        try await SluiceCLI.withScratch { cli in
            let workflow = try cli.write(Self.arguments, name: "wf.yaml")
            let unknown = try cli.write("zzz: 1\n", name: "unknown.yaml")
            let first = try cli.run(["run", workflow, "-f", unknown])
            #expect(first.status == 2)
            #expect(first.stderr == "error: parameter 'zzz' is not a workflow argument (known: a, b, c)\n")
            let list = try cli.write("- a\n- b\n", name: "list.yaml")
            let second = try cli.run(["run", workflow, "-f", list])
            #expect(second.status == 2)
            #expect(
                second.stderr == "error: parameter file '\(list)' must map parameter names to values (NAME: VALUE)\n")
            let missing = cli.directory + "/missing.yaml"
            let third = try cli.run(["run", workflow, "-f", missing])
            #expect(third.status == 2)
            #expect(third.stderr.hasPrefix("error: parameter file '\(missing)' cannot be read: "))
        }
    }

    static let dag = """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          generateName: targets-
        spec:
          entrypoint: main
          templates:
            - name: main
              dag:
                tasks:
                  - {name: A, template: echo}
                  - {name: B, template: echo, depends: A}
                  - {name: C, template: echo, depends: A}
                  - {name: D, template: echo, depends: "B && C"}
                  - {name: E, template: echo, depends: C}
            - name: echo
              container:
                image: alpine
                command: [echo, hi]
        """

    @Test("--target runs the named tasks and their ancestors only; an unknown target is a usage error")
    func targets() async throws {
        try await SluiceCLI.withScratch { cli in
            let workflow = try cli.write(Self.dag, name: "dag.yaml")
            let result = try cli.run(["run", workflow, "--target", "E"])
            #expect(result.status == 0, "\(result)")
            var nodes = try Self.nodes(cli)
            nodes = nodes.filter { $0.key.count == 1 }
            #expect(nodes == ["A": "Succeeded", "C": "Succeeded", "E": "Succeeded"])

            let two = try cli.run(["run", workflow, "--target", "B,E"])
            #expect(two.status == 0, "\(two)")
            #expect(try Self.nodes(cli).keys.filter { $0.count == 1 }.sorted() == ["A", "B", "C", "E"])

            let unknown = try cli.run(["run", workflow, "--target", "Z"])
            #expect(unknown.status == 2)
            #expect(
                unknown.stderr == "error: target 'Z' cannot run in entrypoint template 'main': the dag has no such "
                    + "task (tasks: A, B, C, D, E)\n")
        }
    }

    @Test(
        "an unknown --runtime or --isolation is one usage line (exit 2) from run and replay alike, and nothing runs",
        arguments: ["run", "replay"])
    func unknownRuntimeNames(command: String) async throws {
        try await SluiceCLI.withScratch { cli in
            let workflow = try cli.write(Self.dag, name: "dag.yaml")
            let target = command == "run" ? workflow : "no-such-bundle"
            let runtime = try cli.run([command, target, "--runtime", "kubernetes"])
            #expect(runtime.status == 2, "\(runtime)")
            #expect(runtime.stderr == "error: unknown runtime 'kubernetes': use process, podman or docker\n")
            let isolation = try cli.run([command, target, "--isolation", "gvisor"])
            #expect(isolation.status == 2, "\(isolation)")
            #expect(isolation.stderr == "error: unknown isolation 'gvisor': use auto, bubblewrap or none\n")
            let latest = try cli.run(["get", "@latest"])
            #expect(latest.status != 0 && latest.stdout.isEmpty, "no run was recorded: \(latest)")
        }
    }

    @Test("a parameter file or runtime profile that expands aliases past the budget is one usage line, not memory")
    func aliasBombsInSideFiles() async throws {
        try await SluiceCLI.withScratch { cli in
            let workflow = try cli.write(Self.dag, name: "dag.yaml")
            var bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
            for (name, previous) in zip(["b", "c", "d", "e", "f"], ["a", "b", "c", "d", "e"]) {
                bomb +=
                    "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ", ") + "]\n"
            }
            let parameters = try cli.write(bomb, name: "bomb-parameters.yaml")
            let fromFile = try cli.run(["run", workflow, "-f", parameters])
            #expect(fromFile.status == 2, "\(fromFile)")
            #expect(fromFile.stderr.contains("alias-expansion"), "\(fromFile.stderr)")
            #expect(fromFile.stderr.split(separator: "\n").count == 1, "\(fromFile.stderr)")
            let profile = try cli.write("runtime: podman\n" + bomb, name: "bomb-profile.yaml")
            let fromProfile = try cli.run(["run", workflow, "--runtime", "podman", "--runtime-profile", profile])
            #expect(fromProfile.status == 2, "\(fromProfile)")
            #expect(fromProfile.stderr.contains("alias-expansion"), "\(fromProfile.stderr)")
            #expect(fromProfile.stderr.split(separator: "\n").count == 1, "\(fromProfile.stderr)")
        }
    }

    static let mutex = """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          generateName: locked-
        spec:
          entrypoint: work
          synchronization:
            mutexes:
              - name: shared
          templates:
            - name: work
              container:
                image: alpine
                command: [sh, -c, "sleep 1"]
        """

    @Test("two sluice run processes with one workflow mutex run one after the other, and release it")
    func mutexAcrossProcesses() async throws {
        try await SluiceCLI.withScratch { cli in
            let workflow = try cli.write(Self.mutex, name: "locked.yaml")
            // Two first runs would race to create the default key; create it beforehand.
            #expect(try cli.run(["keygen"]).status == 0)
            let first = try cli.start(["run", workflow])
            let second = try cli.start(["run", workflow])
            #expect(try await first.finish().status == 0)
            #expect(try await second.finish().status == 0)
            let store = try Store(stateDirectory: cli.home)
            let runs = try store.runs().sorted { try #require($0.startedAt) < (try #require($1.startedAt)) }
            #expect(runs.count == 2)
            #expect(runs.allSatisfy { $0.phase == .succeeded })
            if runs.count == 2 {
                // The second run started only after the first had finished.
                #expect(try #require(runs[1].startedAt) >= (try #require(runs[0].finishedAt)))
            }
            #expect(try store.leases().isEmpty)
        }
    }

    static let suspend = """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: approval
        spec:
          entrypoint: main
          templates:
            - name: main
              steps:
                - - name: approve
                    template: approve
                - - name: after
                    template: echo
            - name: approve
              suspend: {}
            - name: echo
              container:
                image: alpine
                command: [echo, approved]
        """

    @Test("sluice resume releases a suspended node of a live run, which then Succeeds and the run goes on")
    func resumeReleasesSuspend() async throws {
        try await SluiceCLI.withScratch { cli in
            let workflow = try cli.write(Self.suspend, name: "approval.yaml")
            let engine = try cli.start(["run", workflow])
            var suspended = false
            for _ in 0..<300 {
                if (try? Self.nodes(cli))?["approve"] == "Running" {
                    suspended = true
                    break
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(suspended, "the suspend node never ran")
            let resume = try cli.run(["resume", "approval"])
            #expect(resume.status == 0, "\(resume)")
            #expect(try await engine.finish().status == 0)
            let nodes = try Self.nodes(cli)
            #expect(nodes["approve"] == "Succeeded")
            #expect(nodes["after"] == "Succeeded")
        }
    }
}

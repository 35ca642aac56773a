import Foundation
import Testing

/// The Argo verbs around runs: submit, retry, resubmit, logs -f, delete, prune.
@Suite("Run lifecycle commands", .timeLimit(.minutes(3)))
struct LifecycleCLITests {
    /// A node that succeeds, then one that fails until `marker` exists (a path nodes can read under bubblewrap).
    static func flaky(marker: String) -> String {
        """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: flaky
        spec:
          entrypoint: main
          templates:
            - name: main
              steps:
                - - {name: first, template: first}
                - - {name: second, template: second}
            - name: first
              container: {image: alpine, command: [sh, -c, "echo first"]}
            - name: second
              container: {image: alpine, command: [sh, -c, "test -f \(marker) && echo second"]}
        """
    }

    /// One node writing a shared artifact (same bytes in every run) and one of its own (`tag`).
    static let plain = """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          generateName: plain-
        spec:
          entrypoint: make
          arguments:
            parameters: [{name: tag, value: x}]
          templates:
            - name: make
              container:
                image: alpine
                command: [sh, -c, "printf common > /tmp/common; printf '{{workflow.parameters.tag}}-only' > /tmp/own"]
              outputs:
                artifacts:
                  - {name: common, path: /tmp/common}
                  - {name: own, path: /tmp/own}
        """

    /// A memoized node: the second run reuses the first run's signed outputs.
    static let memo = """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          generateName: memo-
        spec:
          entrypoint: cached
          templates:
            - name: cached
              memoize:
                key: shared
                cache: {configMap: {name: prune-cache}}
              container:
                image: alpine
                command: [sh, -c, "printf memoized > /tmp/cached"]
              outputs:
                artifacts:
                  - {name: cached, path: /tmp/cached}
        """

    /// The Argo Workflow object of a run.
    static func workflow(_ cli: SluiceCLI, _ run: String) async throws -> [String: Any] {
        let result = try await cli.detached(["get", run, "-o", "json"])
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    static func node(_ workflow: [String: Any], _ displayName: String) -> [String: Any]? {
        let nodes = (workflow["status"] as? [String: Any])?["nodes"] as? [String: Any] ?? [:]
        return nodes.values.compactMap { $0 as? [String: Any] }.first { $0["displayName"] as? String == displayName }
    }

    @Test("submit is run; resubmit runs the recorded workflow again as a new run, with -p overrides")
    func submitResubmit() async throws {
        try await SluiceCLI.withScratch { cli in
            let file = try cli.write(CLIWorkflows.hello, name: "hello.yaml")
            let submitted = try await cli.detached(["submit", file])
            #expect(submitted.status == 0, "\(submitted)")
            #expect(submitted.stdout.contains("Name:     hello-cli\n"), "\(submitted)")
            // The file changes afterwards: resubmit uses what was recorded.
            _ = try cli.write("not a workflow", name: "hello.yaml")
            let again = try await cli.detached(["resubmit", "hello-cli", "-p", "who=you"])
            #expect(again.status == 0, "\(again)")
            #expect(again.stdout.contains("Name:     hello-cli-"), "a new run gets a new name: \(again)")
            let logs = try await cli.detached(["logs", "@latest", "shout"])
            #expect(logs.stdout == "hello you!\n", "\(logs)")
            #expect(try await cli.detached(["list"]).stdout.split(separator: "\n").count == 3)
        }
    }

    @Test("retry re-runs the failed node in place and keeps the succeeded one with its envelope")
    func retry() async throws {
        try await SluiceCLI.withScratch { cli in
            let marker = "/var/tmp/sluice-retry-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: marker) }
            let file = try cli.write(Self.flaky(marker: marker), name: "flaky.yaml")
            let failed = try await cli.detached(["run", file])
            #expect(failed.status == 1, "\(failed)")
            let before = try #require(Self.node(try await Self.workflow(cli, "flaky"), "first"))
            let notYet = try await cli.detached(["retry", "flaky"])
            #expect(notYet.status == 1, "\(notYet)")
            #expect(FileManager.default.createFile(atPath: marker, contents: Data()))
            let retried = try await cli.detached(["retry", "flaky"])
            #expect(retried.status == 0, "\(retried)")
            #expect(retried.stdout.contains("Status:   Succeeded\n"), "\(retried)")
            let after = try await Self.workflow(cli, "flaky")
            #expect((after["status"] as? [String: Any])?["phase"] as? String == "Succeeded")
            let first = try #require(Self.node(after, "first"))
            #expect(
                first["lineageEnvelope"] as? String == before["lineageEnvelope"] as? String,
                "the succeeded node was run again")
            #expect(try await cli.detached(["logs", "flaky", "second"]).stdout == "second\n")
            #expect(try await cli.detached(["verify", "flaky"]).status == 0)
            #expect(try await cli.detached(["list"]).stdout.split(separator: "\n").count == 2, "retry made a new run")
            let done = try await cli.detached(["retry", "flaky"])
            #expect(done.stdout == "run flaky Succeeded: nothing to retry\n", "\(done)")
        }
    }

    /// A workflow named `name` of one node running `sh -c command`.
    static func oneNode(named name: String, command: String) -> String {
        """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: \(name)
        spec:
          entrypoint: main
          templates:
            - name: main
              container:
                image: alpine
                command: [sh, -c, "\(command)"]
        """
    }

    /// Runs `script` with `sh` in the scratch directory, for the commands it starts in the background (a blocking
    /// wait here could hold one of the few threads the tests share).
    static func inBackground(_ cli: SluiceCLI, _ script: String) throws {
        let started = try HostTool.run(
            "sh", ["-c", script], in: cli.directory, environment: ["SLUICE_HOME": cli.home])
        #expect(started.status == 0, "\(started)")
    }

    @Test("logs -f follows a running run until it ends")
    func logsFollow() async throws {
        try await SluiceCLI.withScratch { cli in
            let file = try cli.write(
                Self.oneNode(named: "slow", command: "echo one; sleep 2; echo two; printf three"), name: "slow.yaml")
            try Self.inBackground(cli, "'\(SluiceCLI.binary)' run '\(file)' > run.out 2>&1 &")
            // Wait for the run to be recorded, then follow it from its first line to its end.
            var follow = CLIResult(status: -1, stdout: "", stderr: "")
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline {
                follow = try await cli.detached(["logs", "slow", "-f"])
                if follow.status == 0 { break }
                usleep(100_000)
            }
            #expect(follow.status == 0, "\(follow)")
            #expect(
                follow.stdout == "main: one\nmain: two\nmain: three\n"
                    || follow.stdout == "slow: one\nslow: two\nslow: three\n",
                "\(follow)")
            let end = Date().addingTimeInterval(60)
            while Date() < end,
                try await cli.detached(["get", "slow", "-o", "json"]).stdout.contains("\"phase\" : \"Running\"")
            {
                usleep(100_000)
            }
            #expect(try await cli.detached(["get", "slow"]).stdout.contains("Status:     Succeeded\n"))
        }
    }

    @Test("logs -f prints a running node's output while the node still runs")
    func logsFollowRunningNode() async throws {
        try await SluiceCLI.withScratch { cli in
            // The node prints a line and sleeps; the test stops the run once `logs -f` showed the line.
            let file = try cli.write(
                Self.oneNode(named: "live", command: "echo early; sleep 300; echo late"), name: "live.yaml")
            try Self.inBackground(
                cli,
                "'\(SluiceCLI.binary)' run '\(file)' > run.out 2>&1 & "
                    + "while ! '\(SluiceCLI.binary)' get live >/dev/null 2>&1; do sleep 0.1; done; "
                    + "'\(SluiceCLI.binary)' logs live -f > follow.out 2>&1 &")
            let followed = cli.directory + "/follow.out"
            var shown = ""
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline, !shown.contains("early") {
                usleep(100_000)
                shown = (try? String(contentsOfFile: followed, encoding: .utf8)) ?? ""
            }
            #expect(shown == "main: early\n" || shown == "live: early\n", "\(shown)")
            // Shown while the node still ran: it sleeps for minutes.
            let status = try await cli.detached(["get", "live"]).stdout
            #expect(status.contains("Status:     Running\n"), "\(status)")
            #expect(try await cli.detached(["stop", "live"]).status == 0)
            let end = Date().addingTimeInterval(60)
            while Date() < end,
                !(try await cli.detached(["get", "live"]).stdout.contains("Status:     Failed\n"))
            {
                usleep(100_000)
            }
            usleep(500_000)
            shown = (try? String(contentsOfFile: followed, encoding: .utf8)) ?? ""
            #expect(shown == "main: early\n" || shown == "live: early\n", "\(shown)")
        }
    }

    @Test("delete removes a run's records and files; a run whose signed outputs another reused is kept")
    func delete() async throws {
        try await SluiceCLI.withScratch { cli in
            let memo = try cli.write(Self.memo, name: "memo.yaml")
            #expect(try await cli.detached(["run", memo]).status == 0)
            let producer = try await cli.detached(["get", "@latest", "-o", "name"]).stdout.trimmingCharacters(
                in: .newlines)
            #expect(try await cli.detached(["run", memo]).status == 0)
            let consumer = try await cli.detached(["get", "@latest", "-o", "name"]).stdout.trimmingCharacters(
                in: .newlines)
            let refused = try await cli.detached(["delete", producer])
            #expect(refused.status == 1, "\(refused)")
            #expect(
                refused.stderr == "error: run '\(producer)' is referenced by run(s) \(consumer) (they reused its "
                    + "signed outputs): delete those too, or first\n", "\(refused)")
            let both = try await cli.detached(["delete", consumer, producer])
            #expect(both.status == 0, "\(both)")
            #expect(both.stdout == "deleted run \(consumer)\ndeleted run \(producer)\n", "\(both)")
            #expect(!FileManager.default.fileExists(atPath: cli.home + "/runs/" + producer))
            #expect(try await cli.detached(["list"]).stdout.split(separator: "\n").count == 1)
            #expect(try await cli.detached(["get", producer]).status == 1)
        }
    }

    @Test("prune deletes old runs and only the artifacts no remaining run or envelope names, saying what it freed")
    func prune() async throws {
        try await SluiceCLI.withScratch { cli in
            let plain = try cli.write(Self.plain, name: "plain.yaml")
            let memo = try cli.write(Self.memo, name: "memo.yaml")
            #expect(try await cli.detached(["run", plain, "-p", "tag=old"]).status == 0)
            let oldPlain = try await Self.workflow(cli, "@latest")
            #expect(try await cli.detached(["run", memo]).status == 0)
            let producer = try await cli.detached(["get", "@latest", "-o", "name"]).stdout.trimmingCharacters(
                in: .newlines)
            usleep(1_200_000)
            #expect(try await cli.detached(["run", plain, "-p", "tag=new"]).status == 0)
            let newPlain = try await Self.workflow(cli, "@latest")
            let cutoff = try #require((newPlain["metadata"] as? [String: Any])?["creationTimestamp"] as? String)
            #expect(try await cli.detached(["run", memo]).status == 0)
            let consumer = try await cli.detached(["get", "@latest", "-o", "name"]).stdout.trimmingCharacters(
                in: .newlines)
            let oldName = try #require((oldPlain["metadata"] as? [String: Any])?["name"] as? String)

            let dry = try await cli.detached(["prune", "--before", cutoff, "--dry-run"])
            #expect(
                dry.stdout.hasSuffix("would delete 1 run(s) and 1 artifact(s), freeing 8 bytes (8 bytes)\n"),
                "\(dry)")
            let pruned = try await cli.detached(["prune", "--before", cutoff])
            #expect(pruned.status == 0, "\(pruned)")
            #expect(
                pruned.stdout == """
                    kept run \(producer): run(s) \(consumer) reused its signed outputs
                    deleted run \(oldName)
                    deleted 1 run(s) and 1 artifact(s), freed 8 bytes (8 bytes)

                    """, "\(pruned)")
            // Every artifact a remaining run or envelope names is still there and verifies.
            for run in [producer, consumer, "@latest"] {
                let verified = try await cli.detached(["verify", run])
                #expect(verified.status == 0, "\(run): \(verified)")
            }
            let own = try #require(Self.artifactDigest(newPlain, "own"))
            let common = try #require(Self.artifactDigest(newPlain, "common"))
            let gone = try #require(Self.artifactDigest(oldPlain, "own"))
            #expect(FileManager.default.fileExists(atPath: Self.storedPath(cli, own)))
            #expect(FileManager.default.fileExists(atPath: Self.storedPath(cli, common)))
            #expect(!FileManager.default.fileExists(atPath: Self.storedPath(cli, gone)))
            let bad = try await cli.detached(["prune", "--older-than", "soon"])
            #expect(bad.status == 2, "\(bad)")
            #expect(bad.stderr == "error: 'soon' is not a duration: write e.g. 30m, 24h, 7d or 1h30m\n", "\(bad)")
        }
    }

    static func artifactDigest(_ workflow: [String: Any], _ name: String) -> String? {
        let outputs = node(workflow, (workflow["metadata"] as? [String: Any])?["name"] as? String ?? "")?["outputs"]
        let artifacts = (outputs as? [String: Any])?["artifacts"] as? [[String: Any]] ?? []
        return artifacts.first { $0["name"] as? String == name }?["digest"] as? String
    }

    static func storedPath(_ cli: SluiceCLI, _ hex: String) -> String {
        cli.home + "/artifacts/sha256/\(hex.prefix(2))/\(hex)"
    }
}

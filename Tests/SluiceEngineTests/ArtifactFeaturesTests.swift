import Foundation
import SluiceAudit
import SluiceEngine
import SluiceGovernance
import SluiceSpec
import SluiceStore
import SluiceTesting
import Testing

@Suite("Artifact features", .timeLimit(.minutes(2)))
struct ArtifactFeaturesTests {
    // MARK: - subPath and archive

    @Test("subPath hands the consumer one file of a directory artifact; the gate still verifies the whole directory")
    func subPathSelectsAFile() async throws {
        try await EngineHarness.withDirectory { directory in
            let yaml = """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata: {name: subpath}
                spec:
                  entrypoint: main
                  templates:
                    - name: main
                      steps:
                        - - name: gen
                            template: gen
                        - - name: use
                            template: use
                            arguments:
                              artifacts:
                                - {name: in, from: "{{steps.gen.outputs.artifacts.dir}}", subPath: nested/b.txt}
                    - name: gen
                      container:
                        image: alpine
                        command: [sh, -c, "mkdir -p /out/nested && echo alpha > /out/a.txt && echo beta > /out/nested/b.txt"]
                      outputs:
                        artifacts:
                          - {name: dir, path: /out, archive: {none: {}}}
                    - name: use
                      inputs:
                        artifacts:
                          - {name: in, path: /tmp/in.txt}
                      container: {image: alpine, command: [sh, -c, "cat /tmp/in.txt"]}
                """
            let run = try await EngineHarness.run(yaml, in: directory)
            #expect(run.summary.phase == .succeeded)
            #expect(try run.outputs("use").result == "beta")
            let produced = try #require(try run.outputs("gen").artifacts.first)
            #expect(try run.inputs("use").artifacts.map(\.digest) == [produced.digest])
        }
    }

    @Test(
        "a subPath that leaves the artifact, is missing, or names into a file is refused with the reason",
        arguments: [
            ("../escape", "dir", "subPath '../escape' must be a relative path that stays inside the artifact"),
            ("missing.txt", "dir", "subPath 'missing.txt' does not exist in the artifact"),
            ("x", "file", "subPath 'x' needs a directory artifact, not a file"),
        ])
    func badSubPath(subPath: String, artifact: String, reason: String) async throws {
        try await EngineHarness.withDirectory { directory in
            let yaml = """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata: {name: bad-subpath}
                spec:
                  entrypoint: main
                  templates:
                    - name: main
                      steps:
                        - - {name: gen, template: gen}
                        - - name: use
                            template: use
                            arguments:
                              artifacts:
                                - {name: in, from: "{{steps.gen.outputs.artifacts.\(artifact)}}", subPath: "\(subPath)"}
                    - name: gen
                      container: {image: alpine, command: [sh, -c, "mkdir -p /out && echo a > /out/a.txt && echo f > /tmp/f"]}
                      outputs:
                        artifacts:
                          - {name: dir, path: /out}
                          - {name: file, path: /tmp/f}
                    - name: use
                      inputs:
                        artifacts:
                          - {name: in, path: /tmp/in}
                      container: {image: alpine, command: [sh, -c, "true"]}
                """
            let run = try await EngineHarness.run(yaml, in: directory)
            let use = try run.node("use")
            #expect(use.phase == .error)
            #expect(use.message == EngineError.artifactUnavailable(name: "in", reason: reason).description)
        }
    }

    @Test("archive none, the default and tar give the same stored content and digest (local runs store raw bytes)")
    func archiveStrategiesStoreTheSameBytes() async throws {
        try await EngineHarness.withDirectory { directory in
            let yaml = """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata: {name: archives}
                spec:
                  entrypoint: main
                  templates:
                    - name: main
                      dag:
                        tasks:
                          - {name: plain, template: gen-none}
                          - {name: default, template: gen-default}
                          - {name: tarred, template: gen-tar}
                    - name: gen-none
                      container: {image: alpine, command: [sh, -c, "mkdir -p /out && echo same > /out/f && echo one > /tmp/one"]}
                      outputs:
                        artifacts:
                          - {name: dir, path: /out, archive: {none: {}}}
                          - {name: file, path: /tmp/one, archive: {none: {}}}
                    - name: gen-default
                      container: {image: alpine, command: [sh, -c, "mkdir -p /out && echo same > /out/f && echo one > /tmp/one"]}
                      outputs:
                        artifacts:
                          - {name: dir, path: /out}
                          - {name: file, path: /tmp/one}
                    - name: gen-tar
                      container: {image: alpine, command: [sh, -c, "mkdir -p /out && echo same > /out/f && echo one > /tmp/one"]}
                      outputs:
                        artifacts:
                          - {name: dir, path: /out, archive: {tar: {compressionLevel: 9}}}
                          - {name: file, path: /tmp/one, archive: {tar: {}}}
                """
            let run = try await EngineHarness.run(yaml, in: directory)
            #expect(run.summary.phase == .succeeded)
            let digests = try ["plain", "default", "tarred"].map { task in
                try run.outputs(task).artifacts.map { "\($0.name)=\($0.digest)" }
            }
            #expect(digests[0] == digests[1])
            #expect(digests[1] == digests[2])
            let file = try #require(try run.outputs("default").artifacts.first { $0.name == "file" })
            #expect(try String(contentsOfFile: file.storedPath, encoding: .utf8) == "one\n")
        }
    }

    // MARK: - optional, fromExpression, skipped producers

    @Test("optional artifacts: a missing output is left out, a consumer of an absent optional input still runs")
    func optionalArtifacts() async throws {
        try await EngineHarness.withDirectory { directory in
            let yaml = """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata: {name: optional}
                spec:
                  entrypoint: main
                  templates:
                    - name: main
                      steps:
                        - - {name: gen, template: gen}
                        - - name: use
                            template: use
                            arguments:
                              artifacts:
                                - {name: in, from: "{{steps.gen.outputs.artifacts.maybe}}"}
                    - name: gen
                      container: {image: alpine, command: [sh, -c, "true"]}
                      outputs:
                        artifacts:
                          - {name: maybe, path: /tmp/never-written, optional: true}
                    - name: use
                      inputs:
                        artifacts:
                          - {name: in, path: /tmp/in, optional: true}
                      container: {image: alpine, command: [sh, -c, "test -e /tmp/in && echo present || echo absent"]}
                """
            let run = try await EngineHarness.run(yaml, in: directory)
            #expect(
                run.summary.phase == .succeeded,
                "\(run.nodes.map { "\($0.displayName): \($0.phase) \($0.message ?? "")" })")
            #expect(try run.outputs("gen").artifacts.isEmpty)
            #expect(try run.outputs("use").result == "absent")
            #expect(try run.inputs("use").artifacts.isEmpty)
        }
    }

    @Test("fromExpression picks the input and the output artifact by a condition on another node's result")
    func fromExpression() async throws {
        try await EngineHarness.withDirectory { directory in
            let yaml = """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata: {name: from-expression}
                spec:
                  entrypoint: main
                  templates:
                    - name: main
                      dag:
                        tasks:
                          - {name: coin, template: coin}
                          - {name: heads, template: write, arguments: {parameters: [{name: text, value: heads}]}}
                          - {name: tails, template: write, arguments: {parameters: [{name: text, value: tails}]}}
                          - name: read
                            depends: coin && heads && tails
                            template: read
                            arguments:
                              artifacts:
                                - name: in
                                  fromExpression: "tasks.coin.outputs.result == 'tails' ? tasks.tails.outputs.artifacts.out : tasks.heads.outputs.artifacts.out"
                      outputs:
                        artifacts:
                          - name: chosen
                            fromExpression: "tasks.coin.outputs.result == 'heads' ? tasks.heads.outputs.artifacts.out : tasks.tails.outputs.artifacts.out"
                    - name: coin
                      container: {image: alpine, command: [sh, -c, "echo tails"]}
                    - name: write
                      inputs: {parameters: [{name: text}]}
                      container: {image: alpine, command: [sh, -c, "echo {{inputs.parameters.text}} > /tmp/out"]}
                      outputs: {artifacts: [{name: out, path: /tmp/out}]}
                    - name: read
                      inputs: {artifacts: [{name: in, path: /tmp/in}]}
                      container: {image: alpine, command: [sh, -c, "cat /tmp/in"]}
                """
            let run = try await EngineHarness.run(yaml, in: directory)
            #expect(run.summary.phase == .succeeded)
            #expect(try run.outputs("read").result == "tails")
            let tails = try #require(try run.outputs("tails").artifacts.first)
            let chosen = try #require(try run.outputs(run.run.name).artifacts.first)
            #expect(chosen.name == "chosen")
            #expect(chosen.digest == tails.digest)
        }
    }

    @Test("a skipped producer's output: its valueFrom.default, else the consumer's input default, else nil for ??")
    func skippedProducerOutputs() async throws {
        try await EngineHarness.withDirectory { directory in
            let yaml = """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata: {name: skipped-outputs}
                spec:
                  entrypoint: main
                  templates:
                    - name: main
                      dag:
                        tasks:
                          - {name: with-default, template: produce-default, when: "false"}
                          - {name: without, template: produce, when: "false"}
                          - name: a
                            depends: with-default.Skipped
                            template: consume
                            arguments: {parameters: [{name: in, value: "{{tasks.with-default.outputs.parameters.msg}}"}]}
                          - name: b
                            depends: without.Skipped
                            template: consume
                            arguments: {parameters: [{name: in, value: "{{tasks.without.outputs.parameters.msg}}"}]}
                      outputs:
                        parameters:
                          - name: result
                            valueFrom: {expression: "tasks.without.outputs.parameters.msg ?? 'fallback'"}
                    - name: produce-default
                      container: {image: alpine, command: [sh, -c, "echo real > /tmp/m"]}
                      outputs: {parameters: [{name: msg, valueFrom: {path: /tmp/m, default: from-producer}}]}
                    - name: produce
                      container: {image: alpine, command: [sh, -c, "echo real > /tmp/m"]}
                      outputs: {parameters: [{name: msg, valueFrom: {path: /tmp/m}}]}
                    - name: consume
                      inputs: {parameters: [{name: in, default: from-input}]}
                      container: {image: alpine, command: [sh, -c, "echo {{inputs.parameters.in}}"]}
                """
            let run = try await EngineHarness.run(yaml, in: directory)
            #expect(run.summary.phase == .succeeded)
            #expect(try run.inputParameters("a") == ["in=from-producer"])
            #expect(try run.inputParameters("b") == ["in=from-input"])
            #expect(try run.parameter("result", of: run.run.name) == "fallback")
        }
    }

    // MARK: - http and git

    @Test("an http input artifact is downloaded, digested, bound and recorded with its URL as an external input")
    func httpArtifact() async throws {
        try await EngineHarness.withDirectory { directory in
            let served = directory + "/served"
            try FileManager.default.createDirectory(atPath: served, withIntermediateDirectories: true)
            try Data("downloaded bytes\n".utf8).write(to: URL(fileURLWithPath: served + "/data.txt"))
            let server = try LocalHTTPServer(serving: served)
            defer { server.stop() }
            let url = "http://127.0.0.1:\(server.port)/data.txt"
            let yaml = """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata: {name: http-input}
                spec:
                  entrypoint: main
                  arguments: {parameters: [{name: base, value: "http://127.0.0.1:\(server.port)"}]}
                  templates:
                    - name: main
                      steps:
                        - - {name: get, template: get}
                        - - {name: missing, template: missing}
                    - name: get
                      inputs:
                        artifacts:
                          - name: data
                            path: /tmp/data.txt
                            http: {url: "{{workflow.parameters.base}}/data.txt"}
                      container: {image: alpine, command: [sh, -c, "cat /tmp/data.txt"]}
                    - name: missing
                      inputs:
                        artifacts:
                          - {name: data, path: /tmp/data.txt, http: {url: "{{workflow.parameters.base}}/nope.txt"}}
                      container: {image: alpine, command: [sh, -c, "true"]}
                """
            let run = try await EngineHarness.run(yaml, in: directory)
            #expect(try run.outputs("get").result == "downloaded bytes")
            let input = try #require(try run.inputs("get").artifacts.first)
            #expect(input.from == url)
            #expect(input.digest == Digest.sha256(Array("downloaded bytes\n".utf8)).hex)

            // The consumer's lineage lists the download as an input without a producer, with its digest.
            let envelopeDigest = try #require(try run.node("get").envelopeDigest)
            let record = try #require(try run.store.envelope(payloadDigest: envelopeDigest))
            let statement = try Statement(payloadBytes: try Envelope(jsonBytes: [UInt8](record.envelopeJSON)).payload)
            let predicate = try LineagePredicate(json: statement.predicate)
            #expect(predicate.inputs.map(\.name) == ["data"])
            #expect(predicate.inputs.map(\.producerNode) == [nil])
            #expect(predicate.inputs.map(\.digest) == [["sha256": input.digest]])
            #expect(predicate.inputs.map(\.origin) == [.init(uri: url)])

            let missing = try run.node("missing")
            #expect(missing.phase == .error)
            #expect(
                missing.message
                    == EngineError.artifactUnavailable(
                        name: "data", reason: "GET http://127.0.0.1:\(server.port)/nope.txt answered HTTP 404"
                    ).description)
        }
    }

    @Test("a git input artifact is cloned at its revision, without .git, and recorded as git+REPO@COMMIT")
    func gitArtifact() async throws {
        try await EngineHarness.withDirectory { directory in
            let repo = directory + "/repo"
            try FileManager.default.createDirectory(atPath: repo, withIntermediateDirectories: true)
            try git(["init", "--quiet", "--initial-branch=main"], in: repo)
            try Data("first\n".utf8).write(to: URL(fileURLWithPath: repo + "/VERSION"))
            try git(["add", "VERSION"], in: repo)
            try git(["commit", "--quiet", "-m", "first"], in: repo)
            let first = try git(["rev-parse", "HEAD"], in: repo)
            try Data("second\n".utf8).write(to: URL(fileURLWithPath: repo + "/VERSION"))
            try git(["commit", "--quiet", "-am", "second"], in: repo)
            let yaml = """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata: {name: git-input}
                spec:
                  entrypoint: main
                  templates:
                    - name: main
                      steps:
                        - - {name: pinned, template: read, arguments: {parameters: [{name: rev, value: "\(first)"}]}}
                          - {name: head, template: read, arguments: {parameters: [{name: rev, value: main}]}}
                    - name: read
                      inputs:
                        parameters: [{name: rev}]
                        artifacts:
                          - {name: src, path: /tmp/src, git: {repo: "\(repo)", revision: "{{inputs.parameters.rev}}"}}
                      container: {image: alpine, command: [sh, -c, "cat /tmp/src/VERSION; test -e /tmp/src/.git && echo has-git || true"]}
                """
            let run = try await EngineHarness.run(yaml, in: directory)
            #expect(run.summary.phase == .succeeded)
            #expect(try run.outputs("pinned").result == "first")
            #expect(try run.outputs("head").result == "second")
            #expect(try run.inputs("pinned").artifacts.map(\.from) == ["git+\(repo)@\(first)"])
        }
    }

    @Test("a git input's origin (repository and commit) is in the lineage, and require holds over it live and offline")
    func gitOriginInRequire() async throws {
        try await EngineHarness.withDirectory { directory in
            let repo = directory + "/repo"
            try FileManager.default.createDirectory(atPath: repo, withIntermediateDirectories: true)
            try git(["init", "--quiet", "--initial-branch=main"], in: repo)
            try Data("first\n".utf8).write(to: URL(fileURLWithPath: repo + "/VERSION"))
            try git(["add", "VERSION"], in: repo)
            try git(["commit", "--quiet", "-m", "first"], in: repo)
            let commit = try git(["rev-parse", "HEAD"], in: repo)
            let yaml = { (require: String) in
                """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata: {generateName: git-origin-}
                spec:
                  entrypoint: read
                  governance:
                    constraints:
                      - name: pinned-source
                        appliesTo: {templates: [read]}
                        require: "\(require)"
                  templates:
                    - name: read
                      inputs:
                        artifacts:
                          - {name: src, path: /tmp/src, git: {repo: "\(repo)", revision: main}}
                      container: {image: alpine, command: [cat, /tmp/src/VERSION]}
                """
            }
            let run = try await EngineHarness.run(
                yaml("all(inputs, {.external && .origin.uri == '\(repo)' && .origin.commit == '\(commit)'})"),
                in: directory)
            #expect(run.summary.phase == .succeeded, "\(run.nodes.map { $0.message ?? "" })")
            // The entrypoint is the pod: the run's only node.
            let envelopeDigest = try #require(run.nodes.first?.envelopeDigest)
            let record = try #require(try run.store.envelope(payloadDigest: envelopeDigest))
            let statement = try Statement(payloadBytes: try Envelope(jsonBytes: [UInt8](record.envelopeJSON)).payload)
            let predicate = try LineagePredicate(json: statement.predicate)
            #expect(predicate.inputs.map(\.origin) == [.init(uri: repo, commit: commit)])

            // Offline, `require` is re-evaluated over the recorded origin.
            _ = try BundleExporter(store: run.store, stateDirectory: run.stateDirectory)
                .export(run: run.run, to: directory + "/bundle")
            let report = try BundleVerifier().verify(bundleAt: directory + "/bundle")
            #expect(report.failures == [])

            let refused = try await EngineHarness.run(
                yaml("all(inputs, {.origin.uri == 'https://elsewhere.invalid/repo.git'})"), in: directory)
            #expect(refused.summary.phase != .succeeded)
            #expect(
                refused.nodes.first?.message?.contains("pinned-source") == true,
                "\(refused.nodes.map { $0.message ?? "" })")
        }
    }

    @Test("origin URIs drop user:password@ and keep everything else")
    func originURIDropsCredentials() {
        #expect(
            ArtifactFetcher.originURI("https://user:secret@example.invalid/a?b=c") == "https://example.invalid/a?b=c")
        #expect(ArtifactFetcher.originURI("https://example.invalid/a@b") == "https://example.invalid/a@b")
        #expect(ArtifactFetcher.originURI("git@example.invalid:org/repo.git") == "git@example.invalid:org/repo.git")
        #expect(ArtifactFetcher.originURI("/srv/repo") == "/srv/repo")
    }

    @Test("a git repository that does not exist is an Error naming the repository and git's complaint")
    func gitFailure() async throws {
        try await EngineHarness.withDirectory { directory in
            let yaml = """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata: {name: git-missing}
                spec:
                  entrypoint: read
                  templates:
                    - name: read
                      inputs:
                        artifacts:
                          - {name: src, path: /tmp/src, git: {repo: "\(directory)/no-such-repo"}}
                      container: {image: alpine, command: [sh, -c, "true"]}
                """
            let run = try await EngineHarness.run(yaml, in: directory)
            let node = try run.node(run.run.name)
            #expect(node.phase == .error)
            let message = try #require(node.message)
            #expect(
                message.hasPrefix(
                    "artifact 'src' unavailable: 'git clone --quiet --recurse-submodules -- "
                        + "\(directory)/no-such-repo "))
            #expect(message.contains("for repository \(directory)/no-such-repo exited with 128: "))
        }
    }

    // MARK: - Loops

    @Test("every iteration of a loop gets the artifact of an earlier step, and a loop's outputs carry on")
    func artifactsThroughLoops() async throws {
        try await EngineHarness.withDirectory { directory in
            let yaml = """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata: {name: loop-artifacts}
                spec:
                  entrypoint: main
                  templates:
                    - name: main
                      steps:
                        - - {name: gen, template: gen}
                        - - name: use
                            template: use
                            withItems: [a, b]
                            arguments:
                              parameters: [{name: suffix, value: "{{item}}"}]
                              artifacts: [{name: in, from: "{{steps.gen.outputs.artifacts.out}}"}]
                    - name: gen
                      container: {image: alpine, command: [sh, -c, "echo base > /tmp/out"]}
                      outputs: {artifacts: [{name: out, path: /tmp/out}]}
                    - name: use
                      inputs:
                        parameters: [{name: suffix}]
                        artifacts: [{name: in, path: /tmp/in}]
                      container: {image: alpine, command: [sh, -c, "echo $(cat /tmp/in)-{{inputs.parameters.suffix}}"]}
                """
            let run = try await EngineHarness.run(yaml, in: directory)
            #expect(run.summary.phase == .succeeded)
            #expect(try run.outputs("use(0:a)").result == "base-a")
            #expect(try run.outputs("use(1:b)").result == "base-b")
        }
    }
}

// MARK: - Helpers

/// Runs `git` in `directory` and returns its trimmed output.
@discardableResult
private func git(_ arguments: [String], in directory: String) throws -> String {
    let argv = ["git", "-c", "user.name=Sluice Test", "-c", "user.email=test@sluice.invalid"] + arguments
    guard let result = HostProcess.capture(argv, directory: directory), result.status == 0 else {
        throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "git \(arguments) failed"])
    }
    return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
}

/// Python's `http.server` on 127.0.0.1 and a free port, serving `directory`; stopped by its own pid.
private final class LocalHTTPServer {
    let port: Int
    private let processID: pid_t

    init(serving directory: String) throws {
        let script = """
            import functools, http.server, sys
            handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
            server = http.server.HTTPServer(("127.0.0.1", 0), handler)
            open(sys.argv[2] + ".tmp", "w").write(str(server.server_address[1]))
            import os; os.rename(sys.argv[2] + ".tmp", sys.argv[2])
            server.serve_forever()
            """
        let portFile = NSTemporaryDirectory() + "/sluice-http-\(UUID().uuidString).port"
        defer { unlink(portFile) }
        let processID = try HostProcess.background(
            ["python3", "-c", script, directory, portFile], environment: ProcessInfo.processInfo.environment)
        var port: Int?
        for _ in 0..<500 where port == nil {
            port = (try? String(contentsOfFile: portFile, encoding: .utf8)).flatMap { Int($0) }
            if port == nil { usleep(10_000) }
        }
        guard let port else {
            kill(processID, SIGKILL)
            _ = HostProcess.wait(processID)
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "http.server did not start"])
        }
        self.port = port
        self.processID = processID
    }

    /// Kills the server with SIGKILL: it inherits the test process's signal mask, where SIGTERM may be blocked.
    func stop() {
        kill(processID, SIGKILL)
        _ = HostProcess.wait(processID)
    }
}

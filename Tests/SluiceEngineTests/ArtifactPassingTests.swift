import Foundation
import SluiceEngine
import SluiceRuntimes
import SluiceSpec
import SluiceStore
import Testing

/// Artifacts through the real engine: files, directories and `raw` content, read inside the consumer.
@Suite("Artifact passing", .timeLimit(.minutes(2)))
struct ArtifactPassingTests {
    /// The producer and consumer templates shared by the DAG and steps workflows.
    static let templates = """
            - name: make
              container:
                image: alpine
                command: [sh, -c]
                args: ["mkdir -p /tmp/bundle/sub && printf 'report body' > /tmp/report.txt && printf one > /tmp/bundle/a.txt && printf two > /tmp/bundle/sub/b.txt"]
              outputs:
                artifacts:
                  - {name: report, path: /tmp/report.txt}
                  - {name: bundle, path: /tmp/bundle}
            - name: read-file
              inputs:
                artifacts:
                  - {name: in, path: /tmp/in.txt}
              container:
                image: alpine
                command: [sh, -c, "cat /tmp/in.txt > /tmp/seen.txt"]
              outputs:
                parameters:
                  - name: seen
                    valueFrom: {path: /tmp/seen.txt}
            - name: read-dir
              inputs:
                artifacts:
                  - {name: in, path: /tmp/indir}
              container:
                image: alpine
                command: [sh, -c, "cat /tmp/indir/a.txt /tmp/indir/sub/b.txt > /tmp/seen.txt"]
              outputs:
                parameters:
                  - name: seen
                    valueFrom: {path: /tmp/seen.txt}
        """

    @Test("a DAG passes a file, a directory and a raw artifact; each consumer reads the exact bytes")
    func dagArtifacts() async throws {
        try await EngineHarness.withDirectory { directory in
            let yaml = """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata:
                  name: dag-artifacts
                spec:
                  entrypoint: main
                  templates:
                    - name: main
                      dag:
                        tasks:
                          - name: make
                            template: make
                          - name: read-file
                            template: read-file
                            depends: make
                            arguments:
                              artifacts:
                                - {name: in, from: "{{tasks.make.outputs.artifacts.report}}"}
                          - name: read-dir
                            template: read-dir
                            depends: make
                            arguments:
                              artifacts:
                                - {name: in, from: "{{tasks.make.outputs.artifacts.bundle}}"}
                          - name: read-raw
                            template: read-file
                            arguments:
                              artifacts:
                                - name: in
                                  raw:
                                    data: "raw content"
                \(Self.templates)
                """
            let run = try await EngineHarness.run(yaml, in: directory)
            #expect(run.summary.phase == .succeeded)
            #expect(try run.parameter("seen", of: "read-file") == "report body")
            #expect(try run.parameter("seen", of: "read-dir") == "onetwo")
            #expect(try run.parameter("seen", of: "read-raw") == "raw content")

            let made = try run.outputs("make").artifacts
            #expect(made.map(\.name) == ["report", "bundle"])
            #expect(made.map(\.kind) == [.file, .directory])
            let report = try #require(made.first)
            // The store keeps the bytes read-only, by digest.
            #expect(report.storedPath.hasPrefix(run.stateDirectory + "/artifacts/"))
            #expect(try String(contentsOfFile: report.storedPath, encoding: .utf8) == "report body")
            let attributes = try FileManager.default.attributesOfItem(atPath: report.storedPath)
            #expect((attributes[.posixPermissions] as? Int) == 0o444)
            // The consumer's recorded input names its source and the same digest.
            let input = try #require(try run.inputs("read-file").artifacts.first)
            #expect(input.name == "in")
            #expect(input.digest == report.digest)
            #expect(input.from == "{{tasks.make.outputs.artifacts.report}}")
        }
    }

    @Test("steps pass file and directory artifacts with steps.X.outputs.artifacts.Y")
    func stepsArtifacts() async throws {
        try await EngineHarness.withDirectory { directory in
            let yaml = """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata:
                  name: steps-artifacts
                spec:
                  entrypoint: main
                  templates:
                    - name: main
                      steps:
                        - - name: make
                            template: make
                        - - name: read-file
                            template: read-file
                            arguments:
                              artifacts:
                                - {name: in, from: "{{steps.make.outputs.artifacts.report}}"}
                          - name: read-dir
                            template: read-dir
                            arguments:
                              artifacts:
                                - {name: in, from: "{{steps.make.outputs.artifacts.bundle}}"}
                \(Self.templates)
                """
            let run = try await EngineHarness.run(yaml, in: directory)
            #expect(run.summary.phase == .succeeded)
            #expect(try run.parameter("seen", of: "read-file") == "report body")
            #expect(try run.parameter("seen", of: "read-dir") == "onetwo")
        }
    }

    /// Without bubblewrap the engine runs nodes one at a time, which would make this test pass vacuously.
    @Test(
        "four parallel nodes writing /tmp/out.txt each read back their own content",
        .enabled(
            if: ProcessRuntime.detectedIsolation == .bubblewrap,
            "skipped: bubblewrap is not usable here, so nodes run one at a time")
    )
    func parallelPrivatePaths() async throws {
        try await EngineHarness.withDirectory { directory in
            let tasks = ["w1", "w2", "w3", "w4"].map { shard in
                "          - {name: \(shard), template: write, arguments: {parameters: [{name: content, value: \"content of \(shard)\"}]}}"
            }.joined(separator: "\n")
            let yaml = """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata:
                  name: same-path
                spec:
                  entrypoint: main
                  templates:
                    - name: main
                      dag:
                        tasks:
                \(tasks)
                    - name: write
                      inputs:
                        parameters:
                          - name: content
                      container:
                        image: alpine
                        command: [sh, -c]
                        args: ["printf '%s' '{{inputs.parameters.content}}' > /tmp/out.txt; sleep 0.3; cat /tmp/out.txt"]
                      outputs:
                        parameters:
                          - name: out
                            valueFrom: {path: /tmp/out.txt}
                """
            let run = try await EngineHarness.run(yaml, in: directory, runtime: ProcessRuntime(isolation: .bubblewrap))
            #expect(run.summary.phase == .succeeded)
            // The writers overlapped in time: the first to finish finished after the last one started.
            let writers = try ["w1", "w2", "w3", "w4"].map { try run.node($0) }
            let lastStart = try #require(writers.compactMap(\.startedAt).max())
            let firstEnd = try #require(writers.compactMap(\.finishedAt).min())
            #expect(lastStart < firstEnd, "the four writers did not run in parallel")
            for shard in ["w1", "w2", "w3", "w4"] {
                #expect(try run.parameter("out", of: shard) == "content of \(shard)")
                #expect(try run.outputs(shard).result == "content of \(shard)")
            }
        }
    }
}

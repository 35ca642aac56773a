import Foundation
import SluiceEngine
import SluiceExpressions
import SluiceGovernance
import SluiceRuntimes
import SluiceSpec
import SluiceStore
import SluiceTesting
import Testing

/// The same workflows under `process`, `podman` and `docker` (Podman's Docker-compatible socket): same phases,
/// outputs and envelope subjects. Needs `scripts/setup-containers.sh --service`; skips locally without it, fails
/// under CI.
@Suite(.timeLimit(.minutes(3)))
struct ContainerParityTests {
    enum Runtime: String, CaseIterable, CustomTestStringConvertible {
        case process, podman, docker
        var testDescription: String { rawValue }
        var nodeRuntime: any NodeRuntime {
            switch self {
            case .process: ProcessRuntime()
            case .podman: ContainerRuntime(profile: .podman)
            case .docker: ContainerRuntime(profile: .docker)
            }
        }
        var isEnabled: Bool {
            switch self {
            case .process: true
            case .podman: ContainersSupport.podmanTestsEnabled
            case .docker: ContainersSupport.dockerTestsEnabled
            }
        }
    }

    /// A script template writing an artifact and a parameter, two parallel nodes writing the same `/tmp` path,
    /// and a consumer that reads the artifact mounted read-only (and cannot change it).
    static let yaml = """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {name: NAME}
        spec:
          entrypoint: main
          templates:
          - name: main
            dag:
              tasks:
              - {name: make, template: make}
              - {name: left, template: same-path, arguments: {parameters: [{name: word, value: left}]}}
              - {name: right, template: same-path, arguments: {parameters: [{name: word, value: right}]}}
              - name: use
                template: use
                dependencies: [make]
                arguments: {artifacts: [{name: data, from: "{{tasks.make.outputs.artifacts.data}}"}]}
          - name: make
            script:
              image: busybox
              command: [sh]
              source: |
                mkdir -p /mnt/out
                printf 'payload\\n' > /mnt/out/data.txt
                printf v1 > /tmp/version
                echo made
            outputs:
              parameters: [{name: version, valueFrom: {path: /tmp/version}}]
              artifacts: [{name: data, path: /mnt/out/data.txt}]
          - name: same-path
            inputs: {parameters: [{name: word}]}
            container:
              image: busybox
              command: [sh, -c, "echo {{inputs.parameters.word}} > /tmp/out.txt; sleep 1; cat /tmp/out.txt"]
            outputs:
              parameters: [{name: seen, valueFrom: {path: /tmp/out.txt}}]
          - name: use
            inputs: {artifacts: [{name: data, path: /in/data.txt}]}
            container:
              image: busybox
              command: [sh, -c, "cat /in/data.txt; (echo x > /in/data.txt) 2>/dev/null || echo read-only"]
        """

    /// Per pod: phase, result, parameters and the envelope's subjects (name and digest), sorted by node name.
    static func observed(_ run: RecordedRun) throws -> [String] {
        var lines: [String] = []
        for pod in run.nodes.filter({ $0.type == .pod }).sorted(by: { $0.displayName < $1.displayName }) {
            let outputs = try run.outputs(pod.displayName)
            let parameters = outputs.parameters.map { "\($0.name)=\($0.value)" }.joined(separator: ",")
            var line = "\(pod.displayName) \(pod.phase) result=\(outputs.result ?? "-") [\(parameters)]"
            if let digest = pod.envelopeDigest, let record = try run.store.envelope(payloadDigest: digest) {
                let statement = try Statement(payloadBytes: Envelope(jsonBytes: [UInt8](record.envelopeJSON)).payload)
                let subjects = statement.subjects.map { "\($0.name)@\($0.digest["sha256"] ?? "")" }.sorted()
                line += " subjects: " + subjects.joined(separator: " ")
            }
            lines.append(line)
        }
        return lines
    }

    @Test(
        "a workflow gives the same phases, outputs and envelope subjects under every runtime",
        arguments: Runtime.allCases.filter(\.isEnabled))
    func sameResults(runtime: Runtime) async throws {
        if runtime != .process {
            let reason =
                runtime == .podman
                ? ContainersSupport.podmanUnavailableReason : ContainersSupport.dockerUnavailableReason
            if let reason { try #require(Bool(false), "container tests need the setup: \(reason)") }
        }
        let reference = try await EngineHarness.withDirectory { directory in
            let yaml = Self.yaml.replacingOccurrences(of: "NAME", with: "parity-reference-\(runtime.rawValue)")
            return try Self.observed(try await EngineHarness.run(yaml, in: directory, runtime: ProcessRuntime()))
        }
        try await EngineHarness.withDirectory { directory in
            let yaml = Self.yaml.replacingOccurrences(of: "NAME", with: "parity-\(runtime.rawValue)")
            let run = try await EngineHarness.run(yaml, in: directory, runtime: runtime.nodeRuntime)
            #expect(run.summary.phase == .succeeded, "\(run.summary.message ?? "")")
            let lines = try Self.observed(run)
            #expect(lines == reference)
            #expect(lines.contains { $0.hasPrefix("left Succeeded result=left [seen=left]") })
            #expect(lines.contains { $0.hasPrefix("right Succeeded result=right [seen=right]") })
            #expect(lines.contains { $0.hasPrefix("use Succeeded result=payload\nread-only []") })
            #expect(lines.contains { $0.hasPrefix("make Succeeded result=made [version=v1]") })
            #expect(ContainersSupport.containers(ofStateDirectory: run.stateDirectory).isEmpty)
        }
    }

    /// Outputs declared directly under `/`: a parameter file, an artifact file written relative to `/`, and a
    /// directory the command writes inside.
    static let topLevelYAML = """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {name: NAME}
        spec:
          entrypoint: main
          templates:
          - name: main
            container:
              image: busybox
              command: [sh, -c, "cd / && echo one > result.txt && echo two > /output && mkdir -p /dir && echo three > /dir/f"]
            outputs:
              parameters: [{name: p, valueFrom: {path: /output}}]
              artifacts: [{name: r, path: /result.txt}, {name: d, path: /dir}]
        """

    /// Regression: a top-level output file was a directory under both runtimes (`Is a directory`) and `/output`
    /// could not be set up under podman (`it exists and is not a directory`).
    @Test(
        "outputs directly under / are files, or a directory the command writes inside, under every runtime",
        arguments: Runtime.allCases.filter(\.isEnabled))
    func topLevelOutputs(runtime: Runtime) async throws {
        try await EngineHarness.withDirectory { directory in
            let yaml = Self.topLevelYAML.replacingOccurrences(of: "NAME", with: "top-level-\(runtime.rawValue)")
            let run = try await EngineHarness.run(yaml, in: directory, runtime: runtime.nodeRuntime)
            #expect(run.summary.phase == .succeeded, "\(run.summary.message ?? "")")
            let outputs = try run.outputs("top-level-\(runtime.rawValue)")
            #expect(outputs.parameters.map { "\($0.name)=\($0.value)" } == ["p=two"])
            #expect(outputs.artifacts.map { "\($0.name):\($0.kind.rawValue)" } == ["r:file", "d:directory"])
            let file = try #require(outputs.artifacts.first { $0.name == "r" }).storedPath
            #expect(try String(contentsOfFile: file, encoding: .utf8) == "one\n")
        }
    }
}

import Foundation
import SluiceTesting
import Testing

/// A killed engine (SIGKILL, e.g. a CI job timeout) left its podman containers running for good, with nothing
/// saying which run and state directory they belonged to (issue 16).
@Suite("Containers of a dead engine", .serialized, .enabled(if: ContainersSupport.podmanTestsEnabled))
struct OrphanContainerTests {
    static func workflow(marker: String) -> String {
        """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          generateName: orphan-
        spec:
          entrypoint: main
          templates:
            - name: main
              container:
                image: \(ContainersSupport.baseImage)
                imagePullPolicy: Never
                command: [sh, -c, "echo started; sleep \(marker)"]
        """
    }

    /// `podman ps` of the containers labelled with `label`, with their labels.
    static func containers(labelled label: String) -> [String] {
        let listed = ContainersSupport.run([
            "podman", "ps", "-a", "--filter", "label=\(label)", "--format", "{{.Names}}",
        ])
        return listed?.output.split(separator: "\n").map(String.init) ?? []
    }

    @Test(
        "a dead engine's container is labelled with its run and state directory, and the next command removes it",
        .timeLimit(.minutes(3)))
    func orphanRemoved() async throws {
        if let reason = ContainersSupport.podmanUnavailableReason {
            try #require(Bool(false), "container tests need the setup: \(reason)")
        }
        try await SluiceCLI.withScratch { cli in
            let file = try cli.write(Self.workflow(marker: StopResumeTests.marker(base: 300)), name: "wf.yaml")
            // The engine needs the container settings of the test environment (CONTAINERS_CONF...).
            let engine = try cli.start(
                ["run", file, "--runtime", "podman"], environment: ProcessInfo.processInfo.environment)
            let label = "sluice.state-dir=\(cli.home)"
            var names: [String] = []
            for _ in 0..<600 where names.isEmpty {
                names = Self.containers(labelled: label)
                if names.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
            }
            try #require(names.count == 1, "the node's container never appeared")
            let inspected = ContainersSupport.run([
                "podman", "container", "inspect", "--format",
                "{{index .Config.Labels \"sluice.run\"}} {{index .Config.Labels \"sluice.engine-pid\"}}", names[0],
            ])
            let run = try StopResumeTests.nodes(cli)
            #expect(
                inspected?.output.trimmingCharacters(in: .whitespacesAndNewlines)
                    == "\(names[0].split(separator: "-").dropFirst().prefix(2).joined(separator: "-")) "
                    + "\(engine.pid)", "\(run)")
            kill(engine.pid, SIGKILL)
            _ = try await engine.finish()
            #expect(Self.containers(labelled: label) == names, "the container outlives its killed engine")

            let list = try cli.run(["list"], environment: ProcessInfo.processInfo.environment)
            #expect(list.status == 0)
            #expect(list.stdout.contains("engine gone: sluice resume"))
            #expect(Self.containers(labelled: label) == [])
        }
    }
}

import Foundation
import SluiceEngine
import SluiceSpec
import SluiceStore
import SluiceTesting
import Testing

/// `daemon: true` steps and tasks, and `sidecars`, with the process runtime (nodes share the host's network).
@Suite("Daemons and sidecars", .timeLimit(.minutes(2)))
struct DaemonSidecarTests {
    /// A unique marker so the test can check that no daemon process outlives the run.
    static let marker = "sluice-daemon-test-\(UUID().uuidString.prefix(8))"
    /// The same for the sidecar test (the tests run in parallel).
    static let sidecarMarker = "sluice-sidecar-test-\(UUID().uuidString.prefix(8))"

    static let daemonSteps = """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: daemon-steps
        spec:
          entrypoint: main
          volumes:
            - name: unused
              emptyDir: {}
          templates:
            - name: main
              steps:
                - - name: server
                    template: server
                - - name: client
                    template: client
                    arguments:
                      parameters:
                        - name: ip
                          value: "{{steps.server.ip}}"
            - name: server
              daemon: true
              container:
                image: alpine
                command: [sh, -c, "sleep 300; echo \(marker)"]
            - name: client
              inputs:
                parameters:
                  - name: ip
              container:
                image: alpine
                command: [sh, -c, "echo {{inputs.parameters.ip}}"]
        """

    @Test("a daemon step keeps running while later steps run, is killed when its steps template ends, and Succeeds")
    func daemonStep() async throws {
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(Self.daemonSteps, in: directory)
            #expect(run.summary.phase == .succeeded)
            let server = try run.node("server")
            #expect(server.phase == .succeeded)
            #expect(server.envelopeDigest != nil)
            let client = try run.node("client")
            #expect(client.phase == .succeeded)
            #expect(try run.outputs("client").result == "127.0.0.1")
            // The daemon was still running when the client started: it ended after the client.
            #expect(try #require(server.finishedAt) >= #require(client.finishedAt))
            let survivors = try await pgrep(Self.marker)
            #expect(survivors.isEmpty)
        }
    }

    static let daemonDAG = """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: daemon-dag
        spec:
          entrypoint: main
          templates:
            - name: main
              dag:
                tasks:
                  - name: server
                    template: server
                  - name: daemoned
                    template: echo
                    depends: server.Daemoned
                  - name: bare
                    template: echo
                    dependencies: [server]
            - name: server
              daemon: true
              container:
                image: alpine
                command: [sh, -c, "exec sleep 300"]
            - name: echo
              container:
                image: alpine
                command: [sh, -c, "echo ran"]
        """

    @Test("a daemon DAG task satisfies 'server.Daemoned' and a bare dependency while it runs")
    func daemonTask() async throws {
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(Self.daemonDAG, in: directory)
            #expect(run.summary.phase == .succeeded)
            #expect(try run.node("server").phase == .succeeded)
            #expect(try run.outputs("daemoned").result == "ran")
            #expect(try run.outputs("bare").result == "ran")
        }
    }

    static let sidecar = """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: sidecar-shared
        spec:
          entrypoint: main
          templates:
            - name: main
              volumes:
                - name: shared
                  emptyDir: {}
              container:
                image: alpine
                command: [sh, -c, "until test -s /shared/ready; do sleep 0.05; done; cat /shared/ready"]
                volumeMounts:
                  - name: shared
                    mountPath: /shared
              sidecars:
                - name: helper
                  image: alpine
                  command: [sh, -c, "echo from-sidecar > /shared/tmp; mv /shared/tmp /shared/ready; sleep 300; echo \(sidecarMarker)"]
                  volumeMounts:
                    - name: shared
                      mountPath: /shared
        """

    @Test("a sidecar starts with the main container, shares its emptyDir volume, and is killed when main ends")
    func sidecarSharesVolume() async throws {
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(Self.sidecar, in: directory)
            #expect(run.summary.phase == .succeeded)
            #expect(try run.outputs("sidecar-shared").result == "from-sidecar")
            #expect(try await pgrep(Self.sidecarMarker).isEmpty)
        }
    }

    static let missingSidecar = """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: sidecar-missing
        spec:
          entrypoint: main
          templates:
            - name: main
              container:
                image: alpine
                command: [sh, -c, "exec sleep 300"]
              sidecars:
                - name: helper
                  image: alpine
                  command: [no-such-sidecar-binary-xyz]
        """

    @Test("a sidecar that cannot start stops the main container and makes the Pod an Error naming the sidecar")
    func sidecarLaunchFailure() async throws {
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(Self.missingSidecar, in: directory)
            #expect(run.summary.phase == .error)
            let message = try #require(try run.node("sidecar-missing").message)
            #expect(
                message.hasPrefix(
                    "node 'sidecar-missing (sidecar helper)': executable 'no-such-sidecar-binary-xyz' not found"))
        }
    }

    private func pgrep(_ pattern: String) async throws -> String {
        HostProcess.capture(["pgrep", "-f", pattern])?.output ?? ""
    }
}

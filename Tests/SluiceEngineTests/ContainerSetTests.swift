import Foundation
import SluiceEngine
import SluiceSpec
import SluiceStore
import Testing

/// `containerSet` templates and `emptyDir` volumes run through the real engine with the process runtime.
@Suite("Container sets and volumes", .timeLimit(.minutes(2)))
struct ContainerSetTests {
    static func workflow(name: String, templates: String) -> String {
        """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: \(name)
        spec:
          entrypoint: main
          templates:
        \(templates)
        """
    }

    static let graph = workflow(
        name: "cset-graph",
        templates: """
              - name: main
                volumes:
                  - name: workspace
                    emptyDir: {}
                containerSet:
                  volumeMounts:
                    - name: workspace
                      mountPath: /workspace
                  containers:
                    - name: a
                      image: alpine
                      command: [sh, -c, "echo a >> /workspace/trail"]
                    - name: b
                      image: alpine
                      command: [sh, -c, "echo b >> /workspace/trail"]
                      dependencies: [a]
                    - name: main
                      image: alpine
                      command: [sh, -c, "echo main >> /workspace/trail; echo result-from-main"]
                      dependencies: [b]
                outputs:
                  parameters:
                    - name: trail
                      valueFrom:
                        path: /workspace/trail
            """)

    @Test("containers run in dependency order as Container nodes under the Pod, sharing the workspace volume")
    func dependencyOrder() async throws {
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(Self.graph, in: directory)
            #expect(run.summary.phase == .succeeded)
            let pod = try run.node("cset-graph")
            #expect(pod.type == .pod)
            #expect(pod.phase == .succeeded)
            #expect(try run.childNames("cset-graph") == ["a", "b", "main"])
            for name in ["a", "b", "main"] {
                let container = try run.node(name)
                #expect(container.type == .container)
                #expect(container.phase == .succeeded)
                #expect(container.name == "cset-graph.\(name)")
            }
            #expect(try run.parameter("trail", of: "cset-graph") == "a\nb\nmain")
            #expect(try run.outputs("cset-graph").result == "result-from-main")
            #expect(pod.envelopeDigest != nil)
        }
    }

    static let failing = workflow(
        name: "cset-failing",
        templates: """
              - name: main
                containerSet:
                  retryStrategy:
                    retries: "2"
                  containers:
                    - name: flaky
                      image: alpine
                      command: [sh, -c, "echo try >> /tmp/never-shared; exit 3"]
                    - name: after
                      image: alpine
                      command: [sh, -c, "echo unreachable"]
                      dependencies: [flaky]
            """)

    @Test("a failing container is retried 'retries' times, fails the Pod, and its dependents are not run")
    func failureAndRetries() async throws {
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(Self.failing, in: directory)
            #expect(run.summary.phase == .failed)
            let pod = try run.node("cset-failing")
            #expect(pod.phase == .failed)
            #expect(pod.message == "Error (exit code 3)")
            let flaky = try run.node("flaky")
            #expect(flaky.phase == .failed)
            #expect(flaky.message == "Error (exit code 3)")
            let attempts = try run.store.attempts(runID: run.run.id).filter { $0.nodeID == flaky.id }
            #expect(attempts.map(\.number) == [1, 2, 3])
            #expect(attempts.map(\.exitCode) == [3, 3, 3])
            let after = try run.node("after")
            #expect(after.phase == .omitted)
            #expect(after.message == "not run: dependency 'flaky' did not succeed")
        }
    }

    static let cyclic = workflow(
        name: "cset-cycle",
        templates: """
              - name: main
                containerSet:
                  containers:
                    - name: a
                      image: alpine
                      command: [sh, -c, "true"]
                      dependencies: [b]
                    - name: b
                      image: alpine
                      command: [sh, -c, "true"]
                      dependencies: [a]
            """)

    @Test("a dependency cycle among containers makes the Pod an Error naming the containers")
    func cycle() async throws {
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(Self.cyclic, in: directory)
            #expect(run.summary.phase == .error)
            let pod = try run.node("cset-cycle")
            #expect(pod.phase == .error)
            #expect(
                pod.message == "containerSet of template 'main' is invalid: its dependencies form a cycle among a, b")
        }
    }

    static let emptyDir = """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: empty-dir
        spec:
          entrypoint: main
          volumes:
            - name: scratch
              emptyDir: {}
          templates:
            - name: main
              steps:
                - - name: first
                    template: write
                - - name: second
                    template: write
            - name: write
              container:
                image: alpine
                command: [sh, -c, "ls /mnt/scratch | wc -l; echo x > /mnt/scratch/file"]
                volumeMounts:
                  - name: scratch
                    mountPath: /mnt/scratch
        """

    @Test("a workflow emptyDir volume is writable at its mountPath and each pod gets its own, empty one")
    func emptyDirPerPod() async throws {
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(Self.emptyDir, in: directory)
            #expect(run.summary.phase == .succeeded)
            #expect(try run.outputs("first").result == "0")
            #expect(try run.outputs("second").result == "0")
        }
    }

    static let undeclared = """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: undeclared-volume
        spec:
          entrypoint: main
          templates:
            - name: main
              container:
                image: alpine
                command: [sh, -c, "true"]
                volumeMounts:
                  - name: missing
                    mountPath: /mnt/missing
        """

    @Test("a volumeMount of an undeclared volume makes the node an Error naming the volume and the template")
    func undeclaredVolume() async throws {
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(Self.undeclared, in: directory)
            #expect(run.summary.phase == .error)
            #expect(
                try run.node("undeclared-volume").message
                    == "volume 'missing' of template 'main' cannot be mounted: neither the template's nor the "
                    + "workflow's 'volumes' declare it")
        }
    }

    static func initWorkflow(initCommand: String) -> String {
        """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {name: init-pod}
        spec:
          entrypoint: main
          volumes:
          - {name: shared, emptyDir: {}}
          templates:
          - name: main
            initContainers:
            - name: fetch
              image: alpine
              command: [sh, -c, "\(initCommand)"]
              mirrorVolumeMounts: true
            - name: second
              image: alpine
              command: [sh, -c, "cat /shared/config >> /shared/log; echo second >> /shared/log"]
              volumeMounts: [{name: shared, mountPath: /shared}]
            container:
              image: alpine
              command: [sh, -c, "cat /shared/log"]
              volumeMounts: [{name: shared, mountPath: /shared}]
        """
    }

    @Test("initContainers run in order before main, sharing its emptyDir volumes (mirrorVolumeMounts)")
    func initContainersRunFirst() async throws {
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(
                Self.initWorkflow(initCommand: "echo from-init > /shared/config"), in: directory)
            #expect(run.summary.phase == .succeeded, "\(run.nodes.map { "\($0.displayName): \($0.message ?? "")" })")
            #expect(try run.outputs("init-pod").result == "from-init\nsecond")
        }
    }

    @Test("a failing init container fails the pod and main never runs")
    func failingInitContainer() async throws {
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(Self.initWorkflow(initCommand: "exit 4"), in: directory)
            #expect(run.summary.phase == .failed)
            let node = try run.node("init-pod")
            #expect(node.phase == .failed)
            #expect(node.message == "Error (exit code 4)")
            #expect(try run.outputs("init-pod").result == nil)
        }
    }
}

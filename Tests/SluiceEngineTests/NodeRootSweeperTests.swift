import Foundation
import SluiceEngine
import SluiceRuntimes
import SluiceSpec
import Testing

/// Finished nodes' private roots are deleted off the critical path, and all of them before a run returns.
@Suite("Node root sweeper", .timeLimit(.minutes(1)))
struct NodeRootSweeperTests {
    static func makeRoot(in directory: String, _ name: String) throws -> String {
        let root = directory + "/" + name + "/root"
        try FileManager.default.createDirectory(atPath: root + "/tmp", withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: root + "/tmp/out.txt"))
        return root
    }

    @Test("queued roots are deleted once run() has drained the queue; a root queued after finish() at once")
    func drains() async throws {
        try await EngineHarness.withDirectory { directory in
            let sweeper = NodeRootSweeper()
            let first = try Self.makeRoot(in: directory, "a")
            let second = try Self.makeRoot(in: directory, "b")
            async let swept: Void = sweeper.run()
            sweeper.remove(first)
            sweeper.remove(second)
            sweeper.finish()
            await swept
            #expect(!FileManager.default.fileExists(atPath: first))
            #expect(!FileManager.default.fileExists(atPath: second))
            #expect(FileManager.default.fileExists(atPath: directory + "/a"))

            let late = try Self.makeRoot(in: directory, "c")
            sweeper.remove(late)
            #expect(!FileManager.default.fileExists(atPath: late))
        }
    }

    @Test("no node's private root is left when a run under bubblewrap returns")
    func runLeavesNoRoots() async throws {
        guard ProcessRuntime.detectedIsolation == .bubblewrap else { return }
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(
                """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata:
                  name: sweep
                spec:
                  entrypoint: main
                  templates:
                    - name: main
                      dag:
                        tasks:
                          - {name: a, template: write}
                          - {name: b, template: write, depends: a}
                    - name: write
                      container:
                        image: alpine
                        command: [sh, -c, "echo hi > /tmp/out.txt"]
                """, in: directory)
            #expect(run.summary.phase == .succeeded)
            let nodes = run.stateDirectory + "/runs/sweep/nodes"
            // A node's directory exists only when something needed it (here, a node that ran with its private
            // paths on the host rather than through the launcher's server); the nodes printed nothing: no logs.
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: nodes)) ?? []
            #expect(entries.count <= 2)
            for entry in entries {
                #expect(!FileManager.default.fileExists(atPath: nodes + "/" + entry + "/stdout.log"))
                #expect(!FileManager.default.fileExists(atPath: nodes + "/" + entry + "/root"))
            }
        }
    }
}

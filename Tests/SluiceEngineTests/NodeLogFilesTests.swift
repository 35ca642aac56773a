import Foundation
import SluiceEngine
import SluiceRuntimes
import SluiceSpec
import SluiceStore
import Testing

/// A node's directory and log files exist only when something needs them: a node that prints nothing and writes no
/// file the engine keeps leaves nothing behind, one that prints keeps its logs where its attempt says.
@Suite("Node log files", .timeLimit(.minutes(1)))
struct NodeLogFilesTests {
    static let workflow = """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: logs
        spec:
          entrypoint: main
          templates:
            - name: main
              dag:
                tasks:
                  - {name: quiet, template: quiet}
                  - {name: loud, template: loud}
                  - {name: answer, template: answer}
                  - {name: nothing, template: nothing}
                  - name: use
                    template: use
                    depends: answer && nothing
                    arguments:
                      parameters:
                        - {name: both, value: "[{{tasks.answer.outputs.result}}][{{tasks.nothing.outputs.result}}]"}
            - name: quiet
              container: {image: alpine, command: [sh, -c, "echo x > /tmp/out.txt"]}
            - name: loud
              container: {image: alpine, command: [sh, -c, "echo out; echo err >&2"]}
            - name: answer
              script: {image: alpine, command: [sh], source: "echo 42"}
            - name: nothing
              script: {image: alpine, command: [sh], source: "true"}
            - name: use
              inputs: {parameters: [{name: both}]}
              container: {image: alpine, command: [sh, -c, "echo '{{inputs.parameters.both}}'"]}
        """

    @Test("a silent node records no log; a printing node's logs are where its attempt says; results still work")
    func logsOnlyWhenPrinted() async throws {
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(Self.workflow, in: directory)
            #expect(run.summary.phase == .succeeded)
            let attempts = Dictionary(
                try run.store.attempts(runID: run.run.id).map { ($0.nodeID, $0) }, uniquingKeysWith: { a, _ in a })
            let nodes = run.stateDirectory + "/runs/logs/nodes/"

            let quiet = try run.node("quiet")
            #expect(attempts[quiet.id]?.stdoutPath == nil)
            #expect(attempts[quiet.id]?.stderrPath == nil)
            #expect(!FileManager.default.fileExists(atPath: nodes + quiet.id + "/stdout.log"))
            #expect(!FileManager.default.fileExists(atPath: nodes + quiet.id + "/stderr.log"))
            if ProcessRuntime.detectedIsolation == .bubblewrap, ProcessRuntime.launcherPath != nil {
                // Through the launcher's server nothing of the node is on the host: not even its directory.
                #expect(!FileManager.default.fileExists(atPath: nodes + quiet.id))
            }

            let loud = try run.node("loud")
            let stdout = try #require(attempts[loud.id]?.stdoutPath)
            let stderr = try #require(attempts[loud.id]?.stderrPath)
            #expect(try String(contentsOfFile: stdout, encoding: .utf8) == "out\n")
            #expect(try String(contentsOfFile: stderr, encoding: .utf8) == "err\n")
            for path in [stdout, stderr] {
                let attributes = try FileManager.default.attributesOfItem(atPath: path)
                #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            }
            let directoryAttributes = try FileManager.default.attributesOfItem(atPath: nodes + loud.id)
            #expect((directoryAttributes[.posixPermissions] as? NSNumber)?.intValue == 0o700)

            #expect(try run.outputs("answer").result == "42")
            #expect(try run.outputs("nothing").result == "")
            let use = try run.node("use")
            let used = try #require(attempts[use.id]?.stdoutPath)
            #expect(try String(contentsOfFile: used, encoding: .utf8) == "[42][]\n")
        }
    }
}

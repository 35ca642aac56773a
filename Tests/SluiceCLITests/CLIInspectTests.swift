import Foundation
import SluiceStore
import SluiceTesting
import Testing

/// `get`, `logs`, `list` and `verify` on a run made by `sluice run`.
@Suite("CLI inspection", .timeLimit(.minutes(2)))
struct CLIInspectTests {
    @Test("get @latest -o json is an Argo Workflow object with the fields the conformance runner reads")
    func getJSON() async throws {
        try await SluiceCLI.withScratch { cli in
            let file = try cli.write(CLIWorkflows.hello, name: "hello.yaml")
            #expect(try cli.run(["run", file, "-p", "who=argo"]).status == 0)
            let result = try cli.run(["get", "@latest", "-o", "json"])
            #expect(result.status == 0, "\(result)")
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result)")
            #expect(object["apiVersion"] as? String == "argoproj.io/v1alpha1")
            #expect(object["kind"] as? String == "Workflow")
            let metadata = try #require(object["metadata"] as? [String: Any])
            #expect(metadata["name"] as? String == "hello-cli")
            let status = try #require(object["status"] as? [String: Any])
            #expect(status["phase"] as? String == "Succeeded")
            #expect(status["progress"] as? String == "2/2")
            let nodes = try #require(status["nodes"] as? [String: [String: Any]])
            let root = try #require(nodes["hello-cli"], "the root node's id is the workflow name")
            #expect(root["id"] as? String == "hello-cli")
            #expect(root["name"] as? String == "hello-cli")
            #expect(root["displayName"] as? String == "hello-cli")
            #expect(root["type"] as? String == "Steps")
            #expect(root["phase"] as? String == "Succeeded")
            for (id, node) in nodes {
                #expect(node["id"] as? String == id)
                for field in ["name", "displayName", "type", "phase"] {
                    #expect(node[field] is String, "node \(id) lacks \(field)")
                }
                #expect(node["children"] is [Any], "node \(id) lacks children")
            }
            let byName = Dictionary(
                nodes.values.compactMap { node in (node["displayName"] as? String).map { ($0, node) } },
                uniquingKeysWith: { first, _ in first })
            let greet = try #require(byName["greet"])
            #expect(greet["type"] as? String == "Pod")
            let inputs = try #require(greet["inputs"] as? [String: Any])
            #expect((inputs["parameters"] as? [[String: String]]) == [["name": "who", "value": "argo"]])
            let outputs = try #require(greet["outputs"] as? [String: Any])
            #expect((outputs["parameters"] as? [[String: String]]) == [["name": "greeting", "value": "hello argo"]])
            #expect(outputs["result"] as? String == "line one\nline two")
            #expect(outputs["exitCode"] as? String == "0")
            let shout = try #require(byName["shout"])
            #expect((shout["outputs"] as? [String: Any])?["result"] as? String == "hello argo!")
            #expect(try #require(root["children"] as? [String]) == [try #require(byName["[0]"]?["id"] as? String)])
            let spec = try #require(object["spec"] as? [String: Any])
            let arguments = try #require(spec["arguments"] as? [String: Any])
            #expect((arguments["parameters"] as? [[String: String]]) == [["name": "who", "value": "argo"]])
        }
    }

    @Test("logs prints a node's stdout, list shows the run, verify exits 0")
    func logsListVerify() async throws {
        try await SluiceCLI.withScratch { cli in
            let file = try cli.write(CLIWorkflows.hello, name: "hello.yaml")
            #expect(try cli.run(["run", file]).status == 0)

            let logs = try cli.run(["logs", "@latest", "greet"])
            #expect(logs.status == 0, "\(logs)")
            #expect(logs.stdout == "line one\nline two\n", "\(logs)")
            let all = try cli.run(["logs", "hello-cli"])
            #expect(all.stdout == "greet: line one\ngreet: line two\nshout: hello world!\n", "\(all)")
            let missing = try cli.run(["logs", "@latest", "nobody"])
            #expect(missing.status == 1)
            #expect(missing.stderr == "error: run 'hello-cli' has no node 'nobody'\n", "\(missing)")

            let list = try cli.run(["list"])
            #expect(list.status == 0, "\(list)")
            let lines = list.stdout.split(separator: "\n")
            #expect(lines.count == 2, "\(list)")
            #expect(lines.first?.hasPrefix("NAME") == true, "\(list)")
            #expect(lines.last?.hasPrefix("hello-cli  Succeeded  ") == true, "\(list)")

            let verify = try cli.run(["verify", "@latest"])
            #expect(verify.status == 0, "\(verify)")
            #expect(verify.stdout.hasSuffix("2 envelopes verified, 0 failed (run hello-cli)\n"), "\(verify)")
            #expect(verify.stdout.hasPrefix("ok   greet: "), "\(verify)")
        }
    }

    @Test("get, logs and verify of an unknown run exit 1 with one error line")
    func unknownRun() async throws {
        try await SluiceCLI.withScratch { cli in
            let empty = try cli.run(["get", "@latest"])
            #expect(empty.status == 1, "\(empty)")
            #expect(
                empty.stderr == "error: no runs have been recorded in this state directory yet, so '@latest' refers "
                    + "to nothing\n", "\(empty)")
            for command in ["get", "logs", "verify"] {
                let result = try cli.run([command, "nope"])
                #expect(result.status == 1, "\(command): \(result)")
                #expect(result.stderr == "error: no run has the name or id 'nope'\n", "\(command): \(result)")
            }
            #expect(try cli.run(["get", "@latest", "-o", "yaml"]).status == 1)
        }
    }

    @Test("verify exits 3 and names the artifact after the stored bytes were altered")
    func verifyTampered() async throws {
        try await SluiceCLI.withScratch { cli in
            let yaml = """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata:
                  name: artifact-cli
                spec:
                  entrypoint: main
                  templates:
                    - name: main
                      container:
                        image: alpine
                        command: [sh, -c, "printf genuine > /tmp/a.txt"]
                      outputs:
                        artifacts:
                          - {name: result-file, path: /tmp/a.txt}
                """
            let file = try cli.write(yaml, name: "artifact.yaml")
            #expect(try cli.run(["run", file]).status == 0)
            let store = try Store(stateDirectory: cli.home)
            let run = try store.run(named: "@latest")
            let node = try #require(try store.nodes(runID: run.id).first)
            let outputs = try #require(node.outputsJSON)
            let stored = try #require(outputs.firstMatch(of: /"storedPath":"([^"]+)"/)?.output.1)
            let path = String(stored)
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
            try Data("forged".utf8).write(to: URL(fileURLWithPath: path))
            let verify = try cli.run(["verify", "@latest"])
            #expect(verify.status == 3, "\(verify)")
            #expect(verify.stdout.contains("FAIL artifact-cli: artifact 'result-file' is sha256:"), "\(verify)")
            #expect(verify.stdout.hasSuffix("0 envelopes verified, 1 failed (run artifact-cli)\n"), "\(verify)")
        }
    }
}

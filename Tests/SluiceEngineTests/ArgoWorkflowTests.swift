import Foundation
import SluiceEngine
import SluiceGovernance
import SluiceSpec
import SluiceStore
import Testing

@Suite("ArgoWorkflow: the status model")
struct ArgoWorkflowTests {
    private static let started = Date(timeIntervalSince1970: 1_790_000_000)

    private static func run(message: String?) -> RunRecord {
        RunRecord(
            id: "run-id", name: "wf-x7k2p", sourcePath: "/w/wf.yaml", workflowYAML: "kind: Workflow",
            parametersJSON: #"{"b":"2","a":"1/2"}"#, workflowDigest: "ab", governanceDigest: "cd", runtime: "process",
            signerKeyID: "ef", phase: .failed, message: message, createdAt: started, startedAt: started,
            finishedAt: started.addingTimeInterval(3), outputsJSON: #"{"parameters":[{"name":"o","value":"v"}]}"#)
    }

    /// Nodes whose ids sort differently by plain, numeric and case-insensitive order, and whose values need every
    /// kind of escape (quotes, backslashes, slashes, control bytes, NUL, non-ASCII) or none.
    private static func nodes() -> [NodeRecord] {
        var nodes = [
            NodeRecord(
                runID: "run-id", id: "wf-x7k2p", name: "wf-x7k2p", displayName: "wf-x7k2p", type: .dag,
                templateName: "main", phase: .failed, message: "child 'wf-x7k2p-10' failed",
                childrenJSON: #"["wf-x7k2p-9","wf-x7k2p-10","Wf-x7k2p-B"]"#,
                inputsJSON: #"{"parameters":[],"artifacts":[]}"#,
                startedAt: started, finishedAt: started.addingTimeInterval(3), sequence: 0),
            NodeRecord(
                runID: "run-id", id: "wf-x7k2p-9", name: "wf-x7k2p.a", displayName: "a", type: .pod, templateName: "t",
                phase: .succeeded, message: "Memoization hit (cache 'c1', key 'k/1'): reused", boundaryID: "wf-x7k2p",
                childrenJSON: "[]",
                inputsJSON: #"{"parameters":[{"name":"x","value":"a \"quoted\" \\ back/slash\ttab\u0001\u0000 é ✓"}]}"#,
                outputsJSON: #"{"exitCode":"0","result":"line1\nline2","parameters":[{"name":"n","value":"12"}]}"#,
                startedAt: started, finishedAt: started.addingTimeInterval(1), envelopeDigest: "00ff", sequence: 1,
                progress: "3/4", memoization: MemoizationStatus(hit: true, key: "k/1", cacheName: "c1")),
            NodeRecord(
                runID: "run-id", id: "wf-x7k2p-10", name: "wf-x7k2p.b", displayName: "b\u{7f}\u{1b}[31m", type: .pod,
                templateName: nil, phase: .failed, message: "exit code 2: \"/tmp/x\" \\ \u{2028}",
                boundaryID: "wf-x7k2p",
                sequence: 2),
            NodeRecord(
                runID: "run-id", id: "Wf-x7k2p-B", name: "wf-x7k2p.c", displayName: "c", type: .skipped,
                phase: .omitted, boundaryID: "wf-x7k2p", childrenJSON: "not json", inputsJSON: "{}",
                outputsJSON: "[1]",
                sequence: 3),
        ]
        for index in 0..<40 {
            nodes.append(
                NodeRecord(
                    runID: "run-id", id: "wf-x7k2p-\(index * 37 % 101)x\(index)", name: "wf-x7k2p.l(\(index))",
                    displayName: "l(\(index):item)", type: .pod, templateName: "t", phase: .running,
                    boundaryID: "wf-x7k2p", sequence: 4 + index))
        }
        return nodes
    }

    private static func object(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    @Test("a recorded run's status reads back as the same model, values escaped and unescaped exactly")
    func roundTrip() throws {
        let run = Self.run(message: "node \"b\" failed: \u{1}/x")
        let workflow = ArgoWorkflow(run: run, nodes: Self.nodes())
        let text = workflow.jsonText()
        #expect(try ArgoWorkflow(json: Data(text.utf8)) == workflow)
        #expect(text.contains(#""message" : "node \"b\" failed: \u0001/x""#))
        let status = try #require(Self.object(text)["status"] as? [String: Any])
        let nodes = try #require(status["nodes"] as? [String: [String: Any]])
        #expect(nodes.count == 44)
        let a = try #require(nodes["wf-x7k2p-9"])
        let inputs = try #require(a["inputs"] as? [String: Any])
        let parameters = try #require(inputs["parameters"] as? [[String: String]])
        #expect(parameters == [["name": "x", "value": "a \"quoted\" \\ back/slash\ttab\u{1}\u{0} é ✓"]])
        #expect((a["outputs"] as? [String: Any])?["result"] as? String == "line1\nline2")
        let memoization = try #require(a["memoizationStatus"] as? [String: Any])
        #expect(memoization["hit"] as? Bool == true && memoization["key"] as? String == "k/1")
        #expect(memoization["cacheName"] as? String == "c1")
        #expect(a["lineageEnvelope"] as? String == "sha256:00ff")
        #expect(a["progress"] as? String == "3/4")
        #expect(nodes["wf-x7k2p-10"]?["displayName"] as? String == "b\u{7f}\u{1b}[31m")
    }

    @Test("keys sort by code point, and the run's parameters by name")
    func order() throws {
        let text = ArgoWorkflow(run: Self.run(message: nil), nodes: Self.nodes()).jsonText()
        let ids = ["\"Wf-x7k2p-B\" : {", "\"wf-x7k2p\" : {", "\"wf-x7k2p-10\" : {", "\"wf-x7k2p-9\" : {"]
        let positions = try ids.map { try #require(text.range(of: $0)).lowerBound }
        #expect(positions == positions.sorted())
        let spec = try #require(Self.object(text)["spec"] as? [String: Any])
        let parameters = (spec["arguments"] as? [String: Any])?["parameters"] as? [[String: String]]
        #expect(parameters == [["name": "a", "value": "1/2"], ["name": "b", "value": "2"]])
    }

    @Test("rows that hold no readable inputs, outputs or children show none; progress sums the pods below a node")
    func unreadableRows() throws {
        let workflow = ArgoWorkflow(run: Self.run(message: nil), nodes: Self.nodes())
        let nodes = try #require(workflow.status?.nodes)
        let c = try #require(nodes["Wf-x7k2p-B"])
        #expect(c.children == [] && c.inputs == nil && c.outputs == nil)
        #expect(nodes["wf-x7k2p"]?.inputs == ArgoWorkflow.Values(parameters: [], artifacts: []))
        #expect(nodes["wf-x7k2p"]?.progress == "3/5")
        #expect(workflow.status?.progress == "3/45")
        #expect(workflow.status?.outputs?.parameter("o") == "v")
    }

    @Test("a run without nodes has an empty node map")
    func noNodes() throws {
        let text = ArgoWorkflow(run: Self.run(message: nil), nodes: []).jsonText()
        let status = try #require(Self.object(text)["status"] as? [String: Any])
        #expect((status["nodes"] as? [String: Any])?.isEmpty == true)
        #expect(status["message"] == nil && status["progress"] as? String == "0/0")
    }

    @Test("a status Argo wrote reads: its artifacts, node types and members Sluice does not know")
    func argoWritten() throws {
        let text = #"""
            {"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
             "metadata": {"name": "wf", "uid": "u-1", "generation": 3},
             "status": {"phase": "Succeeded", "estimatedDuration": 4, "nodes": {
               "wf-1": {"id": "wf-1", "name": "wf.fetch", "type": "HTTP", "phase": "Succeeded", "hostNodeName": "n1"},
               "wf-2": {"id": "wf-2", "name": "wf.make", "type": "Pod", "outputs": {
                 "artifacts": [{"name": "out", "s3": {"key": "wf/wf-2/out.tgz"}}],
                 "parameters": [{"name": "p", "value": "1", "valueFrom": {"path": "/tmp/p"}}]}}}}}
            """#
        let workflow = try ArgoWorkflow(json: Data(text.utf8))
        #expect(workflow.metadata.uid == "u-1" && workflow.spec == nil)
        #expect(workflow.status?.nodes?["wf-1"]?.type == .http)
        let make = try #require(workflow.status?.nodes?["wf-2"])
        #expect(make.phase == nil && make.outputs?.parameter("p") == "1")
        #expect(make.outputs?.artifacts?.first?["s3"]?["key"]?.stringValue == "wf/wf-2/out.tgz")
    }

    @Test(
        "a document that is not a Workflow object names the member at fault",
        arguments: [
            (#"{"metadata": {"name": "wf"}}"#, "metadata.uid is missing"),
            (#"{}"#, "metadata is missing"),
            (#"{"metadata": {"name": "wf", "uid": 7}}"#, "metadata.uid is not of the expected type"),
            (
                #"{"metadata": {"name": "w", "uid": "u"}, "status": {"nodes": {"n": {"id": "n", "name": "n", "type": "Job"}}}}"#,
                "status.nodes.n.type: Cannot initialize NodeType from invalid String value Job"
            ),
            ("[1,", "not JSON"),
        ])
    func unreadable(text: String, reason: String) {
        #expect(throws: StatusReadingError(reason: reason)) { try ArgoWorkflow(json: Data(text.utf8)) }
    }
}

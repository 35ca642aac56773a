import Foundation
import SluiceEngine
import SluiceSpec
import SluiceStore
import Testing

@Suite("ArgoStatus.streamJSON")
struct ArgoStatusStreamingTests {
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
                phase: .succeeded, message: "Memoization hit (cache 'c1', key 'k/1')", boundaryID: "wf-x7k2p",
                childrenJSON: "[]",
                inputsJSON: #"{"parameters":[{"name":"x","value":"a \"quoted\" \\ back/slash\ttab\u0001\u0000 é ✓"}]}"#,
                outputsJSON: #"{"exitCode":"0","result":"line1\nline2","parameters":[{"name":"n","value":"12"}]}"#,
                startedAt: started, finishedAt: started.addingTimeInterval(1), envelopeDigest: "00ff", sequence: 1,
                progress: "3/4"),
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

    private static func streamed(run: RunRecord, nodes: [NodeRecord]) -> String {
        var text = ""
        ArgoStatus.streamJSON(run: run, nodes: nodes) { text += $0 }
        return text
    }

    @Test("writes exactly what JSONSerialization writes for the whole Workflow object")
    func byteIdentical() {
        let run = Self.run(message: "node \"b\" failed: \u{1}/x")
        let nodes = Self.nodes()
        #expect(Self.streamed(run: run, nodes: nodes) == ArgoStatus.json(run: run, nodes: nodes))
    }

    @Test("a run without nodes, and one without a message, are identical too")
    func edgeCases() {
        #expect(
            Self.streamed(run: Self.run(message: nil), nodes: [])
                == ArgoStatus.json(run: Self.run(message: nil), nodes: []))
        let one = Array(Self.nodes().prefix(1))
        #expect(
            Self.streamed(run: Self.run(message: nil), nodes: one)
                == ArgoStatus.json(run: Self.run(message: nil), nodes: one))
    }

    @Test("a message that mimics the nodes placeholder does not confuse the splice")
    func placeholderLookalike() {
        let run = Self.run(message: "\n    \"nodes\" : \"sluice-nodes-placeholder\"")
        let nodes = Self.nodes()
        #expect(Self.streamed(run: run, nodes: nodes) == ArgoStatus.json(run: run, nodes: nodes))
    }
}

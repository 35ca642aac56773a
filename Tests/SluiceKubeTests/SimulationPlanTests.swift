import Foundation
import SluiceEngine
import SluiceGovernance
import SluiceSpec
import Testing

@testable import SluiceKube

/// The pure parts of `kube simulate`, `collect` and `diff`: the order and values Argo would give the pods, the
/// steps and DAG calls a pod states, the mask, and the submitted document collect writes back.
@Suite("Simulation planning, lineage mask, collected workflow")
struct SimulationPlanTests {
    static let dag = """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {name: plan}
        spec:
          entrypoint: main
          arguments: {parameters: [{name: limit, value: "5"}]}
          templates:
            - name: main
              inputs: {parameters: [{name: limit}]}
              dag:
                tasks:
                  - name: use
                    template: use
                    dependencies: [make]
                    arguments:
                      parameters: [{name: n, value: "{{tasks.make.outputs.parameters.n}}"}]
                      artifacts: [{name: data, from: "{{tasks.make.outputs.artifacts.data}}"}]
                  - {name: make, template: make, arguments: {parameters: [{name: limit, value: "{{inputs.parameters.limit}}"}]}}
                  - {name: never, template: make, dependencies: [make], when: "{{tasks.make.outputs.parameters.n}} > 9"}
            - name: make
              inputs: {parameters: [{name: limit}]}
              container: {image: busybox, command: [sh, -c, "echo {{inputs.parameters.limit}} {{node.name}}"]}
              outputs:
                parameters: [{name: n, valueFrom: {path: /tmp/n}}]
                artifacts: [{name: data, path: /tmp/data}]
            - name: use
              inputs:
                parameters: [{name: n}]
                artifacts: [{name: data, path: /in/data}]
              container: {image: busybox, command: [cat, "{{inputs.artifacts.data.path}}", "{{inputs.parameters.n}}"]}
        """

    static func walk(_ text: String) async throws -> (ArgoWalk, [PodCall], WalkPhase) {
        let loaded = try SpecLoader.load(text: text, file: "wf.yaml", clusterFeatures: true)
        var walk = try ArgoWalk(workflow: RenderedYAML(loaded.documents[0].tree), runID: "run-1")
        var calls: [PodCall] = []
        let phase = try await walk.run { (call: PodCall) async throws(KubeError) -> PodResult in
            calls.append(call)
            var outputs = PodOutputs()
            outputs.parameters = [NamedValue(name: "n", value: "7")]
            outputs.artifacts = [
                RepositoryArtifact(name: "data", key: "plan/\(call.podName)/data.tgz", isArchive: true)
            ]
            return PodResult(phase: .succeeded, message: nil, outputs: outputs)
        }
        return (walk, calls, phase)
    }

    @Test("DAG tasks run in dependency order with Argo's values; a false when is Skipped, not run")
    func dagOrder() async throws {
        let (walk, calls, phase) = try await Self.walk(Self.dag)
        #expect(phase == .succeeded)
        #expect(calls.map(\.displayName) == ["make", "use"])
        let make = calls[0]
        #expect(make.nodeName == "plan.make")
        #expect(make.podName == "plan-make-" + String(make.nodeID.split(separator: "-").last ?? ""))
        // The workflow's argument reached the entrypoint's input, then the task's.
        #expect(make.template["container"]?["command"]?.elements.last?.scalarText == "echo 5 plan.make")
        let use = calls[1]
        #expect(use.inputParameters == [NamedValue(name: "n", value: "7")])
        #expect(use.inputArtifacts.map(\.artifact.key) == ["plan/\(make.podName)/data.tgz"])
        #expect(use.inputArtifacts.map(\.path) == ["/in/data"])
        #expect(use.template["container"]?["command"]?.elements.compactMap(\.scalarText) == ["cat", "/in/data", "7"])
        let never = try #require(walk.nodes.first { $0.displayName == "never" })
        #expect(never.phase == .skipped)
        #expect(never.message == "when '{{tasks.make.outputs.parameters.n}} > 9' evaluated false")
    }

    @Test("steps are named as Argo names them: WORKFLOW[i].STEP; a loop runs each item, named NAME(i:label)")
    func stepsAndLoops() async throws {
        let steps = """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata: {name: st}
            spec:
              entrypoint: main
              templates:
                - name: main
                  steps:
                    - - {name: a, template: make, arguments: {parameters: [{name: limit, value: "1"}]}}
                    - - {name: b, template: make, arguments: {parameters: [{name: limit, value: "{{steps.a.outputs.parameters.n}}"}]}}
                - name: make
                  inputs: {parameters: [{name: limit}]}
                  container: {image: busybox, command: [echo, "{{inputs.parameters.limit}}"]}
            """
        let (walk, calls, _) = try await Self.walk(steps)
        #expect(calls.map(\.nodeName) == ["st[0].a", "st[1].b"])
        #expect(calls[1].inputParameters == [NamedValue(name: "limit", value: "7")])
        #expect(walk.nodes.filter { $0.kind == .stepGroup }.map(\.name) == ["st[0]", "st[1]"])

        let loop = steps.replacingOccurrences(
            of: "- - {name: a, template: make,", with: "- - {name: a, template: make, withItems: [x, {k: v}],"
        )
        .replacingOccurrences(of: "value: \"1\"", with: "value: \"{{item}}\"")
        let (looped, loopCalls, _) = try await Self.walk(loop)
        #expect(loopCalls.map(\.nodeName) == ["st[0].a(0:x)", "st[0].a(1:k:v)", "st[1].b"])
        #expect(loopCalls[0].inputParameters == [NamedValue(name: "limit", value: "x")])
        // Argo aggregates a loop's output parameters as a JSON list.
        #expect(loopCalls[2].inputParameters == [NamedValue(name: "limit", value: #"["7","7"]"#)])
        #expect(looped.nodes.first { $0.name == "st[0]" }?.children.count == 2)
    }

    @Test("the signer states node.within from the node name and the rendered call table")
    func within() throws {
        var facts = try PodGateTests.facts()
        facts.entrypoint = "main"
        facts.calls = ["main": ["inner": "pipeline", "top": "work"], "pipeline": ["step": "work"]]
        let name = facts.workflowName
        #expect(facts.within(nodeName: name + ".top") == [.init(template: "main", task: name)])
        #expect(
            facts.within(nodeName: name + ".inner.step")
                == [.init(template: "pipeline", task: "inner"), .init(template: "main", task: name)])
        #expect(facts.within(nodeName: name + "[0].inner[1].step(0:x.y)").count == 2)
        #expect(facts.within(nodeName: name) == [])
    }

    @Test("the mask hides what must differ between runs and compares upstream links by the producer's name")
    func mask() throws {
        func predicate(workflow: String, key: String, producer: String, envelope: String, order: [String])
            -> CanonicalJSON
        {
            let inputs: [String: CanonicalJSON] = [
                "a": ["name": "a", "kind": "artifact", "digest": ["sha256": "11"]],
                "p": [
                    "name": "make.outputs/parameters/n", "kind": "parameter", "digest": ["sha256": "22"],
                    "producerNode": .string(producer), "envelopePayloadDigest": ["sha256": .string(envelope)],
                ],
            ]
            return [
                "workflow": ["name": .string(workflow), "runId": .string(UUID().uuidString)],
                "node": ["id": .string(workflow + "-9"), "name": .string(workflow + ".use"), "templateName": "use"],
                "invocationId": .string(UUID().uuidString),
                "producer": [
                    "id": "x", "runtime": "podman", "version": "1", "image": .string("busybox@sha256:" + key),
                    "signer": ["keyid": .string(key)],
                ],
                "trustSlope": [["authority": "run-key", "role": "submit", "keyid": .string(key), "attestation": "1"]],
                "timing": ["startedOn": "t1", "finishedOn": "t2"],
                "inputs": .array(order.compactMap { inputs[$0] }),
            ]
        }
        let local = LineageMask(
            workflowName: "wf-aaaaa", nodeNames: ["wf-aaaaa-1": "wf-aaaaa.make"], envelopeNodes: ["e1": "wf-aaaaa.make"]
        )
        let cluster = LineageMask(
            workflowName: "wf-bbbbb", nodeNames: ["wf-bbbbb-2": "wf-bbbbb.make"], envelopeNodes: ["e2": "wf-bbbbb.make"]
        )
        let left = local.masked(
            predicate(workflow: "wf-aaaaa", key: "k1", producer: "wf-aaaaa-1", envelope: "e1", order: ["a", "p"]))
        let right = cluster.masked(
            predicate(workflow: "wf-bbbbb", key: "k2", producer: "wf-bbbbb-2", envelope: "e2", order: ["p", "a"]))
        #expect(LineageMask.differences(left, right) == [])
        #expect(left["inputs"]?[1]?["producerNode"]?.stringValue == "<node <workflow>.make>")
        #expect(left["inputs"]?[1]?["envelopePayloadDigest"]?.stringValue == "<envelope of <workflow>.make>")

        let other = cluster.masked(
            predicate(workflow: "wf-bbbbb", key: "k2", producer: "wf-bbbbb-7", envelope: "e9", order: ["a", "p"]))
        #expect(
            LineageMask.differences(left, other).map(\.description) == [
                #"inputs[1].envelopePayloadDigest ("<envelope of <workflow>.make>" / "<envelope of no envelope of this run>")"#,
                #"inputs[1].producerNode ("<node <workflow>.make>" / "<node unknown wf-bbbbb-7>")"#,
            ])
    }

    @Test("collect writes the submitted document back as YAML with the digest the submission signed")
    func collectedWorkflow() throws {
        let text = """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata: {name: c}
            spec:
              entrypoint: main
              templates:
                - name: main
                  container: {image: busybox, command: [echo, "0", "yes", "a: b"], args: ["multi\\nline\\n"]}
                  outputs:
                    artifacts: [{name: o, path: /o, archive: {tar: {compressionLevel: 0}}}]
            """
        let document = try SpecLoader.load(text: text, file: "wf.yaml").documents[0]
        let canonical = String(decoding: document.tree.canonicalJSON.bytes, as: UTF8.self)
        let written = try ClusterCollector.workflowYAML(canonical)
        let reread = try SpecLoader.load(text: written, file: "workflow.yaml").documents[0]
        #expect(reread.tree.canonicalJSON == document.tree.canonicalJSON)
    }
}

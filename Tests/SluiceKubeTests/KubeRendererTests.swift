import Foundation
import SluiceGovernance
import SluiceKube
import SluiceSpec
import Testing

@Suite("sluice kube render")
struct KubeRendererTests {
    static let examples = ["ml-pipeline", "fan-out-fan-in", "build-push-deploy"]

    /// Golden files: regenerate with SLUICE_UPDATE_GOLDEN=1 (then read the diff).
    @Test("the examples render to their golden files, byte for byte", arguments: examples)
    func golden(example: String) throws {
        let rendering = try KubeFixtures.render(path: KubeFixtures.root + "/examples/\(example).yaml")
        let path = KubeFixtures.golden + "/\(example).argo.yaml"
        if ProcessInfo.processInfo.environment["SLUICE_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(atPath: KubeFixtures.golden, withIntermediateDirectories: true)
            try Data(rendering.text.utf8).write(to: URL(fileURLWithPath: path))
        }
        let expected = try String(contentsOfFile: path, encoding: .utf8)
        #expect(rendering.text == expected)
    }

    @Test("rendering twice gives the same bytes; another submission time another name and run")
    func deterministic() throws {
        let path = KubeFixtures.root + "/examples/ml-pipeline.yaml"
        let first = try KubeFixtures.render(path: path)
        let second = try KubeFixtures.render(path: path)
        #expect(first.text == second.text)
        let loaded = try SpecLoader.load(path: path, clusterFeatures: true)
        let later = try KubeRenderer.render(
            loaded, library: TemplateLibrary(loaded.documents), overrides: [], submitterKey: KubeFixtures.key,
            lineageKey: KubeFixtures.key.publicKey, submittedOn: KubeFixtures.submittedOn.addingTimeInterval(1),
            options: KubeRenderOptions())
        #expect(later.facts.workflowName != first.facts.workflowName)
        #expect(later.facts.runID != first.facts.runID)
        #expect(first.facts.workflowName.hasPrefix("ml-pipeline-") && first.facts.workflowName.count == 17)
    }

    @Test("governance moves to an annotation; the submission verifies and covers the submitted document")
    func submission() throws {
        let rendering = try KubeFixtures.render(path: KubeFixtures.root + "/examples/build-push-deploy.yaml")
        #expect(rendering.tree["spec"]?["governance"] == nil)
        let annotations = try #require(rendering.tree["metadata"]?["annotations"])
        let governance = try #require(annotations["sluice.dev/governance"]?.scalarText)
        #expect(Digest.sha256(Array(governance.utf8)) == rendering.facts.governanceDigest)
        let envelope = try Envelope(
            jsonBytes: Array(try #require(annotations["sluice.dev/submission"]?.scalarText).utf8))
        _ = try envelope.verify(trustedKeys: [KubeFixtures.key.publicKey])
        let statement = try Statement(payloadBytes: envelope.payload)
        let attestation = try SubmissionAttestation(statement: statement)
        #expect(attestation.runID == rendering.facts.runID)
        #expect(attestation.workflowName == rendering.facts.workflowName)
        // The annotation holds the submitted document: reading it back gives the digest the submission signs.
        let workflow = try #require(annotations["sluice.dev/workflow"]?.scalarText)
        let reloaded = try SpecLoader.load(text: workflow, file: "annotation")
        #expect(Digest.sha256(Array(workflow.utf8)) == attestation.workflowDigest)
        #expect(reloaded.documents.count == 1)
        #expect(rendering.tree["metadata"]?["name"]?.scalarText == rendering.facts.workflowName)
        #expect(rendering.tree["metadata"]?["generateName"] == nil)
    }

    @Test("-p values are fixed in spec.arguments and covered by the submission")
    func parameters() throws {
        let rendering = try KubeFixtures.render(
            path: KubeFixtures.root + "/examples/ml-pipeline.yaml", overrides: [("accuracy-threshold", "0.99")])
        let parameter = rendering.tree["spec"]?["arguments"]?["parameters"]?.elements.first
        #expect(parameter?["value"]?.scalarText == "0.99")
        #expect(rendering.facts.parameters == ["accuracy-threshold": "0.99"])
        #expect(throws: KubeError.self) {
            try KubeFixtures.render(path: KubeFixtures.root + "/examples/ml-pipeline.yaml", overrides: [("nope", "1")])
        }
    }

    static let mixed = """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {generateName: mixed-}
        spec:
          entrypoint: main
          templates:
            - name: main
              steps:
                - - {name: make, template: make}
                - - {name: wait, template: wait}
                - - name: apply
                    template: apply
                    arguments: {parameters: [{name: text, value: "{{steps.make.outputs.result}}"}]}
            - name: make
              container: {image: busybox, command: [echo, hi]}
            - name: wait
              suspend: {duration: "1"}
            - name: apply
              inputs: {parameters: [{name: text}]}
              resource: {action: create, manifest: "{{inputs.parameters.text}}"}
        """

    @Test("templates Sluice cannot wrap are refused with their positions")
    func unwrappable() throws {
        #expect {
            try KubeFixtures.render(Self.mixed)
        } throws: { error in
            (error as? KubeError)?.description == """
                wf.yaml:17:16: error: template 'wait' is a suspend template: sluice cannot wrap it in a governed pod \
                (pass --allow-ungoverned to render it as is, without lineage)
                wf.yaml:20:17: error: template 'apply' is a resource template: sluice cannot wrap it in a governed pod \
                (pass --allow-ungoverned to render it as is, without lineage)
                """
        }
    }

    @Test("--allow-ungoverned renders them as written and says so; the pod templates are still wrapped")
    func allowUngoverned() throws {
        let rendering = try KubeFixtures.render(Self.mixed, options: KubeRenderOptions(allowUngoverned: true))
        #expect(
            rendering.ungoverned.map(\.warning) == [
                "wf.yaml:17:16: warning: template 'wait' is a suspend template: rendered as is, ungoverned (no envelope, no gate)",
                "wf.yaml:20:17: warning: template 'apply' is a resource template: rendered as is, ungoverned (no envelope, no gate)",
            ])
        let templates = rendering.tree["spec"]?["templates"]?.elements ?? []
        #expect(templates[2]["suspend"]?["duration"]?.scalarText == "1")
        #expect(templates[2]["sidecars"] == nil)
        let command = templates[1]["container"]?["command"]?.elements.compactMap(\.scalarText)
        #expect(command == ["/var/run/sluice/bin/sluice", "wrap", "--", "echo", "hi"])
        #expect(templates[1]["sidecars"]?.elements.first?["name"]?.scalarText == "sluice-signer")
    }

    @Test("a container without a command needs --runtime-profile to say what its image runs")
    func noCommand() throws {
        let text = """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata: {name: bare}
            spec:
              entrypoint: main
              templates:
                - name: main
                  container: {image: "argoproj/argosay:v2", args: [echo, hi]}
            """
        #expect {
            try KubeFixtures.render(text)
        } throws: { error in
            (error as? KubeError)?.description
                == "wf.yaml:8:18: error: template 'main' cannot be wrapped: its container "
                + "gives no command and image 'argoproj/argosay:v2' is not in --runtime-profile: the wrapper must know "
                + "what the image would run (give command:, or map the image's entrypoint/cmd in a profile)"
        }
        var options = KubeRenderOptions()
        options.profile = RuntimeProfileFixture.argosay
        let rendering = try KubeFixtures.render(text, options: options)
        let container = rendering.tree["spec"]?["templates"]?.elements.first?["container"]
        #expect(
            container?["command"]?.elements.compactMap(\.scalarText)
                == ["/var/run/sluice/bin/sluice", "wrap", "--", "argosay", "echo", "hi"])
        #expect(container?["args"] == nil)
    }

    @Test("names starting with sluice- are refused: rendering adds those")
    func reservedNames() throws {
        let text = """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata: {name: reserved}
            spec:
              entrypoint: main
              templates:
                - name: main
                  outputs: {parameters: [{name: sluice-envelope, valueFrom: {path: /tmp/x}}]}
                  container: {image: busybox, command: [true]}
            """
        #expect {
            try KubeFixtures.render(text)
        } throws: { error in
            (error as? KubeError)?.description
                == "wf.yaml:8:37: error: template 'main' uses the name 'sluice-envelope': "
                + "names starting with 'sluice-' are reserved for what rendering adds"
        }
    }
}

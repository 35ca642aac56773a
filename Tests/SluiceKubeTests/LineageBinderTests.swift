import Foundation
import SluiceKube
import Testing

/// Consumers in pods get their producer's envelope whatever the producer's shape: a wrapped pod, or a steps or DAG
/// template that forwards the envelope of the node that produced its output (nested ones too).
@Suite("Lineage bindings through steps and DAG templates")
struct LineageBinderTests {
    static let nested = """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {name: nested}
        spec:
          entrypoint: main
          templates:
            - name: main
              dag:
                tasks:
                  - {name: outer, template: outer}
                  - name: use
                    template: use
                    dependencies: [outer]
                    arguments:
                      parameters: [{name: word, value: "{{tasks.outer.outputs.parameters.word}}"}]
                      artifacts: [{name: data, from: "{{tasks.outer.outputs.artifacts.data}}"}]
            - name: outer
              steps:
                - - {name: inner, template: inner}
              outputs:
                parameters: [{name: word, valueFrom: {parameter: "{{steps.inner.outputs.parameters.word}}"}}]
                artifacts: [{name: data, from: "{{steps.inner.outputs.artifacts.data}}"}]
            - name: inner
              dag:
                tasks:
                  - {name: make, template: make}
                  - {name: many, template: make, withItems: [1, 2]}
              outputs:
                parameters:
                  - {name: word, valueFrom: {parameter: "{{tasks.make.outputs.parameters.word}}"}}
                  - {name: words, valueFrom: {parameter: "{{tasks.many.outputs.parameters.word}}"}}
                artifacts: [{name: data, from: "{{tasks.make.outputs.artifacts.data}}"}]
            - name: make
              container: {image: busybox, command: [sh, -c, "echo hi > /tmp/data; printf hello > /tmp/word"]}
              outputs:
                parameters: [{name: word, valueFrom: {path: /tmp/word}}]
                artifacts: [{name: data, path: /tmp/data}]
            - name: use
              inputs:
                parameters: [{name: word}]
                artifacts: [{name: data, path: /tmp/data}]
              container: {image: busybox, command: [sh, -c, "cat /tmp/data; echo {{inputs.parameters.word}}"]}
        """

    static func template(_ name: String, in rendering: KubeRendering) throws -> RenderedYAML {
        try #require(rendering.tree["spec"]?["templates"]?.elements.first { $0["name"]?.scalarText == name })
    }

    static func named(_ elements: [RenderedYAML]?, _ name: String) -> RenderedYAML? {
        elements?.first { $0["name"]?.scalarText == name }
    }

    @Test("a DAG template forwards the envelope of the task that produced each output; a loop's outputs are not")
    func dagForwards() throws {
        let rendering = try KubeFixtures.render(Self.nested)
        let outputs = try Self.template("inner", in: rendering)["outputs"]
        #expect(
            Self.named(outputs?["artifacts"]?.elements, "sluice-envelope-artifact-data")?["from"]?.scalarText
                == "{{tasks.make.outputs.artifacts.sluice-envelope}}")
        #expect(
            Self.named(outputs?["artifacts"]?.elements, "sluice-envelope-parameter-word")?["from"]?.scalarText
                == "{{tasks.make.outputs.artifacts.sluice-envelope}}")
        #expect(
            Self.named(outputs?["parameters"]?.elements, "sluice-envelope-digest-parameter-word")?["valueFrom"]?[
                "parameter"]?.scalarText == "{{tasks.make.outputs.parameters.sluice-envelope-digest}}")
        #expect(Self.named(outputs?["artifacts"]?.elements, "sluice-envelope-parameter-words") == nil)
    }

    @Test("a steps template forwards what its nested DAG forwards; the consumer's call site binds it")
    func nestedForwards() throws {
        let rendering = try KubeFixtures.render(Self.nested)
        let outer = try Self.template("outer", in: rendering)["outputs"]
        #expect(
            Self.named(outer?["artifacts"]?.elements, "sluice-envelope-artifact-data")?["from"]?.scalarText
                == "{{steps.inner.outputs.artifacts.sluice-envelope-artifact-data}}")
        #expect(
            Self.named(outer?["parameters"]?.elements, "sluice-envelope-digest-parameter-word")?["valueFrom"]?[
                "parameter"]?.scalarText == "{{steps.inner.outputs.parameters.sluice-envelope-digest-parameter-word}}")
        let main = try Self.template("main", in: rendering)
        let use = try #require(Self.named(main["dag"]?["tasks"]?.elements, "use"))
        let arguments = use["arguments"]
        #expect(
            Self.named(arguments?["artifacts"]?.elements, "sluice-lineage-artifact-data")?["from"]?.scalarText
                == "{{tasks.outer.outputs.artifacts.sluice-envelope-artifact-data}}")
        #expect(
            Self.named(arguments?["artifacts"]?.elements, "sluice-lineage-parameter-word")?["from"]?.scalarText
                == "{{tasks.outer.outputs.artifacts.sluice-envelope-parameter-word}}")
        #expect(
            Self.named(arguments?["parameters"]?.elements, "sluice-lineage-digest-artifact-data")?["value"]?.scalarText
                == "{{tasks.outer.outputs.parameters.sluice-envelope-digest-artifact-data}}")
    }

    /// Pins the source of loop items: an argument reading only `{{item}}` of a `withItems` list was recorded as of
    /// unknown source in the pod, where the local gate records a literal (kube diff found them different).
    @Test("an argument that reads only withItems' {{item}} is a literal; one that reads more states no source")
    func itemSource() throws {
        let looped = """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata: {name: looped}
            spec:
              entrypoint: main
              arguments: {parameters: [{name: suffix, value: x}]}
              templates:
                - name: main
                  steps:
                    - - name: many
                        template: echo
                        withItems: [{k: a}, {k: b}]
                        arguments: {parameters: [{name: word, value: "{{item.k}}"}]}
                      - name: mixed
                        template: echo
                        withItems: [a]
                        arguments: {parameters: [{name: word, value: "{{item}}-{{workflow.parameters.suffix}}"}]}
                - name: echo
                  inputs: {parameters: [{name: word}]}
                  container: {image: busybox, command: [echo, "{{inputs.parameters.word}}"]}
            """
        let rendering = try KubeFixtures.render(looped)
        let steps = try Self.template("main", in: rendering)["steps"]?.elements.first?.elements
        let many = Self.named(steps, "many")?["arguments"]?["parameters"]?.elements
        #expect(many?.map { $0["name"]?.scalarText } == ["word"])
        let mixed = Self.named(steps, "mixed")?["arguments"]?["parameters"]?.elements
        #expect(Self.named(mixed, "sluice-source-word")?["value"]?.scalarText == "")
    }
}

import SluiceSpec
import Testing

/// One bad workflow file and every message the loader and validator must print for it, in order.
struct BadSpec: CustomTestStringConvertible, Sendable {
    var label: String
    var yaml: String
    var expected: [String]

    var testDescription: String { label }
}

/// Loads `yaml` as `bad.yaml` and returns the descriptions of every problem: loader errors when loading fails,
/// otherwise the validation errors of every document.
func problems(in yaml: String, file: String = "bad.yaml") -> [String] {
    do {
        let loaded = try SpecLoader.load(text: yaml, file: file)
        return loaded.documents.flatMap { $0.validate() }.map(\.description)
    } catch {
        if case .invalid(let errors) = error { return errors.map(\.description) }
        return [error.description]
    }
}

@Suite("Bad workflow files are reported with exact messages and positions")
struct SpecErrorTableTests {
    static let cases: [BadSpec] = [
        BadSpec(
            label: "unclosed flow sequence",
            yaml: """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata:
                  name: syntax
                spec:
                  entrypoint: main
                  templates:
                  - name: main
                    container:
                      command: [echo, hi
                      image: alpine
                """,
            expected: [
                "bad.yaml:11:12: error: YAML syntax: did not find expected ',' or ']' while parsing a flow sequence (opened at 10:16)"
            ]
        ),
        BadSpec(
            label: "bad indentation",
            yaml: """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata:
                  name: indent
                 spec:
                  entrypoint: main
                """,
            expected: [
                "bad.yaml:5:2: error: YAML syntax: did not find expected key while parsing a block mapping (opened at 1:1)"
            ]
        ),
        BadSpec(
            label: "unknown field in a template",
            yaml: """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata:
                  name: unknown-field
                spec:
                  entrypoint: main
                  templates:
                  - name: main
                    contianer:
                      image: alpine
                """,
            expected: [
                "bad.yaml:9:5: error: unknown field 'contianer' (at spec.templates[0].contianer)"
            ]
        ),
        BadSpec(
            label: "mapping where a list is expected",
            yaml: """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata:
                  name: mistyped
                spec:
                  entrypoint: main
                  templates:
                  - name: main
                    container:
                      image: alpine
                      command:
                        run: echo
                """,
            expected: [
                "bad.yaml:12:9: error: expected a sequence, found mapping (at spec.templates[0].container.command)"
            ]
        ),
        BadSpec(
            label: "template without a name",
            yaml: """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata:
                  name: nameless
                spec:
                  entrypoint: main
                  templates:
                  - container:
                      image: alpine
                """,
            expected: [
                "bad.yaml:8:5: error: missing required field 'name' (at spec.templates[0])"
            ]
        ),
        BadSpec(
            label: "missing entrypoint",
            yaml: """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata:
                  name: no-entry
                spec:
                  templates:
                  - name: main
                    container: {image: alpine}
                """,
            expected: [
                "bad.yaml:5:1: error: spec.entrypoint is missing: name the template the workflow starts with"
            ]
        ),
        BadSpec(
            label: "entrypoint naming an unknown template",
            yaml: """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata:
                  name: bad-entry
                spec:
                  entrypoint: mian
                  templates:
                  - name: main
                    container: {image: alpine}
                """,
            expected: [
                "bad.yaml:6:15: error: unknown template 'mian' (at spec.entrypoint)"
            ]
        ),
        BadSpec(
            label: "step calling an unknown template",
            yaml: """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata:
                  name: bad-step
                spec:
                  entrypoint: main
                  templates:
                  - name: main
                    steps:
                    - - name: hello
                        template: ecko
                  - name: echo
                    container: {image: alpine}
                """,
            expected: [
                "bad.yaml:11:19: error: unknown template 'ecko' (at spec.templates[0].steps[0][0].template)"
            ]
        ),
        BadSpec(
            label: "duplicate template names",
            yaml: """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata:
                  name: dup-template
                spec:
                  entrypoint: main
                  templates:
                  - name: main
                    container: {image: alpine}
                  - name: main
                    script: {image: alpine, source: echo}
                """,
            expected: [
                "bad.yaml:10:11: error: duplicate template name 'main', first defined at 8:11 (at spec.templates[1].name)"
            ]
        ),
        BadSpec(
            label: "duplicate task names",
            yaml: """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata:
                  name: dup-task
                spec:
                  entrypoint: main
                  templates:
                  - name: main
                    dag:
                      tasks:
                      - {name: build, template: work}
                      - {name: build, template: work}
                  - name: work
                    container: {image: alpine}
                """,
            expected: [
                "bad.yaml:12:16: error: duplicate task name 'build', first defined at 11:16 (at spec.templates[0].dag.tasks[1].name)"
            ]
        ),
        BadSpec(
            label: "unknown task in dependencies",
            yaml: """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata:
                  name: bad-dependencies
                spec:
                  entrypoint: main
                  templates:
                  - name: main
                    dag:
                      tasks:
                      - {name: build, template: work}
                      - {name: test, template: work, dependencies: [build, biuld]}
                  - name: work
                    container: {image: alpine}
                """,
            expected: [
                "bad.yaml:12:60: error: task 'test' depends on unknown task 'biuld' (at spec.templates[0].dag.tasks[1].dependencies[1])"
            ]
        ),
        BadSpec(
            label: "unknown task in depends",
            yaml: """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata:
                  name: bad-depends
                spec:
                  entrypoint: main
                  templates:
                  - name: main
                    dag:
                      tasks:
                      - {name: build, template: work}
                      - {name: test, template: work, depends: "build.Succeeded && lint"}
                  - name: work
                    container: {image: alpine}
                """,
            expected: [
                "bad.yaml:12:47: error: task 'test' depends on unknown task 'lint' (at spec.templates[0].dag.tasks[1].depends)"
            ]
        ),
        BadSpec(
            label: "three-task dependency cycle",
            yaml: """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata:
                  name: cycle
                spec:
                  entrypoint: main
                  templates:
                  - name: main
                    dag:
                      tasks:
                      - {name: build, template: work, dependencies: [package]}
                      - {name: test, template: work, dependencies: [build]}
                      - {name: package, template: work, depends: test}
                  - name: work
                    container: {image: alpine}
                """,
            expected: [
                "bad.yaml:11:9: error: dependency cycle: build -> test -> package -> build (at spec.templates[0].dag.tasks[0])"
            ]
        ),
        BadSpec(
            label: "undeclared input parameter",
            yaml: """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata:
                  name: bad-input
                spec:
                  entrypoint: main
                  templates:
                  - name: main
                    inputs:
                      parameters: [{name: message, value: hi}]
                    container:
                      image: alpine
                      args: ["{{inputs.parameters.mesage}}"]
                """,
            expected: [
                "bad.yaml:13:14: error: reference to undeclared '{{inputs.parameters.mesage}}': template 'main' declares no input parameter 'mesage' (at spec.templates[0].container.args[0])"
            ]
        ),
        BadSpec(
            label: "undeclared workflow parameter",
            yaml: """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata:
                  name: bad-workflow-parameter
                spec:
                  entrypoint: main
                  arguments:
                    parameters: [{name: threshold, value: "0.9"}]
                  templates:
                  - name: main
                    container:
                      image: alpine
                      args: ["--limit", "{{workflow.parameters.treshold}}"]
                """,
            expected: [
                "bad.yaml:13:25: error: reference to undeclared '{{workflow.parameters.treshold}}': the workflow declares no argument 'treshold' in spec.arguments.parameters (at spec.templates[0].container.args[1])"
            ]
        ),
        BadSpec(
            label: "reference to an unknown task",
            yaml: """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata:
                  name: bad-task-ref
                spec:
                  entrypoint: main
                  templates:
                  - name: main
                    dag:
                      tasks:
                      - {name: build, template: work}
                      - name: test
                        template: work
                        when: "{{tasks.biuld.status}} == Succeeded"
                  - name: work
                    container: {image: alpine}
                """,
            expected: [
                "bad.yaml:14:15: error: reference to undeclared '{{tasks.biuld.status}}': template 'main' has no task 'biuld' (at spec.templates[0].dag.tasks[1].when)"
            ]
        ),
        BadSpec(
            label: "required input parameter not supplied",
            yaml: """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata:
                  name: missing-argument
                spec:
                  entrypoint: main
                  templates:
                  - name: main
                    dag:
                      tasks:
                      - name: greet
                        template: echo
                  - name: echo
                    inputs:
                      parameters: [{name: message}]
                    container: {image: alpine, args: ["{{inputs.parameters.message}}"]}
                """,
            expected: [
                "bad.yaml:11:9: error: task 'greet' calls template 'echo' without its input parameter 'message' (it has no default) (at spec.templates[0].dag.tasks[0])"
            ]
        ),
        BadSpec(
            label: "resource template",
            yaml: """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata:
                  name: resource
                spec:
                  entrypoint: main
                  templates:
                  - name: main
                    resource:
                      action: create
                      manifest: "kind: ConfigMap"
                """,
            expected: [
                "bad.yaml:9:5: error: 'resource' is not supported: resource templates create Kubernetes objects (at spec.templates[0].resource)"
            ]
        ),
        BadSpec(
            label: "several field problems, all reported in document order",
            yaml: """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata:
                  name: many-fields
                spec:
                  entrypoint: main
                  parallelism: lots
                  templates:
                  - name: main
                    container:
                      image: alpine
                      command: echo
                      imagePolicy: Always
                  - script: {image: alpine}
                """,
            expected: [
                "bad.yaml:7:16: error: expected an integer, found scalar 'lots' (at spec.parallelism)",
                "bad.yaml:12:16: error: expected a sequence, found scalar 'echo' (at spec.templates[0].container.command)",
                "bad.yaml:13:7: error: unknown field 'imagePolicy' (at spec.templates[0].container.imagePolicy)",
                "bad.yaml:14:5: error: missing required field 'name' (at spec.templates[1])",
            ]
        ),
        BadSpec(
            label: "several semantic problems, all reported in check order",
            yaml: """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata:
                  name: many-problems
                spec:
                  entrypoint: start
                  templates:
                  - name: main
                    dag:
                      tasks:
                      - {name: a, template: work, dependencies: [z]}
                      - {name: b, template: wrok}
                  - name: work
                    container: {image: alpine, args: ["{{inputs.parameters.p}}"]}
                  - name: work
                    suspend: {}
                """,
            expected: [
                "bad.yaml:6:15: error: unknown template 'start' (at spec.entrypoint)",
                "bad.yaml:11:50: error: task 'a' depends on unknown task 'z' (at spec.templates[0].dag.tasks[0].dependencies[0])",
                "bad.yaml:12:29: error: unknown template 'wrok' (at spec.templates[0].dag.tasks[1].template)",
                "bad.yaml:14:39: error: reference to undeclared '{{inputs.parameters.p}}': template 'work' declares no input parameter 'p' (at spec.templates[1].container.args[0])",
                "bad.yaml:15:11: error: duplicate template name 'work', first defined at 13:11 (at spec.templates[2].name)",
            ]
        ),
        BadSpec(
            label: "a Kubernetes kind that is not a workflow",
            yaml: """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: settings
                spec: {}
                """,
            expected: [
                "bad.yaml:2:7: error: unsupported kind 'ConfigMap': expected Workflow, WorkflowTemplate or ClusterWorkflowTemplate"
            ]
        ),
        BadSpec(
            label: "an apiVersion that is not Argo's",
            yaml: """
                apiVersion: argoproj.io/v1beta1
                kind: Workflow
                metadata:
                  name: wrong-version
                spec:
                  entrypoint: main
                  templates:
                    - name: main
                      container: {image: busybox}
                """,
            expected: [
                "bad.yaml:1:13: error: apiVersion 'argoproj.io/v1beta1' is not Argo's: write 'argoproj.io/v1alpha1' (at apiVersion)"
            ]
        ),
        BadSpec(
            label: "an empty file",
            yaml: "# nothing here\n",
            expected: [
                "error: 'bad.yaml' holds no Workflow or WorkflowTemplate document"
            ]
        ),
        BadSpec(
            label: "a two-task cycle through depends",
            yaml: """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata:
                  name: two-cycle
                spec:
                  entrypoint: main
                  templates:
                  - name: main
                    dag:
                      tasks:
                      - {name: lint, template: work}
                      - {name: build, template: work, depends: "lint && test.Succeeded"}
                      - {name: test, template: work, depends: build}
                  - name: work
                    container: {image: alpine}
                """,
            expected: [
                "bad.yaml:12:9: error: dependency cycle: build -> test -> build (at spec.templates[0].dag.tasks[1])"
            ]
        ),
        BadSpec(
            label: "unknown runtimes in sluice.dev/runtime annotations",
            yaml: """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata:
                  name: runtimes
                  annotations: {sluice.dev/runtime: kubernetes}
                spec:
                  entrypoint: main
                  podMetadata:
                    annotations: {sluice.dev/runtime: Podman}
                  templates:
                  - name: main
                    metadata:
                      annotations:
                        sluice.dev/runtime: containerd
                    container: {image: alpine}
                """,
            expected: [
                "bad.yaml:5:37: error: unknown runtime 'kubernetes' in annotation sluice.dev/runtime: use process, "
                    + "podman, docker (at metadata.annotations.sluice.dev/runtime)",
                "bad.yaml:9:39: error: unknown runtime 'Podman' in annotation sluice.dev/runtime: use process, "
                    + "podman, docker (at spec.podMetadata.annotations.sluice.dev/runtime)",
                "bad.yaml:14:29: error: unknown runtime 'containerd' in annotation sluice.dev/runtime: use process, "
                    + "podman, docker (at spec.templates[0].metadata.annotations.sluice.dev/runtime)",
            ]
        ),
        BadSpec(
            label: "container fields that need Kubernetes are refused",
            yaml: """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata:
                  name: refused
                spec:
                  entrypoint: main
                  templates:
                  - name: main
                    initContainers:
                    - {name: init, image: alpine, envFrom: [{secretRef: {name: s}}]}
                    container:
                      image: alpine
                      env:
                      - name: TOKEN
                        valueFrom: {secretKeyRef: {name: s, key: k}}
                      volumeDevices: [{name: disk, devicePath: /dev/xvda}]
                """,
            expected: [
                "bad.yaml:10:35: error: 'envFrom' is not supported: it reads Kubernetes ConfigMaps or Secrets (at spec.templates[0].initContainers[0].envFrom)",
                "bad.yaml:15:9: error: 'valueFrom' is not supported: it reads Kubernetes Secrets, ConfigMaps or pod "
                    + "fields; give 'value' (at spec.templates[0].container.env[0].valueFrom)",
                "bad.yaml:16:7: error: 'volumeDevices' is not supported: raw block devices come from Kubernetes "
                    + "PersistentVolumeClaims (at spec.templates[0].container.volumeDevices)",
            ]
        ),
    ]

    @Test("each bad file yields exactly the expected messages", arguments: cases)
    func reportsExactMessages(_ spec: BadSpec) {
        let found = problems(in: spec.yaml)
        #expect(found == spec.expected)
    }
}

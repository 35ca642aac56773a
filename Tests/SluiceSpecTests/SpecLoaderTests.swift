import Foundation
import SluiceSpec
import Testing

/// The path of a file in this target's `Fixtures` folder.
func fixturePath(_ name: String) throws -> String {
    let url = try #require(
        Bundle.module.url(forResource: name, withExtension: "yaml", subdirectory: "Fixtures"),
        "fixture \(name).yaml is missing from the test bundle"
    )
    return url.path
}

@Suite("SpecLoader reads valid Argo files into the typed model")
struct SpecLoaderTests {
    @Test("a file with a WorkflowTemplate and a Workflow loads both documents, in order")
    func loadsMultiDocumentFile() throws {
        let path = try fixturePath("template-and-workflow")
        let loaded = try SpecLoader.load(path: path)

        #expect(loaded.file == path)
        #expect(loaded.notes.isEmpty)
        try #require(loaded.documents.count == 2)
        let template = loaded.documents[0].workflow
        let workflow = loaded.documents[1].workflow
        #expect(template.kind == "WorkflowTemplate")
        #expect(template.metadata.name == "greetings")
        #expect(template.spec.entrypoint == nil)
        #expect(template.spec.templates.map(\.name) == ["hello"])
        #expect(template.spec.templates[0].kind == .container)
        #expect(template.spec.templates[0].container?.command == ["echo", "hello {{inputs.parameters.who}}"])
        #expect(template.spec.templates[0].inputs?.parameters?[0].default == ArgoString("world"))

        #expect(workflow.kind == "Workflow")
        #expect(workflow.spec.entrypoint == "main")
        let step = try #require(workflow.spec.templates.first?.steps?.first?.first)
        #expect(step.name == "greet")
        #expect(step.template == nil)
        #expect(step.templateRef?.name == "greetings")
        #expect(step.templateRef?.template == "hello")

        #expect(loaded.documents.flatMap { $0.validate() }.map(\.description) == [])
    }

    @Test("generateName is kept and name stays empty")
    func keepsGenerateName() throws {
        let loaded = try SpecLoader.load(path: try fixturePath("template-and-workflow"))
        let metadata = try #require(loaded.documents.last).workflow.metadata
        #expect(metadata.generateName == "greet-")
        #expect(metadata.name == nil)
    }

    @Test("parameter values written as YAML numbers load as their exact text")
    func numbersStayText() throws {
        let loaded = try SpecLoader.load(path: try fixturePath("template-and-workflow"))
        let parameters = try #require(loaded.documents.last?.workflow.spec.arguments?.parameters)
        #expect(parameters.map(\.name) == ["threshold", "retries", "version"])
        #expect(parameters.map { $0.value?.value } == ["0.9", "3", "1.10"])
    }

    @Test("Kubernetes-only fields give one note each, at the field's key, and no error")
    func kubernetesFieldsAreNotes() throws {
        let loaded = try SpecLoader.load(
            text: try String(
                contentsOfFile: try fixturePath("kubernetes-fields"),
                encoding: .utf8),
            file: "k8s.yaml")
        #expect(
            loaded.notes.map(\.description) == [
                "k8s.yaml:7:3: note: 'podGC' only tunes Kubernetes objects; Sluice accepts and ignores it (at spec.podGC)",
                "k8s.yaml:9:3: note: 'nodeSelector' only tunes Kubernetes objects; Sluice accepts and ignores it "
                    + "(at spec.nodeSelector)",
                "k8s.yaml:13:5: note: 'nodeSelector' only tunes Kubernetes objects; Sluice accepts and ignores it "
                    + "(at spec.templates[0].nodeSelector)",
                "k8s.yaml:19:9: note: 'requests' only tunes Kubernetes objects; Sluice accepts and ignores it "
                    + "(at spec.templates[0].container.resources.requests)",
            ])
        try #require(loaded.documents.count == 1)
        #expect(loaded.documents[0].validate().isEmpty)
        #expect(loaded.documents[0].workflow.metadata.generateName == "k8s-")
    }

    @Test("container fields that Sluice ignores give one warning each, at the field's key, and no error")
    func ignoredContainerFieldsAreWarnings() throws {
        let yaml = """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata: {name: ignored}
            spec:
              entrypoint: main
              templates:
              - name: main
                metadata:
                  annotations: {sluice.dev/runtime: podman}
                  labels: {team: a}
                container:
                  image: alpine
                  ports: [{containerPort: 80}]
                  livenessProbe: {exec: {command: ["true"]}}
                  resources:
                    limits: {cpu: 500m, memory: 64Mi, nvidia.com/gpu: 1}
                  securityContext: {runAsUser: 1000, privileged: true}
                sidecars:
                - name: cache
                  image: alpine
                  restartPolicy: Always
                  mirrorVolumeMounts: true
            """
        let loaded = try SpecLoader.load(text: yaml, file: "w.yaml")
        #expect(
            loaded.notes.map(\.description) == [
                "w.yaml:10:7: note: 'labels' only tunes Kubernetes objects; Sluice accepts and ignores it "
                    + "(at spec.templates[0].metadata.labels)",
                "w.yaml:13:7: warning: 'ports' is ignored: nothing is published on the host; a pod's containers "
                    + "reach each other on localhost (at spec.templates[0].container.ports)",
                "w.yaml:14:7: warning: 'livenessProbe' is ignored: probes are not run; a client of a sidecar must "
                    + "retry until it answers (at spec.templates[0].container.livenessProbe)",
                "w.yaml:16:43: warning: 'nvidia.com/gpu' is ignored: only the cpu and memory limits are applied (by "
                    + "podman and docker) (at spec.templates[0].container.resources.limits.nvidia.com/gpu)",
                "w.yaml:17:42: warning: 'privileged' is ignored: only runAsUser, runAsGroup and runAsNonRoot are "
                    + "applied (by podman and docker) (at spec.templates[0].container.securityContext.privileged)",
                "w.yaml:21:7: warning: 'restartPolicy' is ignored: a sidecar is started once and stopped when the "
                    + "main container ends (at spec.templates[0].sidecars[0].restartPolicy)",
            ])
        try #require(loaded.documents.count == 1)
        #expect(loaded.documents[0].validate().isEmpty)
        #expect(loaded.documents[0].workflow.spec.templates[0].metadata?.annotations?["sluice.dev/runtime"] == "podman")
    }

    @Test("a file with several semantic problems lists all of them, in order")
    func fixtureWithManyProblems() throws {
        let path = try fixturePath("many-problems")
        let loaded = try SpecLoader.load(path: path)
        let problems = loaded.documents.flatMap { $0.validate() }
        #expect(
            problems.map(\.description) == [
                "\(path):6:15: error: unknown template 'start' (at spec.entrypoint)",
                "\(path):11:50: error: task 'a' depends on unknown task 'z' (at spec.templates[0].dag.tasks[0].dependencies[0])",
                "\(path):12:29: error: unknown template 'wrok' (at spec.templates[0].dag.tasks[1].template)",
                "\(path):14:39: error: reference to undeclared '{{inputs.parameters.p}}': template 'work' declares no input "
                    + "parameter 'p' (at spec.templates[1].container.args[0])",
                "\(path):15:11: error: duplicate template name 'work', first defined at 13:11 (at spec.templates[2].name)",
            ])
        // The aggregate error prints one located line per problem.
        #expect(
            SpecError.invalid(errors: problems).description
                == problems.map(\.description).joined(separator: "\n"))
    }

    @Test("a YAML alias is replaced by its anchor's value")
    func aliasResolves() throws {
        let loaded = try SpecLoader.load(
            text: """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata:
                  name: &name alias
                spec:
                  entrypoint: *name
                  templates:
                  - name: alias
                    container: {image: alpine}
                """, file: "alias.yaml")
        let document = try #require(loaded.documents.first)
        #expect(document.workflow.spec.entrypoint == "alias")
        #expect(document.validate().isEmpty)
    }

    @Test("a Workflow that only references a WorkflowTemplate needs no entrypoint or templates")
    func templateReferences() throws {
        let loaded = try SpecLoader.load(
            text: """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata: {generateName: from-template-}
                spec:
                  workflowTemplateRef: {name: greetings}
                  arguments:
                    parameters: [{name: who, value: "{{workflow.name}}"}]
                """, file: "ref.yaml")
        let document = try #require(loaded.documents.first)
        #expect(document.workflow.spec.workflowTemplateRef?.name == "greetings")
        #expect(document.workflow.spec.templates.isEmpty)
        #expect(document.validate().isEmpty)
    }

    @Test("a missing file is reported by path")
    func missingFile() {
        let path = "/nonexistent/sluice-spec-tests/workflow.yaml"
        #expect(throws: SpecError.unreadableFile(path: path, reason: "no such file")) {
            try SpecLoader.load(path: path)
        }
        #expect(
            SpecError.unreadableFile(path: path, reason: "no such file").description
                == "error: cannot read '/nonexistent/sluice-spec-tests/workflow.yaml': no such file")
    }

    @Test("the tree keeps each value's position and text")
    func treeKeepsPositions() throws {
        let loaded = try SpecLoader.load(
            text: """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata: {name: positions}
                spec:
                  entrypoint: main
                  templates:
                  - name: main
                    container: {image: "alpine:3.20"}
                """, file: "p.yaml")
        let tree = try #require(loaded.documents.first).tree
        let image = try #require(tree.value(at: "spec.templates[0].container.image"))
        #expect(image.scalarText == "alpine:3.20")
        #expect(image.location == SourceLocation(file: "p.yaml", line: 8, column: 24))
        // A path that runs past the document falls back to its nearest present ancestor.
        #expect(
            tree.location(of: "spec.templates[0].container.command[2]")
                == SourceLocation(file: "p.yaml", line: 8, column: 16))
        #expect(
            tree.location(of: "spec.entrypoint", preferKey: true)
                == SourceLocation(file: "p.yaml", line: 5, column: 3))
    }
}

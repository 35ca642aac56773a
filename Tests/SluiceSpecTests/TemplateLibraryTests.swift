import Foundation
import SluiceSpec
import SluiceTesting
import Testing

/// A WorkflowTemplate whose steps template calls its own `print` template, and a ClusterWorkflowTemplate.
private let libraryYAML = """
    apiVersion: argoproj.io/v1alpha1
    kind: WorkflowTemplate
    metadata:
      name: shared
    spec:
      entrypoint: print
      templates:
      - name: print
        inputs:
          parameters:
          - name: message
        container:
          image: alpine
          command: [echo, "{{inputs.parameters.message}}"]
      - name: twice
        steps:
        - - name: first
            template: print
            arguments:
              parameters: [{name: message, value: one}]
        - - name: second
            inline:
              steps:
              - - name: nested
                  template: print
                  arguments:
                    parameters: [{name: message, value: two}]
    ---
    apiVersion: argoproj.io/v1alpha1
    kind: ClusterWorkflowTemplate
    metadata:
      name: shared
    spec:
      templates:
      - name: cluster-only
        container:
          image: alpine
          command: [echo, cluster]
    """

/// Loads `yaml` as a library named `file`.
private func load(_ yaml: String, file: String = "library.yaml") throws -> TemplateLibrary {
    TemplateLibrary(try SpecLoader.load(text: yaml, file: file).documents)
}

/// A `templateRef` decoded from YAML, as a step would hold it.
private func reference(_ yaml: String) throws -> TemplateReference {
    let document = """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {name: r}
        spec:
          entrypoint: main
          templates:
          - name: main
            steps:
            - - name: s
                templateRef: \(yaml)
        """
    let loaded = try SpecLoader.load(text: document, file: "ref.yaml")
    let step = try #require(loaded.documents.first?.workflow.spec.templates.first?.steps?.first?.first)
    return try #require(step.templateRef)
}

@Suite("TemplateLibrary: lookups, nested calls and loading")
struct TemplateLibraryTests {
    @Test("clusterScope chooses between a WorkflowTemplate and a ClusterWorkflowTemplate of the same name")
    func clusterScope() throws {
        let library = try load(libraryYAML)
        #expect(library.document(named: "shared", clusterScope: false)?.workflow.kind == "WorkflowTemplate")
        #expect(library.document(named: "shared", clusterScope: true)?.workflow.kind == "ClusterWorkflowTemplate")
        #expect(library.template(for: try reference("{name: shared, template: cluster-only}")) == nil)
        #expect(
            library.template(for: try reference("{name: shared, template: cluster-only, clusterScope: true}"))?
                .name == "cluster-only")
        #expect(library.document(named: "other", clusterScope: false) == nil)
    }

    @Test("Workflow documents are not templates, and the first document of a kind and name wins")
    func precedence() throws {
        var library = try load(libraryYAML, file: "first.yaml")
        library.add(try SpecLoader.load(text: otherYAML, file: "second.yaml").documents)
        #expect(library.documents.map(\.file) == ["first.yaml", "first.yaml", "second.yaml", "second.yaml"])
        #expect(library.document(named: "shared", clusterScope: false)?.file == "first.yaml")
        #expect(library.document(named: "extra", clusterScope: false)?.file == "second.yaml")
    }

    @Test("a referenced template's own template: calls become templateRefs into its document, inline ones too")
    func nestedCallsStayInTheirDocument() throws {
        let library = try load(libraryYAML)
        let twice = try #require(library.template(for: try reference("{name: shared, template: twice}")))
        let first = try #require(twice.steps?[0][0])
        #expect(first.template == nil)
        #expect(first.templateRef?.name == "shared")
        #expect(first.templateRef?.template == "print")
        #expect(first.templateRef?.clusterScope == nil)
        let nested = try #require(twice.steps?[1][0].inline?.steps?[0][0])
        #expect(nested.template == nil)
        #expect(nested.templateRef?.name == "shared")
        #expect(nested.templateRef?.template == "print")
        // A reference without `template` names the document's entrypoint.
        #expect(library.template(for: try reference("{name: shared}"))?.name == "print")
    }

    @Test("a directory is searched recursively for .yaml and .yml files; a missing path is an error")
    func loadsDirectories() throws {
        let directory = try StoreSupport.makeTemporaryDirectory(prefix: "sluice-templates")
        defer { StoreSupport.removeStateDirectory(directory) }
        try FileManager.default.createDirectory(atPath: directory + "/nested", withIntermediateDirectories: true)
        try Data(libraryYAML.utf8).write(to: URL(fileURLWithPath: directory + "/a.yaml"))
        try Data(otherYAML.utf8).write(to: URL(fileURLWithPath: directory + "/nested/b.yml"))
        try Data("not: yaml of ours".utf8).write(to: URL(fileURLWithPath: directory + "/notes.txt"))

        let loaded = try TemplateLibrary.load(paths: [directory])
        #expect(loaded.documents.map { $0.workflow.metadata.name ?? "" } == ["shared", "shared", "shared", "extra"])
        #expect(throws: SpecError.unreadableFile(path: directory + "/absent", reason: "no such file or directory")) {
            try TemplateLibrary.load(paths: [directory + "/absent"])
        }
    }

    @Test("a document's YAML text loads back to the same templates")
    func yamlTextRoundTrips() throws {
        let document = try #require(try load(libraryYAML).documents.first)
        let again = try #require(try SpecLoader.load(text: document.yamlText, file: "again.yaml").documents.first)
        #expect(again.workflow.metadata.name == "shared")
        #expect(again.workflow.spec.entrypoint == "print")
        #expect(again.workflow.spec.templates.map(\.name) == ["print", "twice"])
        #expect(again.workflow.spec.templates[0].container?.command == ["echo", "{{inputs.parameters.message}}"])
    }
}

private let otherYAML = """
    apiVersion: argoproj.io/v1alpha1
    kind: WorkflowTemplate
    metadata:
      name: shared
    spec:
      templates:
      - name: print
        container: {image: alpine, command: [echo, shadowed]}
    ---
    apiVersion: argoproj.io/v1alpha1
    kind: WorkflowTemplate
    metadata:
      name: extra
    spec:
      templates:
      - name: hello
        container: {image: alpine, command: [echo, hello]}
    ---
    apiVersion: argoproj.io/v1alpha1
    kind: Workflow
    metadata:
      name: not-a-template
    spec:
      entrypoint: main
      templates:
      - name: main
        container: {image: alpine, command: [echo]}
    """

@Suite("workflowTemplateRef joins and templateDefaults")
struct WorkflowJoinTests {
    static let submittable = """
        apiVersion: argoproj.io/v1alpha1
        kind: WorkflowTemplate
        metadata:
          name: submittable
        spec:
          entrypoint: greet
          onExit: bye
          arguments:
            parameters:
            - {name: message, value: from-template}
            - {name: level, value: info}
          templates:
          - name: greet
            inputs: {parameters: [{name: message}]}
            container: {image: alpine, command: [echo, "{{inputs.parameters.message}}"]}
          - name: shout
            container: {image: alpine, command: [echo, LOUD]}
          - name: bye
            container: {image: alpine, command: [echo, bye]}
        """

    @Test("the Workflow's entrypoint and arguments win; arguments and templates merge by name")
    func joinsLikeArgo() throws {
        let workflow = """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata: {generateName: joined-}
            spec:
              entrypoint: shout
              arguments:
                parameters:
                - {name: message, value: from-workflow}
              workflowTemplateRef: {name: submittable}
              templates:
              - name: shout
                container: {image: alpine, command: [echo, quiet]}
            """
        let library = try load(Self.submittable)
        let submitted = try #require(try SpecLoader.load(text: workflow, file: "wf.yaml").documents.first)
        let joined = try submitted.resolvingWorkflowTemplateRef(in: library)
        let spec = joined.workflow.spec
        #expect(joined.workflow.kind == "Workflow")
        #expect(joined.workflow.metadata.generateName == "joined-")
        #expect(spec.workflowTemplateRef == nil)
        #expect(spec.entrypoint == "shout")
        #expect(spec.onExit == "bye")
        #expect(
            spec.arguments?.parameters?.map { "\($0.name)=\($0.value?.value ?? "")" }
                == ["message=from-workflow", "level=info"])
        #expect(spec.templates.map(\.name) == ["greet", "shout", "bye"])
        #expect(spec.template(named: "shout")?.container?.command == ["echo", "quiet"])
        #expect(joined.validate(templates: library).isEmpty)
        // Positions stay with the file that wrote the value.
        #expect(joined.tree.location(of: "spec.templates[0].name").file == "library.yaml")
        #expect(joined.tree.location(of: "spec.templates[1].name").file == "wf.yaml")
    }

    @Test("an unknown workflowTemplateRef is an error at its name, with the fix")
    func unknownWorkflowTemplate() throws {
        let workflow = """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata: {generateName: joined-}
            spec:
              workflowTemplateRef:
                name: submitable
            """
        let submitted = try #require(try SpecLoader.load(text: workflow, file: "wf.yaml").documents.first)
        let expected =
            "wf.yaml:6:11: error: workflowTemplateRef names WorkflowTemplate 'submitable', which is not "
            + "known: give its file with --templates or register it with 'sluice template create' "
            + "(at spec.workflowTemplateRef.name)"
        #expect(submitted.validate(templates: try load(Self.submittable)).map(\.description) == [expected])
        let known = try load(Self.submittable)
        let error = #expect(throws: SpecError.self) { try submitted.resolvingWorkflowTemplateRef(in: known) }
        #expect(error?.description == expected)
    }

    @Test("templateDefaults fill what a template leaves unset, merge env by name, and keep each template's kind")
    func templateDefaults() throws {
        let workflow = """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata: {name: defaults}
            spec:
              entrypoint: main
              templateDefaults:
                timeout: 30s
                activeDeadlineSeconds: 60
                container:
                  env:
                  - {name: GREETING, value: hello}
                  - {name: TARGET, value: world}
              templates:
              - name: main
                steps:
                - - {name: a, template: pod}
              - name: pod
                activeDeadlineSeconds: 5
                container:
                  image: alpine
                  command: [sh, -c, 'echo "$GREETING $TARGET"']
                  env:
                  - {name: TARGET, value: sluice}
            """
        let submitted = try #require(try SpecLoader.load(text: workflow, file: "wf.yaml").documents.first)
        let document = try submitted.resolvingWorkflowTemplateRef(in: TemplateLibrary())
        let main = try #require(document.workflow.spec.template(named: "main"))
        let pod = try #require(document.workflow.spec.template(named: "pod"))
        #expect(main.timeout?.value == "30s")
        #expect(main.container == nil)
        #expect(main.kind == .steps)
        #expect(pod.timeout?.value == "30s")
        #expect(pod.activeDeadlineSeconds?.value == "5")
        #expect(pod.container?.env?.map { "\($0.name)=\($0.value ?? "")" } == ["GREETING=hello", "TARGET=sluice"])
        #expect(pod.container?.command == ["sh", "-c", "echo \"$GREETING $TARGET\""])
        #expect(document.validate().isEmpty)
    }
}

@Suite("Validation of templateRefs when the referenced documents are known")
struct TemplateRefValidationTests {
    static func workflow(_ reference: String, arguments: String = "[{name: message, value: hi}]") -> String {
        """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {name: refs}
        spec:
          entrypoint: main
          templates:
          - name: main
            steps:
            - - name: call
                templateRef: \(reference)
                arguments:
                  parameters: \(arguments)
        """
    }

    static func problems(_ yaml: String, library known: TemplateLibrary?) throws -> [String] {
        let document = try #require(try SpecLoader.load(text: yaml, file: "refs.yaml").documents.first)
        return document.validate(templates: known).map(\.description)
    }

    @Test("a known document and template pass; nothing is checked when no documents are known")
    func knownPasses() throws {
        let known = try load(libraryYAML)
        #expect(try Self.problems(Self.workflow("{name: shared, template: print}"), library: known).isEmpty)
        #expect(try Self.problems(Self.workflow("{name: nowhere, template: print}"), library: nil).isEmpty)
    }

    @Test("an unknown document, an unknown template, a wrong scope and a missing argument are located errors")
    func unknownReferences() throws {
        let known = try load(libraryYAML)
        #expect(
            try Self.problems(Self.workflow("{name: nowhere, template: print}"), library: known) == [
                "refs.yaml:10:29: error: templateRef names WorkflowTemplate 'nowhere', which is not known: give its file "
                    + "with --templates or register it with 'sluice template create' "
                    + "(at spec.templates[0].steps[0][0].templateRef.name)"
            ])
        #expect(
            try Self.problems(Self.workflow("{name: shared, template: prnt}"), library: known) == [
                "refs.yaml:10:47: error: WorkflowTemplate 'shared' has no template 'prnt' "
                    + "(at spec.templates[0].steps[0][0].templateRef.template)"
            ])
        #expect(
            try Self.problems(Self.workflow("{name: shared, template: print, clusterScope: true}"), library: known)
                == [
                    "refs.yaml:10:47: error: ClusterWorkflowTemplate 'shared' has no template 'print' "
                        + "(at spec.templates[0].steps[0][0].templateRef.template)"
                ])
        #expect(
            try Self.problems(Self.workflow("{name: shared, template: print}", arguments: "[]"), library: known)
                == [
                    "refs.yaml:9:9: error: step 'call' calls template 'shared/print' without its input parameter "
                        + "'message' (it has no default) (at spec.templates[0].steps[0][0])"
                ])
    }

    @Test("a reference to a WorkflowTemplate that exists only cluster-scoped says to set clusterScope")
    func scopeHint() throws {
        let known = try load(libraryYAML)
        #expect(try Self.problems(Self.workflow("{name: extra, template: hello}"), library: known).count == 1)
        let clusterOnly = """
            apiVersion: argoproj.io/v1alpha1
            kind: ClusterWorkflowTemplate
            metadata: {name: lib}
            spec:
              templates:
              - name: print
                container: {image: alpine, command: [echo]}
            """
        #expect(
            try Self.problems(
                Self.workflow("{name: lib, template: print}", arguments: "[]"),
                library: try load(clusterOnly)) == [
                    "refs.yaml:10:29: error: templateRef names WorkflowTemplate 'lib', which is not known: give its file "
                        + "with --templates or register it with 'sluice template create' (a ClusterWorkflowTemplate 'lib' "
                        + "exists: set 'clusterScope: true') (at spec.templates[0].steps[0][0].templateRef.name)"
                ])
    }
}

import Foundation
import SluiceEngine
import SluiceSpec
import SluiceStore
import Testing

/// WorkflowTemplates: a print template, a steps template calling its own print template and another document's,
/// and a submittable one with arguments.
private let templatesYAML = """
    apiVersion: argoproj.io/v1alpha1
    kind: WorkflowTemplate
    metadata:
      name: printer
    spec:
      templates:
      - name: print
        inputs:
          parameters:
          - name: message
        outputs:
          parameters:
          - name: said
            valueFrom: {path: /tmp/said.txt}
        container:
          image: alpine
          command: [sh, -c, 'echo "printer:{{inputs.parameters.message}}" | tee /tmp/said.txt']
    ---
    apiVersion: argoproj.io/v1alpha1
    kind: WorkflowTemplate
    metadata:
      name: pipeline
    spec:
      templates:
      - name: print
        inputs:
          parameters:
          - name: message
        outputs:
          parameters:
          - name: said
            valueFrom: {path: /tmp/said.txt}
        container:
          image: alpine
          command: [sh, -c, 'echo "pipeline:{{inputs.parameters.message}}" | tee /tmp/said.txt']
      - name: both
        inputs:
          parameters:
          - name: message
        steps:
        - - name: own
            template: print
            arguments:
              parameters: [{name: message, value: "{{inputs.parameters.message}}"}]
          - name: other
            templateRef: {name: printer, template: print}
            arguments:
              parameters: [{name: message, value: "{{inputs.parameters.message}}"}]
    ---
    apiVersion: argoproj.io/v1alpha1
    kind: ClusterWorkflowTemplate
    metadata:
      name: submittable
    spec:
      entrypoint: print
      arguments:
        parameters:
        - {name: message, value: from-template}
      templates:
      - name: print
        inputs:
          parameters:
          - name: message
        outputs:
          parameters:
          - name: said
            valueFrom: {path: /tmp/said.txt}
        container:
          image: alpine
          command: [sh, -c, 'echo "submittable:{{inputs.parameters.message}}" | tee /tmp/said.txt']
    """

/// Runs the workflow `yaml` with `templates.yaml` given as `--templates`, and reads the store back.
private func run(_ yaml: String, in directory: String, templatePaths: [String]? = nil) async throws -> RecordedRun {
    let templates = try EngineHarness.write(templatesYAML, in: directory, name: "templates.yaml")
    let path = try EngineHarness.write(yaml, in: directory)
    let stateDirectory = directory + "/state"
    let summary = try await WorkflowEngine().run(
        RunRequest(
            workflowPath: path, stateDirectory: stateDirectory, templatePaths: templatePaths ?? [templates]))
    let store = try Store(stateDirectory: stateDirectory)
    let run = try store.run(named: summary.name)
    return RecordedRun(
        directory: directory, stateDirectory: stateDirectory, summary: summary, store: store, run: run,
        nodes: try store.nodes(runID: run.id))
}

@Suite("templateRef and workflowTemplateRef run templates from other documents", .timeLimit(.minutes(2)))
struct TemplateRefTests {
    @Test("a WorkflowTemplate's steps template calls its own template there, and another document's by templateRef")
    func nestedCallsResolveInTheirDocument() async throws {
        let workflow = """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata: {name: nested-refs}
            spec:
              entrypoint: main
              templates:
              - name: main
                dag:
                  tasks:
                  - name: outer
                    templateRef: {name: pipeline, template: both}
                    arguments:
                      parameters: [{name: message, value: hi}]
              # Same name as the WorkflowTemplate's own 'print': must not be the one 'own' runs.
              - name: print
                container: {image: alpine, command: [sh, -c, "exit 7"]}
            """
        try await EngineHarness.withDirectory { directory in
            let run = try await run(workflow, in: directory)
            #expect(run.summary.phase == .succeeded)
            #expect(try run.node("outer").type == .steps)
            #expect(try run.node("outer").templateName == "both")
            #expect(try run.parameter("said", of: "own") == "pipeline:hi")
            #expect(try run.parameter("said", of: "other") == "printer:hi")
            #expect(try run.node("own").phase == .succeeded)
            #expect(try run.inputParameters("other") == ["message=hi"])
        }
    }

    @Test("workflowTemplateRef runs the template's entrypoint with its arguments, the Workflow's values winning")
    func workflowTemplateRef() async throws {
        let defaults = """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata: {generateName: from-template-}
            spec:
              workflowTemplateRef: {name: submittable, clusterScope: true}
            """
        let overridden = """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata: {generateName: from-template-}
            spec:
              arguments:
                parameters: [{name: message, value: from-workflow}]
              workflowTemplateRef: {name: submittable, clusterScope: true}
            """
        try await EngineHarness.withDirectory { directory in
            let first = try await run(defaults, in: directory)
            #expect(first.summary.phase == .succeeded)
            #expect(first.summary.name.hasPrefix("from-template-"))
            #expect(try first.inputParameters(first.summary.name) == ["message=from-template"])
            #expect(try first.parameter("said", of: first.summary.name) == "submittable:from-template")

            let second = try await run(overridden, in: directory)
            #expect(second.summary.phase == .succeeded)
            #expect(try second.parameter("said", of: second.summary.name) == "submittable:from-workflow")
        }
    }

    @Test("a WorkflowTemplate in the workflow's own file resolves without --templates; so does the registry")
    func sameFileAndRegistry() async throws {
        let workflow = """
            apiVersion: argoproj.io/v1alpha1
            kind: WorkflowTemplate
            metadata: {name: local}
            spec:
              templates:
              - name: say
                outputs:
                  parameters: [{name: said, valueFrom: {path: /tmp/said.txt}}]
                container: {image: alpine, command: [sh, -c, "echo local > /tmp/said.txt"]}
            ---
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata: {name: same-file}
            spec:
              entrypoint: main
              templates:
              - name: main
                steps:
                - - name: here
                    templateRef: {name: local, template: say}
                - - name: registered
                    templateRef: {name: printer, template: print}
                    arguments:
                      parameters: [{name: message, value: reg}]
            """
        try await EngineHarness.withDirectory { directory in
            let store = try Store(stateDirectory: directory + "/state")
            let printer = try #require(
                try SpecLoader.load(text: templatesYAML, file: "t.yaml").documents.first)
            try store.saveTemplate(
                TemplateRecord(
                    kind: "WorkflowTemplate", name: "printer", documentYAML: printer.yamlText, sourcePath: "t.yaml",
                    createdAt: Date()))
            let run = try await run(workflow, in: directory, templatePaths: [])
            #expect(run.summary.phase == .succeeded)
            #expect(try run.parameter("said", of: "here") == "local")
            #expect(try run.parameter("said", of: "registered") == "printer:reg")
        }
    }

    @Test("templateDefaults reach templates from other documents too")
    func templateDefaultsApplyToReferencedTemplates() async throws {
        let workflow = """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata: {name: defaults}
            spec:
              entrypoint: main
              templateDefaults:
                container:
                  env: [{name: GREETING, value: hello}]
              templates:
              - name: main
                steps:
                - - name: greet
                    templateRef: {name: env, template: greet}
            ---
            apiVersion: argoproj.io/v1alpha1
            kind: WorkflowTemplate
            metadata: {name: env}
            spec:
              templates:
              - name: greet
                outputs:
                  parameters: [{name: said, valueFrom: {path: /tmp/said.txt}}]
                container: {image: alpine, command: [sh, -c, 'echo "$GREETING" > /tmp/said.txt']}
            """
        try await EngineHarness.withDirectory { directory in
            let run = try await run(workflow, in: directory, templatePaths: [])
            #expect(run.summary.phase == .succeeded)
            #expect(try run.parameter("said", of: "greet") == "hello")
        }
    }

    @Test("an unknown templateRef or workflowTemplateRef refuses the run before anything is recorded")
    func unknownReferences() async throws {
        let unknownTemplate = """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata: {name: unknown}
            spec:
              entrypoint: main
              templates:
              - name: main
                steps:
                - - name: call
                    templateRef: {name: printer, template: shout}
            """
        let unknownWorkflowTemplate = """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata: {generateName: unknown-}
            spec:
              workflowTemplateRef: {name: submittable}
            """
        try await EngineHarness.withDirectory { directory in
            let error = await #expect(throws: EngineError.self) { try await run(unknownTemplate, in: directory) }
            #expect(
                error?.description == "\(directory)/workflow.yaml:10:48: error: WorkflowTemplate 'printer' has "
                    + "no template 'shout' (at spec.templates[0].steps[0][0].templateRef.template)")
            let second = await #expect(throws: EngineError.self) {
                try await run(unknownWorkflowTemplate, in: directory)
            }
            #expect(
                second?.description == "\(directory)/workflow.yaml:5:31: error: workflowTemplateRef names "
                    + "WorkflowTemplate 'submittable', which is not known: give its file with --templates or register it "
                    + "with 'sluice template create' (at spec.workflowTemplateRef.name)")
            #expect(!FileManager.default.fileExists(atPath: directory + "/state/sluice.db"))
        }
    }
}

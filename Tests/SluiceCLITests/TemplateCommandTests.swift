import Foundation
import Testing

/// A WorkflowTemplate and a ClusterWorkflowTemplate sharing a name, each with a `print` template.
private let templatesYAML = """
    apiVersion: argoproj.io/v1alpha1
    kind: WorkflowTemplate
    metadata: {name: lib}
    spec:
      templates:
      - name: print
        inputs: {parameters: [{name: message}]}
        container: {image: alpine, command: [sh, -c, 'echo "lib:{{inputs.parameters.message}}"']}
    ---
    apiVersion: argoproj.io/v1alpha1
    kind: ClusterWorkflowTemplate
    metadata: {name: lib}
    spec:
      templates:
      - name: print
        inputs: {parameters: [{name: message}]}
        container: {image: alpine, command: [sh, -c, 'echo "cluster:{{inputs.parameters.message}}"']}
    """

/// A Workflow calling `lib`'s `print` (namespaced, or cluster-scoped when `cluster`).
private func caller(cluster: Bool = false, template: String = "print") -> String {
    """
    apiVersion: argoproj.io/v1alpha1
    kind: Workflow
    metadata: {name: caller}
    spec:
      entrypoint: main
      templates:
      - name: main
        steps:
        - - name: call
            templateRef: {name: lib, template: \(template)\(cluster ? ", clusterScope: true" : "")}
            arguments:
              parameters: [{name: message, value: hi}]
    """
}

@Suite("sluice template create|list|delete and --templates", .timeLimit(.minutes(2)))
struct TemplateCommandTests {
    @Test("run --templates resolves a templateRef from a file; clusterScope picks the ClusterWorkflowTemplate")
    func runWithTemplates() async throws {
        try await SluiceCLI.withScratch { cli in
            let templates = try cli.write(templatesYAML, name: "templates.yaml")
            let workflow = try cli.write(caller(cluster: true), name: "caller.yaml")
            let result = try cli.run(["run", workflow, "--templates", templates])
            #expect(result.status == 0, "\(result)")
            let logs = try cli.run(["logs", "@latest", "call"])
            #expect(logs.stdout.contains("cluster:hi"), "\(logs)")
            #expect(!logs.stdout.contains("lib:hi"), "\(logs)")
        }
    }

    @Test("without the template documents, run refuses the workflow with exit 65 and the reference's position")
    func runWithoutTemplates() async throws {
        try await SluiceCLI.withScratch { cli in
            let workflow = try cli.write(caller(), name: "caller.yaml")
            let result = try cli.run(["run", workflow])
            #expect(result.status == 65, "\(result)")
            #expect(
                result.stderr == "\(workflow):10:29: error: templateRef names WorkflowTemplate 'lib', which is "
                    + "not known: give its file with --templates or register it with 'sluice template create' "
                    + "(at spec.templates[0].steps[0][0].templateRef.name)\n", "\(result)")
        }
    }

    @Test("lint --templates reports an unknown template of a known WorkflowTemplate at its position")
    func lintWithTemplates() async throws {
        try await SluiceCLI.withScratch { cli in
            let templates = try cli.write(templatesYAML, name: "templates.yaml")
            let workflow = try cli.write(caller(template: "prnt"), name: "caller.yaml")
            let result = try cli.run(["lint", workflow, "--templates", templates])
            #expect(result.status == 65, "\(result)")
            #expect(
                result.stdout == "\(workflow):10:44: error: WorkflowTemplate 'lib' has no template 'prnt' "
                    + "(at spec.templates[0].steps[0][0].templateRef.template)\n", "\(result)")
            let good = try cli.write(caller(), name: "good.yaml")
            let clean = try cli.run(["lint", good, "--templates", templates])
            #expect(clean.status == 0, "\(clean)")
            #expect(clean.stdout == "", "\(clean)")
        }
    }

    @Test("template create registers both kinds, list shows them, run finds them, delete removes them")
    func registry() async throws {
        try await SluiceCLI.withScratch { cli in
            let templates = try cli.write(templatesYAML, name: "templates.yaml")
            let created = try cli.run(["template", "create", templates])
            #expect(created.status == 0, "\(created)")
            #expect(created.stdout == "WorkflowTemplate 'lib' created\nClusterWorkflowTemplate 'lib' created\n")
            let again = try cli.run(["template", "create", templates])
            #expect(again.stdout == "WorkflowTemplate 'lib' replaced\nClusterWorkflowTemplate 'lib' replaced\n")

            let list = try cli.run(["template", "list"])
            #expect(list.status == 0, "\(list)")
            let lines = list.stdout.split(separator: "\n").map(String.init)
            try #require(lines.count == 3, "\(list)")
            #expect(lines[0] == "NAME  KIND                     CREATED               SOURCE")
            #expect(lines[1].hasPrefix("lib   ClusterWorkflowTemplate  "), "\(list)")
            #expect(lines[1].hasSuffix(" \(templates)"), "\(list)")
            #expect(lines[2].hasPrefix("lib   WorkflowTemplate         "), "\(list)")

            let workflow = try cli.write(caller(), name: "caller.yaml")
            let run = try cli.run(["run", workflow])
            #expect(run.status == 0, "\(run)")
            #expect(try cli.run(["logs", "@latest", "call"]).stdout.contains("lib:hi"))

            let deleted = try cli.run(["template", "delete", "--cluster", "lib"])
            #expect(deleted.status == 0, "\(deleted)")
            #expect(deleted.stdout == "template 'lib' deleted\n")
            let remaining = try cli.run(["template", "list"]).stdout.split(separator: "\n")
            #expect(remaining.count == 2)
            #expect(remaining.last?.hasPrefix("lib   WorkflowTemplate ") == true)

            #expect(try cli.run(["template", "delete", "lib"]).status == 0)
            let missing = try cli.run(["template", "delete", "lib"])
            #expect(missing.status == 1, "\(missing)")
            #expect(missing.stderr == "error: no template named 'lib' is registered (see 'sluice template list')\n")
        }
    }

    @Test("template create refuses a Workflow document and registers nothing from that call")
    func createRefusesWorkflows() async throws {
        try await SluiceCLI.withScratch { cli in
            let mixed = try cli.write(templatesYAML + "\n---\n" + caller(), name: "mixed.yaml")
            let result = try cli.run(["template", "create", mixed])
            #expect(result.status == 65, "\(result)")
            #expect(
                result.stderr == "\(mixed):19:1: error: a Workflow cannot be registered: only WorkflowTemplate "
                    + "and ClusterWorkflowTemplate documents can\n", "\(result)")
            #expect(
                try cli.run(["template", "list"]).stdout
                    == "NAME  KIND                     CREATED               SOURCE\n")
        }
    }
}

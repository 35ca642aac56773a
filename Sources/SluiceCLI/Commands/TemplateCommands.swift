import ArgumentParser
import Foundation
import SluiceEngine
import SluiceSpec
import SluiceStore

/// `sluice template create|list|delete`: the state directory's registry of WorkflowTemplates and
/// ClusterWorkflowTemplates, which `templateRef` and `workflowTemplateRef` look in after the run's own file and
/// `--templates`.
struct TemplateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template", abstract: "Register, list and delete WorkflowTemplates in the state directory.",
        subcommands: [TemplateCreateCommand.self, TemplateListCommand.self, TemplateDeleteCommand.self])
}

/// `sluice template create FILE...`: registers every WorkflowTemplate and ClusterWorkflowTemplate of the files.
struct TemplateCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Register the WorkflowTemplates and ClusterWorkflowTemplates of files (same kind and name: replaced)."
    )

    @Argument(help: "Files holding WorkflowTemplate or ClusterWorkflowTemplate documents.")
    var files: [String]

    @OptionGroup var state: StateOptions

    func run() throws {
        // Check every file before registering anything, so a bad file registers nothing.
        var accepted: [(document: WorkflowDocument, file: String)] = []
        var invalid = false
        for file in files {
            do {
                let loaded = try SpecLoader.load(path: file)
                for document in loaded.documents {
                    guard WorkflowDocument.templateKinds.contains(document.workflow.kind) else {
                        printError(
                            "\(document.tree.location): error: a \(document.workflow.kind) cannot be "
                                + "registered: only WorkflowTemplate and ClusterWorkflowTemplate documents can")
                        invalid = true
                        continue
                    }
                    guard let name = document.workflow.metadata.name, !name.isEmpty else {
                        printError(
                            "\(document.tree.location): error: a registered \(document.workflow.kind) needs "
                                + "metadata.name (generateName is not enough)")
                        invalid = true
                        continue
                    }
                    let problems = document.validate()
                    for problem in problems { printError(problem.description) }
                    if problems.isEmpty { accepted.append((document, file)) } else { invalid = true }
                }
            } catch {
                printError(error.description)
                invalid = true
            }
        }
        if invalid { throw ExitCode(ExitStatus.invalidWorkflow) }
        let store = try openStore(state)
        for (document, file) in accepted {
            let kind = document.workflow.kind
            let name = document.workflow.metadata.name ?? ""
            let record = TemplateRecord(
                kind: kind, name: name, documentYAML: document.yamlText,
                sourcePath: file.hasPrefix("/") ? file : FileManager.default.currentDirectoryPath + "/" + file,
                createdAt: Date())
            do {
                let replaced = try store.saveTemplate(record)
                print("\(kind) '\(name)' \(replaced ? "replaced" : "created")")
            } catch {
                throw CommandFailure(ExitStatus.failed, "error: \(error.description)")
            }
        }
    }
}

/// `sluice template list`: the registered documents with kind, templates and source file.
struct TemplateListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the registered WorkflowTemplates and ClusterWorkflowTemplates.")

    @OptionGroup var state: StateOptions

    func run() throws {
        let store = try openStore(state)
        let records: [TemplateRecord]
        do {
            records = try store.templates()
        } catch {
            throw CommandFailure(ExitStatus.failed, "error: \(error.description)")
        }
        let width = max(4, records.map(\.name.count).max() ?? 0)
        print(
            "NAME".padding(toLength: width + 2, withPad: " ", startingAt: 0)
                + "KIND                     CREATED               SOURCE")
        for record in records {
            print(
                record.name.padding(toLength: width + 2, withPad: " ", startingAt: 0)
                    + record.kind.padding(toLength: 25, withPad: " ", startingAt: 0)
                    + ArgoTime.format(record.createdAt).padding(toLength: 22, withPad: " ", startingAt: 0)
                    + record.sourcePath)
        }
    }
}

/// `sluice template delete NAME...`: removes registered documents by name.
struct TemplateDeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Remove registered WorkflowTemplates or ClusterWorkflowTemplates by name.")

    @Argument(help: "Names of registered templates.")
    var names: [String]

    @Flag(help: "Delete only ClusterWorkflowTemplates of these names.")
    var cluster = false

    @Flag(help: "Delete only (namespaced) WorkflowTemplates of these names.")
    var namespaced = false

    @OptionGroup var state: StateOptions

    func run() throws {
        guard !(cluster && namespaced) else {
            throw CommandFailure(
                ExitStatus.usage, "error: --cluster and --namespaced exclude each other: give at most one")
        }
        let kind: String? = cluster ? "ClusterWorkflowTemplate" : namespaced ? "WorkflowTemplate" : nil
        let store = try openStore(state)
        var missing = false
        for name in names {
            do {
                let removed = try store.deleteTemplate(named: name, kind: kind)
                if removed == 0 {
                    printError(
                        "error: no \(kind ?? "template") named '\(name)' is registered "
                            + "(see 'sluice template list')")
                    missing = true
                } else {
                    print("template '\(name)' deleted")
                }
            } catch {
                throw CommandFailure(ExitStatus.failed, "error: \(error.description)")
            }
        }
        if missing { throw ExitCode(ExitStatus.failed) }
    }
}

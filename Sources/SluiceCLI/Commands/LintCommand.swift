import ArgumentParser
import SluiceEngine
import SluiceSpec

/// `sluice lint FILE...`: every problem of every file, each as `file:line:column: error: ...`.
struct LintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint", abstract: "Check workflow files and list every problem with its position.")

    @Argument(help: "Workflow files to check.")
    var files: [String]

    @Option(name: .customLong("templates"),
            help: "A file or directory of WorkflowTemplates that templateRefs may name (repeatable).")
    var templatePaths: [String] = []

    @OptionGroup var state: StateOptions

    func run() throws {
        var invalid = false
        // Template references are checked against the template documents known (file, --templates, registry), as
        // `sluice run` checks them: a reference to none of them is an error in both.
        let shared: TemplateLibrary
        do {
            shared = try TemplateLibrary.forRun(of: nil, templatePaths: templatePaths, stateDirectory: state.resolved)
        } catch {
            print(error.description)
            throw ExitCode(ExitStatus.invalidWorkflow)
        }
        for file in files {
            do {
                let loaded = try SpecLoader.load(path: file)
                for note in loaded.notes { print(note.description) }
                var library = TemplateLibrary(loaded.documents)
                library.add(shared.documents)
                let known = library
                for submitted in loaded.documents {
                    var document = submitted
                    if let reference = submitted.workflow.spec.workflowTemplateRef,
                        known.document(for: reference) != nil
                    {
                        document = try submitted.resolvingWorkflowTemplateRef(in: known)
                    }
                    for problem in document.validate(templates: known) {
                        print(problem.description)
                        invalid = true
                    }
                    for problem in RunGovernance.problems(of: document) {
                        print(problem)
                        invalid = true
                    }
                }
            } catch {
                print(error.description)
                invalid = true
            }
        }
        if invalid { throw ExitCode(ExitStatus.invalidWorkflow) }
    }
}

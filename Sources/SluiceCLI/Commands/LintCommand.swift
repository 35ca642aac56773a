import ArgumentParser
import SluiceSpec

/// `sluice lint FILE...`: every problem of every file, each as `file:line:column: error: ...`.
struct LintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint", abstract: "Check workflow files and list every problem with its position.")

    @Argument(help: "Workflow files to check.")
    var files: [String]

    func run() throws {
        var invalid = false
        for file in files {
            do {
                let loaded = try SpecLoader.load(path: file)
                for note in loaded.notes { print(note.description) }
                for document in loaded.documents {
                    for problem in document.validate() {
                        print(problem.description)
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

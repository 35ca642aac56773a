import ArgumentParser
import Foundation
import SluiceEngine
import SluiceSpec

/// `sluice lint FILE...`: every problem of every file, each as `file:line:column: error: ...`, or as JSON or SARIF
/// for editors and code review tools.
struct LintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint", abstract: "Check workflow files and list every problem with its position.")

    /// The formats of `-o`.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, sarif
    }

    @Argument(help: "Workflow files to check.")
    var files: [String]

    @Option(
        name: .customLong("templates"),
        help: "A file or directory of WorkflowTemplates that templateRefs may name (repeatable).")
    var templatePaths: [String] = []

    @Option(name: [.short, .long], help: "Output format: text (file:line:column: error: ...), json, or sarif (2.1.0).")
    var output: Format = .text

    @OptionGroup var limits: LimitOptions

    @OptionGroup var state: StateOptions

    func run() throws {
        try limits.apply()
        var problems: [LintDiagnostic] = []
        // Template references are checked against the template documents known (file, --templates, registry), as
        // `sluice run` checks them: a reference to none of them is an error in both.
        let shared: TemplateLibrary
        do {
            shared = try TemplateLibrary.forRun(of: nil, templatePaths: templatePaths, stateDirectory: state.resolved)
            for file in files { problems += lint(file, shared: shared) }
        } catch {
            problems += LintDiagnostic.parse(error.description, isProblem: true)
        }
        switch output {
        case .text: for problem in problems { print(problem.text) }
        case .json: print(LintDiagnostic.json(problems, files: files))
        case .sarif: print(LintDiagnostic.sarif(problems))
        }
        if problems.contains(where: \.isProblem) { throw ExitCode(ExitStatus.invalidWorkflow) }
    }

    /// The notes and problems of one file, in the order they are found.
    private func lint(_ file: String, shared: TemplateLibrary) -> [LintDiagnostic] {
        var found: [LintDiagnostic] = []
        do {
            let loaded = try SpecLoader.load(path: file)
            for note in loaded.notes { found += LintDiagnostic.parse(note.description, isProblem: false) }
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
                    found += LintDiagnostic.parse(problem.description, isProblem: true)
                }
                for problem in RunGovernance.problems(of: document) {
                    found += LintDiagnostic.parse(problem, isProblem: true)
                }
            }
        } catch {
            found += LintDiagnostic.parse(error.description, isProblem: true)
        }
        return found
    }
}

/// One line of `sluice lint`: where (when known), how severe, and what.
struct LintDiagnostic: Equatable {
    var text: String
    var file: String?
    var line: Int?
    var column: Int?
    /// `error`, `warning` or `note`.
    var severity: String
    var message: String
    /// Whether it makes the file invalid (exit 65).
    var isProblem: Bool

    /// Splits printed diagnostics (one per line, `file:line:column: severity: message` when positioned).
    static func parse(_ printed: String, isProblem: Bool) -> [LintDiagnostic] {
        printed.split(separator: "\n", omittingEmptySubsequences: true).map { line in
            let text = String(line)
            let fallback = isProblem ? "error" : "warning"
            for severity in ["error", "warning", "note"] {
                guard let marker = text.range(of: ": \(severity): ") else { continue }
                let parts = text[..<marker.lowerBound].split(separator: ":", omittingEmptySubsequences: false)
                let message = String(text[marker.upperBound...])
                if parts.count >= 3, let line = Int(parts[parts.count - 2]), let column = Int(parts[parts.count - 1]) {
                    let file = parts.dropLast(2).joined(separator: ":")
                    return LintDiagnostic(
                        text: text, file: file, line: line, column: column, severity: severity,
                        message: message, isProblem: isProblem)
                }
                return LintDiagnostic(
                    text: text, file: String(text[..<marker.lowerBound]), severity: severity,
                    message: message, isProblem: isProblem)
            }
            let message = text.hasPrefix("error: ") ? String(text.dropFirst(7)) : text
            return LintDiagnostic(text: text, severity: fallback, message: message, isProblem: isProblem)
        }
    }

    /// `{"files": [...], "valid": Bool, "problems": [{file, line, column, severity, message}]}`.
    static func json(_ diagnostics: [LintDiagnostic], files: [String]) -> String {
        let problems: [[String: Any]] = diagnostics.map { diagnostic in
            var object: [String: Any] = ["severity": diagnostic.severity, "message": diagnostic.message]
            object["file"] = diagnostic.file
            object["line"] = diagnostic.line
            object["column"] = diagnostic.column
            return object
        }
        let root: [String: Any] = [
            "files": files, "valid": !diagnostics.contains(where: \.isProblem), "problems": problems,
        ]
        return serialized(root)
    }

    /// A SARIF 2.1.0 log with one run of the `sluice` tool and one result per diagnostic.
    static func sarif(_ diagnostics: [LintDiagnostic]) -> String {
        let results: [[String: Any]] = diagnostics.map { diagnostic in
            var result: [String: Any] = [
                "ruleId": "sluice-lint", "level": diagnostic.severity, "message": ["text": diagnostic.message],
            ]
            if let file = diagnostic.file {
                var location: [String: Any] = ["artifactLocation": ["uri": file]]
                if let line = diagnostic.line, let column = diagnostic.column {
                    location["region"] = ["startLine": line, "startColumn": column]
                }
                result["locations"] = [["physicalLocation": location]]
            }
            return result
        }
        let root: [String: Any] = [
            "version": "2.1.0", "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "runs": [["tool": ["driver": ["name": "sluice", "rules": [["id": "sluice-lint"]]]], "results": results]],
        ]
        return serialized(root)
    }

    private static func serialized(_ object: [String: Any]) -> String {
        guard
            let data = try? JSONSerialization.data(
                withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}

import ArgumentParser
import Foundation
import SluiceAudit
import SluiceEngine
import SluiceGovernance

/// `sluice conformance DIR`: checks every envelope file in DIR against docs/envelope-format.md.
struct ConformanceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conformance",
        abstract: "Check every *.intoto.json / *.intoto.jsonl envelope in a directory against the envelope spec.",
        discussion: "Prints each violation as FILE: RULE: message (rules as numbered in docs/envelope-format.md).")

    @Argument(help: "The directory to check (searched recursively).")
    var directory: String

    @Option(help: "PEM (or hex) public keys: also check each signature (rule E8).")
    var trust: String?

    func run() throws {
        do {
            let keys = try trust.map { path throws(ExportError) in try PublicKeyFile.keys(at: path) }
            let (count, violations) = try EnvelopeConformance(trustedKeys: keys).check(directory: directory)
            for violation in violations { print(violation.description) }
            let files = Set(violations.map(\.file)).count
            print(
                "\(count) envelope(s) checked, \(violations.count) violation(s) in \(files) envelope(s)"
                    + (keys == nil ? " (signatures not checked: pass --trust KEYFILE)" : ""))
            if !violations.isEmpty || count == 0 {
                if count == 0 { printError("error: no *.intoto.json or *.intoto.jsonl file in '\(directory)'") }
                throw ExitCode(ExitStatus.failed)
            }
        } catch let error as ExportError {
            throw CommandFailure(ExitStatus.failed, "error: \(error.description)")
        }
    }
}

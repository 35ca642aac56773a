import Foundation
import SluiceGovernance
import SluiceTesting
import Testing

/// The exit codes `sluice` promises: 0 succeeded, 1 failed, 2 usage, 3 refused by governance, 65 invalid file.
@Suite("CLI exit codes", .timeLimit(.minutes(2)))
struct CLIExitCodeTests {
    @Test("a succeeded workflow exits 0 and prints its status")
    func succeeded() async throws {
        try await SluiceCLI.withScratch { cli in
            let file = try cli.write(CLIWorkflows.hello, name: "hello.yaml")
            let result = try cli.run(["run", file])
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout.contains("Name:     hello-cli\n"), "\(result)")
            #expect(result.stdout.contains("Status:   Succeeded\n"), "\(result)")
            // The first run creates the state directory's key and says so on stderr.
            #expect(
                result.stderr.hasPrefix("sluice: created signing key \(cli.home)/keys/signing-key.pem"),
                "\(result)")
        }
    }

    @Test("a failed workflow exits 1")
    func failed() async throws {
        try await SluiceCLI.withScratch { cli in
            let file = try cli.write(CLIWorkflows.failing, name: "failing.yaml")
            let result = try cli.run(["run", file])
            #expect(result.status == 1, "\(result)")
            #expect(result.stdout.contains("Status:   Failed\n"), "\(result)")
            #expect(result.stdout.contains("Error (exit code 4)"), "\(result)")
        }
    }

    @Test("an unknown -p parameter exits 2 naming it and the known ones")
    func unknownParameter() async throws {
        try await SluiceCLI.withScratch { cli in
            let file = try cli.write(CLIWorkflows.hello, name: "hello.yaml")
            let result = try cli.run(["run", file, "-p", "whom=me"])
            #expect(result.status == 2, "\(result)")
            #expect(result.stderr == "error: parameter 'whom' is not a workflow argument (known: who)\n", "\(result)")
            #expect(result.stdout == "", "\(result)")
        }
    }

    @Test("a -p without = exits 2 with the expected form")
    func parameterSyntax() async throws {
        try await SluiceCLI.withScratch { cli in
            let file = try cli.write(CLIWorkflows.hello, name: "hello.yaml")
            let result = try cli.run(["run", file, "-p", "who"])
            #expect(result.status == 2, "\(result)")
            #expect(result.stderr == "error: parameter 'who' must be written NAME=VALUE\n", "\(result)")
        }
    }

    @Test("an unknown flag exits 2 and names the flag")
    func unknownFlag() async throws {
        try await SluiceCLI.withScratch { cli in
            let file = try cli.write(CLIWorkflows.hello, name: "hello.yaml")
            let result = try cli.run(["run", file, "--no-such-flag"])
            #expect(result.status == 2, "\(result)")
            #expect(result.stderr.hasPrefix("error: Unknown option '--no-such-flag'\n"), "\(result)")
            #expect(try cli.run(["frobnicate"]).status == 2)
        }
    }

    @Test("an invalid file exits 65 with file:line:column: error: on stderr, for run and lint")
    func invalidFile() async throws {
        try await SluiceCLI.withScratch { cli in
            let file = try cli.write(CLIWorkflows.invalid, name: "invalid.yaml")
            let result = try cli.run(["run", file])
            #expect(result.status == 65, "\(result)")
            let line = try #require(result.stderr.split(separator: "\n").first.map(String.init), "\(result)")
            let match = line.wholeMatch(of: /(.+):(\d+):(\d+): error: (.+)/)
            #expect(match?.output.1 == Substring(file), "\(result)")
            #expect(match?.output.2 == "11", "\(result)")
            #expect(match?.output.4.hasPrefix("unknown template 'ecko'") == true, "\(result)")
            // Nothing was recorded.
            #expect(try cli.run(["get", "@latest"]).status == 1)

            let lint = try cli.run(["lint", file])
            #expect(lint.status == 65, "\(lint)")
            #expect(lint.stdout.hasPrefix("\(file):11:"), "\(lint)")
        }
    }

    @Test("a run key outside spec.governance.authorities is refused at submission: exit 3, nothing recorded")
    func submissionRefused() async throws {
        try await SluiceCLI.withScratch { cli in
            let authority = GovernanceFixtures.signingKey(seedByte: 11).publicKey
            let file = try cli.write(
                CLIWorkflows.governed(
                    """
                      governance:
                        authorities:
                          - {name: elsewhere, publicKey: \(authority.hex)}
                    """), name: "untrusted.yaml")
            let result = try cli.run(["run", file])
            #expect(result.status == 3, "\(result)")
            #expect(result.stderr.contains("error: submission refused: the submitting key: key "), "\(result)")
            #expect(result.stderr.contains("is not admitted for role 'submit'"), "\(result)")
            let list = try cli.run(["list"])
            #expect(!list.stdout.contains("governed-cli"), "\(list)")
        }
    }

    @Test("a constraint the consumer's input breaks refuses it: exit 3, the refusal shown by get")
    func constraintRefused() async throws {
        try await SluiceCLI.withScratch { cli in
            let file = try cli.write(
                CLIWorkflows.governed(
                    """
                      governance:
                        constraints:
                          - name: from-builders
                            appliesTo: {templates: [consume]}
                            inputs: {fromTemplates: [build]}
                    """), name: "constrained.yaml")
            let result = try cli.run(["run", file])
            #expect(result.status == 3, "\(result)")
            #expect(
                result.stdout.contains(
                    "consume Error: node 'consume' refused: input 'produce.outputs/result': "
                        + "constraint 'from-builders': it comes from template 'produce', not one of build"),
                "\(result)")
            let get = try cli.run(["get", "@latest"])
            #expect(get.stdout.contains("Governance refusals:"), "\(get)")
            #expect(get.stdout.contains("[constraint 'from-builders']"), "\(get)")
        }
    }

    /// Regression: a misspelt `appliesTo` template was a lint error, but `sluice run` ran anyway.
    @Test("run refuses what lint reports about the governance: exit 65, nothing recorded")
    func governanceLintRefused() async throws {
        try await SluiceCLI.withScratch { cli in
            let file = try cli.write(
                CLIWorkflows.governed(
                    """
                      governance:
                        constraints:
                          - name: from-builders
                            appliesTo: {templates: [consumer]}
                            inputs: {fromTemplates: [build]}
                    """), name: "misspelt.yaml")
            let lint = try cli.run(["lint", file])
            #expect(lint.status == 65, "\(lint)")
            #expect(
                lint.stdout.contains(
                    "error: constraint 'from-builders' applies to template 'consumer', which the "
                        + "workflow does not define"), "\(lint)")
            let result = try cli.run(["run", file])
            #expect(result.status == 65, "\(result)")
            #expect(result.stderr.hasPrefix("spec.governance is invalid: \(file):10:20: error: "), "\(result)")
            #expect(
                result.stderr.contains("applies to template 'consumer', which the workflow does not define"),
                "\(result)")
            let list = try cli.run(["list"])
            #expect(!list.stdout.contains("governed-cli"), "\(list)")
        }
    }
}

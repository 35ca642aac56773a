import Foundation
import Testing

/// `sluice run --junit FILE` and `sluice get RUN -o junit`: one test case per node, valid against the JUnit schema
/// CI systems read (docs/schemas/junit.xsd, checked with xmllint).
@Suite("JUnit reports", .timeLimit(.minutes(2)))
struct JUnitCLITests {
    static let schema = SluiceCLI.repository + "/docs/schemas/junit.xsd"

    /// Validates `file` against the schema with xmllint; returns xmllint's verdict line.
    static func validate(_ file: String, in directory: String) async throws -> CLIResult {
        try await HostTool.offPool {
            try HostTool.run("xmllint", ["--noout", "--schema", schema, file], in: directory)
        }
    }

    @Test("run --junit writes failures, refusals and skips as JUnit, valid against the schema")
    func runJUnit() async throws {
        try await SluiceCLI.withScratch { cli in
            let file = try cli.write(ReportWorkflows.mixed, name: "mixed.yaml")
            let result = try await cli.detached(["run", file, "--junit", "report.xml"])
            #expect(result.status == 3, "\(result)")
            let validation = try await Self.validate("report.xml", in: cli.directory)
            #expect(validation.status == 0, "\(validation)")
            #expect(validation.stderr == "report.xml validates\n", "\(validation)")
            let xml = try String(contentsOfFile: cli.directory + "/report.xml", encoding: .utf8)
            #expect(xml.contains("<testsuites name=\"mixed\" tests=\"4\" failures=\"2\" errors=\"0\" skipped=\"1\""))
            #expect(
                xml.contains(
                    """
                    <testcase name="skip" classname="mixed.produce" time="0.000">
                          <skipped message="when &apos;1 == 2&apos; evaluated false"/>
                    """.replacingOccurrences(of: "&apos;", with: "'")), "\(xml)")
            #expect(xml.contains("<failure message=\"Error (exit code 3)\" type=\"Failed\">"), "\(xml)")
            #expect(
                xml.contains(
                    """
                    <failure message="refused by constraint 'from-builders': node 'consume' refused: input \
                    'produce.outputs/result': constraint 'from-builders': it comes from template 'produce', not one of \
                    build (producer 'produce')" type="Refused">
                    """), "\(xml)")
            // What a node printed is escaped; a control character XML cannot carry becomes U+FFFD.
            #expect(
                xml.contains("<system-out>&lt;/script&gt;&lt;b&gt;&amp;value&lt;/b&gt;\u{FFFD}]]&gt;\n</system-out>"),
                "\(xml)")
            #expect(xml.contains("<system-out>failing\n</system-out>"), "\(xml)")
        }
    }

    @Test("get -o junit prints the same report for a recorded run; a passing run has no failure elements")
    func getJUnit() async throws {
        try await SluiceCLI.withScratch { cli in
            let file = try cli.write(CLIWorkflows.hello, name: "hello.yaml")
            #expect(try await cli.detached(["run", file]).status == 0)
            let result = try await cli.detached(["get", "@latest", "-o", "junit"])
            #expect(result.status == 0, "\(result)")
            try Data(result.stdout.utf8).write(to: URL(fileURLWithPath: cli.directory + "/get.xml"))
            let validation = try await Self.validate("get.xml", in: cli.directory)
            #expect(validation.status == 0, "\(validation)")
            #expect(result.stdout.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"), "\(result)")
            #expect(result.stdout.contains("tests=\"2\" failures=\"0\" errors=\"0\" skipped=\"0\""), "\(result)")
            #expect(result.stdout.contains("<testcase name=\"greet\" classname=\"hello-cli.greet\""), "\(result)")
            #expect(result.stdout.contains("<testcase name=\"shout\" classname=\"hello-cli.shout\""), "\(result)")
            #expect(result.stdout.contains("<system-out>line one\nline two\n</system-out>"), "\(result)")
            #expect(!result.stdout.contains("<failure"), "\(result)")
        }
    }

    @Test("the schema check fails a report that breaks it (the validator is really consulted)")
    func schemaRejects() async throws {
        try await SluiceCLI.withScratch { cli in
            let broken = """
                <?xml version="1.0" encoding="UTF-8"?>
                <testsuites><testsuite name="x" tests="one" failures="0" errors="0">
                <testcase name="a" classname="b" time="0"><failure/><skipped/></testcase></testsuite></testsuites>
                """
            try Data(broken.utf8).write(to: URL(fileURLWithPath: cli.directory + "/broken.xml"))
            let validation = try await Self.validate("broken.xml", in: cli.directory)
            #expect(validation.status != 0, "\(validation)")
            #expect(validation.stderr.contains("broken.xml fails to validate"), "\(validation)")
        }
    }
}

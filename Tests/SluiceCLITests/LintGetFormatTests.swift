import Foundation
import Testing

/// `sluice lint -o json|sarif` and `sluice get -o yaml|wide|name`.
@Suite("Lint and get output formats", .timeLimit(.minutes(2)))
struct LintGetFormatTests {
    @Test("lint -o json lists each problem with file, line, column, severity and message; exit 65")
    func lintJSON() async throws {
        try await SluiceCLI.withScratch { cli in
            let file = try cli.write(CLIWorkflows.invalid, name: "invalid.yaml")
            let result = try await cli.detached(["lint", "invalid.yaml", "-o", "json"])
            #expect(result.status == 65, "\(result)")
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result)")
            #expect(object["valid"] as? Bool == false)
            #expect(object["files"] as? [String] == ["invalid.yaml"])
            let problems = try #require(object["problems"] as? [[String: Any]])
            #expect(problems.count == 1, "\(result)")
            #expect(problems.first?["file"] as? String == "invalid.yaml")
            #expect(problems.first?["line"] as? Int == 11)
            #expect(problems.first?["column"] as? Int == 23)
            #expect(problems.first?["severity"] as? String == "error")
            #expect(
                problems.first?["message"] as? String
                    == "unknown template 'ecko' (at spec.templates[0].steps[0][0].template)", "\(result)")
            let text = try await cli.detached(["lint", file])
            #expect(
                text.stdout.hasSuffix(
                    ":11:23: error: unknown template 'ecko' (at spec.templates[0].steps[0][0].template)\n"), "\(text)")
        }
    }

    @Test("lint -o json of a valid file: valid true, no problems, exit 0")
    func lintJSONValid() async throws {
        try await SluiceCLI.withScratch { cli in
            _ = try cli.write(CLIWorkflows.hello, name: "hello.yaml")
            let result = try await cli.detached(["lint", "hello.yaml", "-o", "json"])
            #expect(result.status == 0, "\(result)")
            #expect(
                result.stdout == """
                    {
                      "files" : [
                        "hello.yaml"
                      ],
                      "problems" : [

                      ],
                      "valid" : true
                    }

                    """, "\(result)")
        }
    }

    @Test("lint -o sarif is a SARIF 2.1.0 log whose results carry the region")
    func lintSARIF() async throws {
        try await SluiceCLI.withScratch { cli in
            _ = try cli.write(CLIWorkflows.invalid, name: "invalid.yaml")
            let result = try await cli.detached(["lint", "invalid.yaml", "-o", "sarif"])
            #expect(result.status == 65, "\(result)")
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result)")
            #expect(object["version"] as? String == "2.1.0")
            let run = try #require((object["runs"] as? [[String: Any]])?.first)
            let result0 = try #require((run["results"] as? [[String: Any]])?.first)
            #expect(result0["level"] as? String == "error")
            let location = try #require(
                (result0["locations"] as? [[String: Any]])?.first?["physicalLocation"]
                    as? [String: Any])
            #expect((location["artifactLocation"] as? [String: Any])?["uri"] as? String == "invalid.yaml")
            #expect((location["region"] as? [String: Any])?["startLine"] as? Int == 11)
            #expect((location["region"] as? [String: Any])?["startColumn"] as? Int == 23)
        }
    }

    @Test("get -o name prints the run's name; -o yaml the Argo Workflow object; -o wide adds columns")
    func getFormats() async throws {
        try await SluiceCLI.withScratch { cli in
            let file = try cli.write(CLIWorkflows.hello, name: "hello.yaml")
            #expect(try await cli.detached(["run", file]).status == 0)
            let name = try await cli.detached(["get", "@latest", "-o", "name"])
            #expect(name.stdout == "hello-cli\n", "\(name)")
            let yaml = try await cli.detached(["get", "@latest", "-o", "yaml"])
            #expect(yaml.status == 0, "\(yaml)")
            #expect(yaml.stdout.hasPrefix("apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n"), "\(yaml)")
            #expect(yaml.stdout.contains("\n  name: hello-cli\n"), "\(yaml)")
            #expect(yaml.stdout.contains("\n  phase: Succeeded\n"), "\(yaml)")
            #expect(yaml.stdout.contains("\n        - name: greeting\n          value: hello world\n"), "\(yaml)")
            let wide = try await cli.detached(["get", "@latest", "-o", "wide"])
            #expect(wide.stdout.contains("TYPE       PHASE      TEMPLATE             DURATION  ENVELOPE"), "\(wide)")
            #expect(wide.stdout.contains("    greet                         Pod        Succeeded  greet"), "\(wide)")
            let unknown = try await cli.detached(["get", "@latest", "-o", "xml"])
            #expect(unknown.status == 2, "\(unknown)")
            #expect(unknown.stderr.contains("error: The value 'xml' is invalid for '-o <output>'"), "\(unknown)")
        }
    }
}

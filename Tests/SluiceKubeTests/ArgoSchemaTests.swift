import Foundation
import SluiceEngine
import SluiceKube
import SluiceTesting
import Testing

private let argoSchemaPath = KubeFixtures.shared + "/argo-schema/schema.json"
private let argoSchemaIsPresent = FileManager.default.fileExists(atPath: argoSchemaPath)

/// Every rendered workflow validates against Argo's own JSON schema (v4.1.2), made strict as
/// `../shared/argo-schema/NOTICE.md` describes, by `scripts/check-argo-schema.py` (Python `jsonschema`).
@Suite("Rendered workflows against Argo's strict schema", .enabled(if: argoSchemaIsPresent))
struct ArgoSchemaTests {
    static let schema = argoSchemaPath

    /// Runs the checker over `files`; returns its lines.
    static func check(_ files: [String]) throws -> [String] {
        try StoreSupport.withTemporaryDirectory { directory in
            let status = try HostProcess.run(
                "/usr/bin/env",
                arguments: ["python3", KubeFixtures.root + "/scripts/check-argo-schema.py", schema] + files,
                environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"],
                directory: directory, stdoutPath: directory + "/out", stderrPath: directory + "/err")
            let output = (try? String(contentsOfFile: directory + "/out", encoding: .utf8)) ?? ""
            let errors = (try? String(contentsOfFile: directory + "/err", encoding: .utf8)) ?? ""
            #expect(errors.isEmpty, "the checker wrote to stderr: \(errors)")
            #expect(status == 0 || status == 1, "the checker exited \(status)")
            return output.split(separator: "\n").map(String.init)
        }
    }

    @Test("the three examples render schema-valid; as written, spec.governance makes one invalid")
    func examples() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            var files: [String] = []
            for example in KubeRendererTests.examples {
                let file = directory + "/\(example).argo.yaml"
                try Data(try KubeFixtures.render(path: KubeFixtures.root + "/examples/\(example).yaml").text.utf8)
                    .write(to: URL(fileURLWithPath: file))
                files.append(file)
            }
            let original = KubeFixtures.root + "/examples/build-push-deploy.yaml"
            let lines = try Self.check(files + [original])
            #expect(
                lines == files.map { "\($0): valid" } + [
                    "\(original): invalid: spec: Additional properties are not allowed ('governance' was unexpected)"
                ])
        }
    }

    /// One runnable example of `../shared/argo-examples/expectations.json`.
    struct SharedExample: Sendable, CustomStringConvertible {
        var path: String
        var parameters: [(name: String, value: String)]
        var templates: [String]
        var description: String { path }
    }

    static func sharedExamples() -> [SharedExample] {
        let root = KubeFixtures.shared + "/argo-examples/"
        guard let data = FileManager.default.contents(atPath: root + "expectations.json"),
            let entries = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]]
        else { return [] }
        return entries.compactMap { entry in
            guard let path = entry["path"] as? String else { return nil }
            let parameters = (entry["params"] as? [String: Any] ?? [:]).sorted { $0.key < $1.key }
                .map { (name: $0.key, value: "\($0.value)") }
            let templates = (entry["requires_templates"] as? [String] ?? []).map { root + $0 }
            return SharedExample(path: root + path, parameters: parameters, templates: templates)
        }
    }

    @Test("every runnable Argo example renders (ungoverned templates passed through) and is schema-valid")
    func sharedArgoExamples() throws {
        let examples = Self.sharedExamples()
        try #require(!examples.isEmpty, "no examples in ../shared/argo-examples/expectations.json")
        var options = KubeRenderOptions(allowUngoverned: true)
        options.profile = try RuntimeProfile.load(path: KubeFixtures.shared + "/conformance/process-profile.yaml")
        try StoreSupport.withTemporaryDirectory { directory in
            var files: [String] = []
            var failures: [String] = []
            for (index, example) in examples.enumerated() {
                do {
                    let rendering = try KubeFixtures.render(
                        path: example.path, templates: example.templates, options: options,
                        overrides: example.parameters)
                    let file = directory + "/\(index)-" + URL(fileURLWithPath: example.path).lastPathComponent
                    try Data(rendering.text.utf8).write(to: URL(fileURLWithPath: file))
                    files.append(file)
                } catch {
                    failures.append("\(example.path): \(error)")
                }
            }
            #expect(
                failures.isEmpty, "\(failures.count) example(s) did not render:\n\(failures.joined(separator: "\n"))")
            let lines = try Self.check(files)
            let invalid = lines.filter { !$0.hasSuffix(": valid") }
            #expect(
                invalid.isEmpty,
                "\(invalid.count) rendered example(s) are not schema-valid:\n\(invalid.joined(separator: "\n"))")
            #expect(lines.count == examples.count)
        }
    }
}

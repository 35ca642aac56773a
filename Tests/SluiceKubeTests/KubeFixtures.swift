import Foundation
import SluiceEngine
import SluiceExpressions
import SluiceGovernance
import SluiceKube
import SluiceSpec
import SluiceTesting
import Testing

/// Paths and a fixed submission for the render tests.
enum KubeFixtures {
    /// The checkout's root.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    /// `../shared` beside the checkout (Argo's schema and examples), when present.
    static let shared = URL(fileURLWithPath: root).deletingLastPathComponent().appendingPathComponent("shared").path
    static let golden = root + "/Tests/SluiceKubeTests/Fixtures/golden"

    static let key = GovernanceFixtures.signingKey(seedByte: 7)
    /// 2026-12-01T00:00:00Z.
    static let submittedOn = Date(timeIntervalSince1970: 1_796_083_200)

    /// Renders `text` (named `file` in messages) with the fixed key and time.
    static func render(
        _ text: String, file: String = "wf.yaml", options: KubeRenderOptions = KubeRenderOptions(),
        overrides: [(name: String, value: String)] = []
    ) throws -> KubeRendering {
        let loaded = try SpecLoader.load(text: text, file: file, clusterFeatures: true)
        return try KubeRenderer.render(
            loaded, library: TemplateLibrary(loaded.documents),
            overrides: overrides.map { ParameterValue(name: $0.name, value: $0.value) }, submitterKey: key,
            lineageKey: key.publicKey, submittedOn: submittedOn, options: options)
    }

    /// Renders the file at `path`, with WorkflowTemplates from `templates`.
    static func render(
        path: String, templates: [String] = [], options: KubeRenderOptions = KubeRenderOptions(),
        overrides: [(name: String, value: String)] = []
    ) throws -> KubeRendering {
        let loaded = try SpecLoader.load(path: path, clusterFeatures: true)
        var library = TemplateLibrary(loaded.documents)
        library.add(try TemplateLibrary.load(paths: templates).documents)
        return try KubeRenderer.render(
            loaded, library: library, overrides: overrides.map { ParameterValue(name: $0.name, value: $0.value) },
            submitterKey: key, lineageKey: key.publicKey,
            submittedOn: submittedOn, options: options)
    }

    /// One runnable example of `../shared/argo-examples/expectations.json`.
    struct SharedExample: Sendable, CustomStringConvertible {
        var path: String
        var parameters: [(name: String, value: String)]
        var templates: [String]
        var description: String { path }
    }

    /// The runnable examples of `../shared/argo-examples/` (empty when it is not beside the checkout).
    static func sharedExamples() -> [SharedExample] {
        let root = shared + "/argo-examples/"
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

    /// Renders every runnable shared Argo example (ungoverned templates passed through, the conformance profile
    /// giving the test images' entrypoints) into `directory`, as `INDEX-NAME.yaml`; records an issue for each that
    /// does not render. Returns the files written, in the examples' order.
    static func renderSharedExamples(into directory: String) throws -> [String] {
        let examples = sharedExamples()
        try #require(!examples.isEmpty, "no examples in ../shared/argo-examples/expectations.json")
        var options = KubeRenderOptions(allowUngoverned: true)
        options.profile = try RuntimeProfile.load(path: shared + "/conformance/process-profile.yaml")
        var files: [String] = []
        var failures: [String] = []
        for (index, example) in examples.enumerated() {
            do {
                let rendering = try render(
                    path: example.path, templates: example.templates, options: options, overrides: example.parameters)
                let file = directory + "/\(index)-" + URL(fileURLWithPath: example.path).lastPathComponent
                try Data(rendering.text.utf8).write(to: URL(fileURLWithPath: file))
                files.append(file)
            } catch {
                failures.append("\(example.path): \(error)")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) example(s) did not render:\n\(failures.joined(separator: "\n"))")
        return files
    }

    /// Renders the three examples into `directory` as `NAME.argo.yaml`; returns the files.
    static func renderExamples(into directory: String) throws -> [String] {
        try KubeRendererTests.examples.map { example in
            let file = directory + "/\(example).argo.yaml"
            try Data(try render(path: root + "/examples/\(example).yaml").text.utf8).write(
                to: URL(fileURLWithPath: file))
            return file
        }
    }

    /// Runs `scripts/SCRIPT` with `python` (a path, or a name looked up on PATH) and `arguments`; returns its
    /// stdout lines. Expects nothing on stderr and an exit status of 0 or 1 (1: something checked is invalid).
    static func runChecker(_ python: String, script: String, arguments: [String]) throws -> [String] {
        try StoreSupport.withTemporaryDirectory { directory in
            let status = try HostProcess.run(
                "/usr/bin/env", arguments: [python, root + "/scripts/" + script] + arguments,
                environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"],
                directory: directory, stdoutPath: directory + "/out", stderrPath: directory + "/err")
            let output = (try? String(contentsOfFile: directory + "/out", encoding: .utf8)) ?? ""
            let errors = (try? String(contentsOfFile: directory + "/err", encoding: .utf8)) ?? ""
            #expect(errors.isEmpty, "\(script) wrote to stderr: \(errors)")
            #expect(status == 0 || status == 1, "\(script) exited \(status)")
            return output.split(separator: "\n").map(String.init)
        }
    }
}

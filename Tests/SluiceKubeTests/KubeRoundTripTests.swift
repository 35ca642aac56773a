import Foundation
import SluiceTesting
import Testing

/// The venv `scripts/setup-python-tools.sh` makes (Hera, kubernetes-validate).
private let toolsPython = KubeFixtures.root + "/.build-python/venv/bin/python"
/// scripts/test.sh sets SLUICE_REQUIRE_PYTHON_TOOLS=1 after making the venv: then a missing venv fails the suite.
private let toolsWanted =
    FileManager.default.isExecutableFile(atPath: toolsPython)
    || ProcessInfo.processInfo.environment["SLUICE_REQUIRE_PYTHON_TOOLS"] == "1"

/// Rendered workflows read by other Argo tooling: Hera's models (PyPI `hera`) parse them without dropping a field,
/// and the pods Argo would make from them are valid Kubernetes objects (PyPI `kubernetes-validate`, strict).
@Suite(
    "Rendered workflows through Hera's models and Kubernetes' schema",
    .enabled(if: toolsWanted && FileManager.default.fileExists(atPath: KubeFixtures.shared + "/argo-examples")))
struct KubeRoundTripTests {
    static func check(_ script: String, _ files: [String]) throws -> [String] {
        try #require(
            FileManager.default.isExecutableFile(atPath: toolsPython),
            "no \(toolsPython): run scripts/setup-python-tools.sh")
        return try KubeFixtures.runChecker(toolsPython, script: script, arguments: files)
    }

    @Test("the examples come back from Hera's models unchanged; Hera drops spec.governance, which rendering moves")
    func heraExamples() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let files = try KubeFixtures.renderExamples(into: directory)
            let original = KubeFixtures.root + "/examples/build-push-deploy.yaml"
            let lines = try Self.check("check-hera-roundtrip.py", files + [original])
            #expect(lines == files.map { "\($0): same" } + ["\(original): changed: $.spec.governance: dropped"])
        }
    }

    /// A rendered example may lose in Hera only what its source loses too: a field of Argo's newer API that
    /// Hera's models lack (`spec.podResources` in Hera 7.1.0) is not a rendering fault.
    @Test("every runnable Argo example comes back from Hera's models as its source does")
    func heraSharedExamples() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let examples = KubeFixtures.sharedExamples()
            let files = try KubeFixtures.renderSharedExamples(into: directory)
            try #require(files.count == examples.count)
            let lines = try Self.check("check-hera-roundtrip.py", files)
            #expect(lines.count == files.count)
            for (line, example) in zip(lines, examples) where !line.hasSuffix(": same") {
                let source = try Self.check("check-hera-roundtrip.py", [example.path]).first ?? ""
                let lost = line.split(separator: ": ", maxSplits: 1).last ?? ""
                #expect(
                    source.split(separator: ": ", maxSplits: 1).last == lost,
                    "rendering loses more in Hera than its source \(example.path) does: \(line) (source: \(source))")
            }
        }
    }

    @Test("the examples' pods are valid Kubernetes Pods; a field Kubernetes does not know is caught")
    func podsExamples() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let files = try KubeFixtures.renderExamples(into: directory)
            let text = try String(contentsOfFile: files[0], encoding: .utf8)
            let broken = directory + "/broken.yaml"
            try Data(text.replacingOccurrences(of: "readOnly: true", with: "readOnly: \"yes\"").utf8)
                .write(to: URL(fileURLWithPath: broken))
            let lines = try Self.check("check-kube-pods.py", files + [broken])
            // ml-pipeline, fan-out-fan-in, build-push-deploy: their container and script templates.
            #expect(Array(lines.prefix(3)) == zip(files, [4, 3, 4]).map { "\($0): \($1) pods valid" })
            #expect(
                lines.last?.hasPrefix(
                    "\(broken): invalid: template preprocess: spec/containers/0/volumeMounts/0/readOnly: 'yes' is not of type"
                ) == true, "\(lines)")
        }
    }

    @Test("every runnable Argo example's pods are valid Kubernetes Pods")
    func podsSharedExamples() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let files = try KubeFixtures.renderSharedExamples(into: directory)
            let lines = try Self.check("check-kube-pods.py", files)
            #expect(lines.count == files.count)
            let invalid = lines.filter { !$0.hasSuffix(" pods valid") }
            #expect(
                invalid.isEmpty, "\(invalid.count) example(s) make invalid pods:\n\(invalid.joined(separator: "\n"))")
        }
    }
}

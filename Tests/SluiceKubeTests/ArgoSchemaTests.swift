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
        try KubeFixtures.runChecker(
            "python3", script: "check-argo-schema.py", arguments: [schema] + files)
    }

    @Test("the three examples render schema-valid; as written, spec.governance makes one invalid")
    func examples() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let files = try KubeFixtures.renderExamples(into: directory)
            let original = KubeFixtures.root + "/examples/build-push-deploy.yaml"
            let lines = try Self.check(files + [original])
            #expect(
                lines == files.map { "\($0): valid" } + [
                    "\(original): invalid: spec: Additional properties are not allowed ('governance' was unexpected)"
                ])
        }
    }

    @Test("every runnable Argo example renders (ungoverned templates passed through) and is schema-valid")
    func sharedArgoExamples() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let files = try KubeFixtures.renderSharedExamples(into: directory)
            let lines = try Self.check(files)
            let invalid = lines.filter { !$0.hasSuffix(": valid") }
            #expect(
                invalid.isEmpty,
                "\(invalid.count) rendered example(s) are not schema-valid:\n\(invalid.joined(separator: "\n"))")
            #expect(lines.count == files.count)
        }
    }
}

import Foundation
import SluiceGovernance
import SluiceKube
import SluiceSpec
import SluiceTesting

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
            loaded, library: TemplateLibrary(loaded.documents), overrides: overrides, submitterKey: key,
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
            loaded, library: library, overrides: overrides, submitterKey: key, lineageKey: key.publicKey,
            submittedOn: submittedOn, options: options)
    }
}

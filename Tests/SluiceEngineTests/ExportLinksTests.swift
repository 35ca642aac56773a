import Foundation
import SluiceAudit
import SluiceEngine
import SluiceGovernance
import SluiceSpec
import SluiceStore
import SluiceTesting
import Testing

/// Output directories keep their links (as Argo's tar does); bundles carry them, covered by the tree's dirHash.
@Suite("Export bundles of trees holding links", .timeLimit(.minutes(2)))
struct ExportLinksTests {
    static let workflow = """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: links
        spec:
          entrypoint: main
          templates:
            - name: main
              dag:
                tasks:
                  - {name: produce, template: produce}
                  - name: consume
                    template: consume
                    depends: produce
                    arguments:
                      artifacts:
                        - {name: tree, from: "{{tasks.produce.outputs.artifacts.tree}}"}
            - name: produce
              container:
                image: alpine
                command: [sh, -c, "mkdir -p /tmp/tree/sub && printf a > /tmp/tree/sub/a.txt && ln -s sub/a.txt /tmp/tree/alias && ln -s /etc /tmp/tree/etc"]
              outputs:
                artifacts:
                  - {name: tree, path: /tmp/tree}
            - name: consume
              inputs:
                artifacts:
                  - {name: tree, path: /tmp/in}
              container:
                image: alpine
                command: [sh, -c, "cat /tmp/in/alias; readlink /tmp/in/etc"]
        """

    @Test("a tree's links reach the consumer as links, are exported as links and verify; a changed link fails")
    func linksExportedAndVerified() async throws {
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(Self.workflow, in: directory)
            #expect(run.summary.phase == .succeeded, "\(run.nodes.map { "\($0.displayName): \($0.message ?? "")" })")
            #expect(try run.outputs("consume").result == "a/etc")
            let tree = try #require(try run.outputs("produce").artifacts.first)
            _ = try BundleExporter(store: run.store, stateDirectory: run.stateDirectory)
                .export(run: run.run, to: directory + "/bundle")
            let exported = directory + "/bundle/artifacts/tree/" + tree.digest
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: exported + "/alias") == "sub/a.txt")
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: exported + "/etc") == "/etc")
            let report = try BundleVerifier().verify(bundleAt: directory + "/bundle")
            #expect(report.failures == [])

            // Pointing a link elsewhere changes the tree's dirHash, which no longer matches the signed subject.
            #expect(unlink(exported + "/etc") == 0)
            #expect(symlink("/root", exported + "/etc") == 0)
            let tampered = try BundleVerifier().verify(bundleAt: directory + "/bundle")
            #expect(!tampered.isVerified)
            #expect(tampered.failures.contains { $0.description.contains("artifacts/tree/\(tree.digest)") })
        }
    }
}

import Foundation
import SluiceAudit
import SluiceEngine
import SluiceGovernance
import SluiceRuntimes
import SluiceSpec
import SluiceStore
import SluiceTesting
import Testing

/// `sluice replay BUNDLE`: a bundle's workflow run again in another state directory, with another key.
@Suite("Replay of export bundles", .timeLimit(.minutes(2)))
struct ReplayTests {
    /// first → middle → last, and side (from first): a middle node with one dependent and one bystander.
    static let chain = """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: chain
        spec:
          entrypoint: main
          arguments:
            parameters:
              - {name: seed, value: s1}
          templates:
            - name: main
              dag:
                tasks:
                  - {name: first, template: step, arguments: {parameters: [{name: in, value: "{{workflow.parameters.seed}}"}]}}
                  - {name: middle, template: step, depends: first, arguments: {parameters: [{name: in, value: "{{tasks.first.outputs.parameters.out}}"}]}}
                  - {name: last, template: step, depends: middle, arguments: {parameters: [{name: in, value: "{{tasks.middle.outputs.parameters.out}}"}]}}
                  - {name: side, template: step, depends: first, arguments: {parameters: [{name: in, value: "{{tasks.first.outputs.parameters.out}}"}]}}
            - name: step
              inputs:
                parameters:
                  - name: in
              container:
                image: alpine
                command: [sh, -c, "printf '{{inputs.parameters.in}}+' > /tmp/out; cp /tmp/out /tmp/file"]
              outputs:
                artifacts:
                  - {name: file, path: /tmp/file}
                parameters:
                  - name: out
                    valueFrom: {path: /tmp/out}
        """

    /// Runs `yaml`, exports it to `directory/bundle`, and removes the original state directory.
    static func exportedBundle(_ yaml: String, in directory: String) async throws -> RecordedRun {
        let run = try await EngineHarness.run(yaml, in: directory, parameters: [("seed", "s2")])
        try #require(run.summary.phase == .succeeded)
        _ = try BundleExporter(store: run.store, stateDirectory: run.stateDirectory)
            .export(run: run.run, to: directory + "/bundle")
        return run
    }

    /// Replays `bundle` into a fresh state directory and reads back the run and the report.
    static func replay(_ bundle: String, from node: String? = nil, stateDirectory: String) async throws
        -> (run: RunRecord, store: Store, report: ReproducibilityReport, plan: BundleReplay.Plan)
    {
        // The user holds the captured run's key: the bundle's origin is verified, so --from may re-sign its outputs.
        let replay = try BundleReplay.open(
            bundleAt: bundle, trustedKeys: try PublicKeyFile.keys(at: bundle + "/keys/signer.pub.pem"))
        defer { replay.close() }
        try #require(replay.verification.isVerified, "\(replay.verification.failures)")
        let plan = try replay.plan(from: node, stateDirectory: stateDirectory)
        let summary = try await WorkflowEngine(runtime: ProcessRuntime()).run(plan.request)
        let store = try Store(stateDirectory: stateDirectory)
        let run = try store.run(named: summary.name)
        let messages = try store.nodes(runID: run.id).map { "\($0.displayName): \($0.message ?? "")" }
        try #require(summary.phase == .succeeded, "\(messages)")
        return (run, store, try replay.reproducibility(of: run, in: store, plan: plan), plan)
    }

    @Test("replaying an exported bundle elsewhere runs every node again with the captured parameters: same digests")
    func fullReplay() async throws {
        try await EngineHarness.withDirectory { directory in
            let captured = try await Self.exportedBundle(Self.chain, in: directory)
            let (run, store, report, _) = try await Self.replay(
                directory + "/bundle", stateDirectory: directory + "/elsewhere")
            #expect(run.id != captured.run.id)
            #expect(run.parametersJSON == captured.run.parametersJSON)
            #expect(run.signerKeyID != captured.run.signerKeyID)  // another state directory, another key
            let nodes = try store.nodes(runID: run.id)
            let attempts = try store.attempts(runID: run.id)
            #expect(Set(attempts.map(\.nodeID)) == Set(nodes.filter { $0.type == .pod }.map(\.id)))
            #expect(attempts.count == 4)
            // Four nodes, three subjects each (the file artifact, the out parameter, the result), all the same.
            #expect(report.entries.count == 12)
            #expect(report.count(.same) == 12)
            #expect(report.isReproduced)
            #expect(
                report.entries.first?.description
                    == "same      first outputs/artifacts/file sha256:\(Digest.sha256(Array("s2+".utf8)).hex)")
        }
    }

    @Test("--from a middle node runs only it and its dependents; the rest reuse re-signed captured outputs")
    func replayFromMiddle() async throws {
        try await EngineHarness.withDirectory { directory in
            let captured = try await Self.exportedBundle(Self.chain, in: directory)
            let (run, store, report, plan) = try await Self.replay(
                directory + "/bundle", from: "middle", stateDirectory: directory + "/elsewhere")
            #expect(plan.reused.sorted() == ["first", "side"])
            let nodes = try store.nodes(runID: run.id)
            let byName = Dictionary(nodes.map { ($0.displayName, $0) }, uniquingKeysWith: { first, _ in first })
            let attempts = try store.attempts(runID: run.id)
            #expect(Set(attempts.map(\.nodeID)) == Set([byName["middle"]?.id, byName["last"]?.id].compactMap { $0 }))

            // The reused node's new envelope is signed by this run and names the captured envelope as its input.
            let first = try #require(byName["first"])
            let capturedFirst = try #require(try captured.node("first").envelopeDigest)
            #expect(first.message?.hasPrefix("Reused from bundle sha256:") == true)
            #expect(first.message?.hasSuffix("envelope sha256:\(capturedFirst)") == true)
            let firstDigest = try #require(first.envelopeDigest)
            let record = try #require(try store.envelope(payloadDigest: firstDigest))
            #expect(record.runID == run.id)
            let statement = try Statement(payloadBytes: try Envelope(jsonBytes: [UInt8](record.envelopeJSON)).payload)
            let predicate = try LineagePredicate(json: statement.predicate)
            #expect(Set(predicate.inputs.compactMap(\.envelopePayloadDigest?.hex)) == [capturedFirst])
            #expect(predicate.chainDepth == 1)
            #expect(predicate.producer.image == "alpine")
            #expect(predicate.replayed?.runID == captured.run.id)
            #expect(predicate.replayed?.envelopePayloadDigest.hex == capturedFirst)
            #expect(predicate.replayed?.originVerified == true)

            #expect(report.count(.reused) == 6)
            #expect(report.count(.same) == 6)
            #expect(Set(report.entries.filter { $0.outcome == .reused }.map(\.node)) == ["first", "side"])
            // The captured run is in the state directory, named as a capture.
            let imported = try store.run(named: captured.run.id)
            #expect(imported.message?.hasPrefix("captured in bundle sha256:") == true)
        }
    }

    @Test("--from names no captured node: the error lists the captured nodes")
    func unknownNode() async throws {
        try await EngineHarness.withDirectory { directory in
            _ = try await Self.exportedBundle(Self.chain, in: directory)
            let replay = try BundleReplay.open(bundleAt: directory + "/bundle")
            defer { replay.close() }
            #expect(throws: ExportError.replayNodeUnknown(name: "nope", known: ["first", "last", "middle", "side"])) {
                _ = try replay.plan(from: "nope", stateDirectory: directory + "/elsewhere")
            }
        }
    }

    @Test("a captured artifact replaced in the state directory after import is refused when reused")
    func reusedArtifactRefused() async throws {
        try await EngineHarness.withDirectory { directory in
            _ = try await Self.exportedBundle(Self.chain, in: directory)
            let bundle = directory + "/bundle"
            let replay = try BundleReplay.open(
                bundleAt: bundle, trustedKeys: try PublicKeyFile.keys(at: bundle + "/keys/signer.pub.pem"))
            defer { replay.close() }
            let state = directory + "/elsewhere"
            let plan = try replay.plan(from: "last", stateDirectory: state)
            let stored = try #require(plan.request.replay?.reusable[".middle"]?.outputs.artifacts.first?.storedPath)
            try ExportFixtures.flipByte(in: stored)
            let summary = try await WorkflowEngine(runtime: ProcessRuntime()).run(plan.request)
            #expect(summary.refused)
            let store = try Store(stateDirectory: state)
            let middle = try #require(try store.nodes(runID: summary.id).first { $0.displayName == "middle" })
            #expect(middle.phase == .error)
            #expect(
                middle.message?.hasPrefix(
                    "captured outputs refused: node 'middle' refused: input 'file': subject-digest") == true)
            #expect(try store.attempts(runID: summary.id).isEmpty)
        }
    }

    /// Regression: `replay --from` re-signed the captured outputs of a bundle verified only against its own keys,
    /// and the local gate and `verify RUN` then accepted them as if produced here.
    @Test("--from refuses to re-sign outputs of a bundle whose origin was not verified, unless told; lineage says so")
    func untrustedOrigin() async throws {
        try await EngineHarness.withDirectory { directory in
            let captured = try await Self.exportedBundle(Self.chain, in: directory)
            let bundle = directory + "/bundle"
            let replay = try BundleReplay.open(bundleAt: bundle)
            defer { replay.close() }
            #expect(replay.verification.isVerified)
            let state = directory + "/elsewhere"
            #expect(throws: ExportError.replayUntrusted(bundle: bundle)) {
                _ = try replay.plan(from: "middle", stateDirectory: state)
            }
            print(
                "attack-table | replay --from of a bundle verified only by its own keys | "
                    + ExportError.replayUntrusted(bundle: bundle).description)
            #expect(!FileManager.default.fileExists(atPath: state + "/sluice.db"))

            let plan = try replay.plan(from: "middle", stateDirectory: state, resigningUntrusted: true)
            let summary = try await WorkflowEngine(runtime: ProcessRuntime()).run(plan.request)
            #expect(summary.phase == .succeeded)
            let store = try Store(stateDirectory: state)
            let first = try #require(try store.nodes(runID: summary.id).first { $0.displayName == "first" })
            let digest = try #require(first.envelopeDigest)
            let record = try #require(try store.envelope(payloadDigest: digest))
            let statement = try Statement(payloadBytes: try Envelope(jsonBytes: [UInt8](record.envelopeJSON)).payload)
            let predicate = try LineagePredicate(json: statement.predicate)
            #expect(predicate.replayed?.originVerified == false)
            #expect(predicate.replayed?.runID == captured.run.id)
        }
    }
}

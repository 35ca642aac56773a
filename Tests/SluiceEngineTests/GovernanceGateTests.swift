import Foundation
import SluiceEngine
import SluiceGovernance
import SluiceSpec
import SluiceStore
import SluiceTesting
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Overwrites a producer's stored output artifact the moment the producer is recorded as Succeeded, before any
/// consumer can start: what an attacker with write access to the artifact store would do.
final class ArtifactTamperer: RunObserver {
    let producer: String
    let replacement: String
    /// The stored path that was overwritten, once it was.
    let tampered = Mutex<String?>(nil)

    init(producer: String, replacement: String) {
        self.producer = producer
        self.replacement = replacement
    }

    func runDidChange(_ event: RunEvent) {
        guard case .nodeChanged(let node) = event, node.displayName == producer, node.phase == .succeeded,
            let artifact = node.outputs?.artifacts.first
        else { return }
        _ = chmod(artifact.storedPath, 0o644)
        try? Data(replacement.utf8).write(to: URL(fileURLWithPath: artifact.storedPath))
        tampered.withLock { $0 = artifact.storedPath }
    }
}

/// The input gate through the real engine: tampered artifacts and untrusted signers are refused before a node runs.
@Suite("Governance gate", .timeLimit(.minutes(2)))
struct GovernanceGateTests {
    static func producerConsumer(name: String, governance: String = "") -> String {
        """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: \(name)
        spec:
          entrypoint: main
        \(governance)
          templates:
            - name: main
              dag:
                tasks:
                  - name: produce
                    template: produce
                  - name: consume
                    template: consume
                    depends: produce
                    arguments:
                      artifacts:
                        - {name: data, from: "{{tasks.produce.outputs.artifacts.data}}"}
                      parameters:
                        - {name: note, value: "{{tasks.produce.outputs.parameters.note}}"}
            - name: produce
              container:
                image: alpine
                command: [sh, -c, "printf 'genuine' > /tmp/data.txt; printf 'n1' > /tmp/note"]
              outputs:
                artifacts:
                  - {name: data, path: /tmp/data.txt}
                parameters:
                  - name: note
                    valueFrom: {path: /tmp/note}
            - name: consume
              inputs:
                artifacts:
                  - {name: data, path: /tmp/data.txt}
                parameters:
                  - name: note
              container:
                image: alpine
                command: [sh, -c, "cat /tmp/data.txt"]
        """
    }

    @Test("an artifact overwritten in the store after its producer succeeded refuses the consumer")
    func tamperedArtifact() async throws {
        try await EngineHarness.withDirectory { directory in
            let tamperer = ArtifactTamperer(producer: "produce", replacement: "forged")
            let run = try await EngineHarness.run(
                Self.producerConsumer(name: "tamper"), in: directory, observer: tamperer)
            let storedPath = try #require(tamperer.tampered.withLock { $0 })
            #expect(try String(contentsOfFile: storedPath, encoding: .utf8) == "forged")

            #expect(run.summary.refused)
            #expect(run.summary.phase == .error)
            #expect(run.run.phase == .error)
            let produce = try run.node("produce")
            #expect(produce.phase == .succeeded)
            let consume = try run.node("consume")
            #expect(consume.phase == .error)
            let message = try #require(consume.message)
            let genuine = Digest.sha256(Array("genuine".utf8)).hex
            let forged = Digest.sha256(Array("forged".utf8)).hex
            #expect(
                message
                    == "node 'consume' refused: input 'data': subject-digest: subject 'outputs/artifacts/data' digest "
                    + "sha256:\(genuine) does not match the artifact's sha256:\(forged) (producer 'produce')")
            // The node never ran: no attempt, no log.
            #expect(try run.store.attempts(runID: run.run.id).map(\.nodeID) == [produce.id])

            let denials = try run.store.denials(runID: run.run.id)
            #expect(denials.count == 1)
            let denial = try #require(denials.first)
            #expect(denial.nodeID == consume.id)
            #expect(denial.input == "data")
            #expect(denial.check == "subject-digest")
            #expect(denial.message == message)
        }
    }

    @Test("a run key missing from spec.governance.authorities is refused at submission: nothing runs")
    func untrustedSubmitter() async throws {
        try await EngineHarness.withDirectory { directory in
            let authority = GovernanceFixtures.signingKey(seedByte: 7).publicKey
            let governance = """
                  governance:
                    authorities:
                      - name: release-team
                        publicKey: \(authority.hex)
                """
            await #expect {
                _ = try await EngineHarness.run(
                    Self.producerConsumer(name: "untrusted", governance: governance), in: directory)
            } throws: { error in
                guard case EngineError.submissionRefused(let reason) = error else { return false }
                return reason.contains("the submitting key")
                    && reason.contains("is not admitted for role 'submit'")
                    && reason.contains("admitted: release-team")
            }
            let store = try Store(stateDirectory: directory + "/state")
            #expect(try store.runs().isEmpty)
        }
    }

    @Test("the run key listed among the authorities is trusted, and the consumer runs")
    func trustedSigner() async throws {
        try await EngineHarness.withDirectory { directory in
            // Create the state directory's key first, so the workflow can name it.
            let state = directory + "/state"
            let (key, _) = try KeyStore.signingKey(path: nil, stateDirectory: state)
            let other = GovernanceFixtures.signingKey(seedByte: 9).publicKey
            let governance = """
                  governance:
                    authorities:
                      - {name: other, publicKey: \(other.hex)}
                      - {name: local, publicKey: \(key.publicKey.hex)}
                """
            let run = try await EngineHarness.run(
                Self.producerConsumer(name: "trusted", governance: governance), in: directory)
            #expect(run.summary.refused == false)
            #expect(run.summary.phase == .succeeded)
            #expect(try run.outputs("consume").result == "genuine")
            #expect(try run.store.denials(runID: run.run.id).isEmpty)
        }
    }
}

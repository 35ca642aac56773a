import Foundation
import SluiceAudit
import SluiceEngine
import SluiceGovernance
import SluiceSpec
import SluiceStore
import SluiceTesting
import Synchronization
import Testing

/// Revokes something the moment `produce` is recorded as Succeeded, while the run is still in progress: the
/// revocation is written through a second `Store` on the same state directory, as another `sluice` process would.
final class Revoker: RunObserver {
    enum Target { case producerEnvelope, runKey }

    let stateDirectory: String
    let target: Target
    /// What was revoked, once it was.
    let revoked = Mutex<String?>(nil)

    init(stateDirectory: String, target: Target) {
        self.stateDirectory = stateDirectory
        self.target = target
    }

    func runDidChange(_ event: RunEvent) {
        guard case .nodeChanged(let node) = event, node.displayName == "produce", node.phase == .succeeded,
            let digest = node.envelopeDigest, revoked.withLock({ $0 == nil }),
            let store = try? Store(stateDirectory: stateDirectory)
        else { return }
        switch target {
        case .producerEnvelope:
            _ = try? store.addRevocation(
                RevocationRecord(kind: .envelope, value: digest, reason: "runner compromised", createdAt: Date()))
            revoked.withLock { $0 = digest }
        case .runKey:
            guard let key = try? KeyStore.signingKey(path: nil, stateDirectory: stateDirectory).key else { return }
            _ = try? Revocations(store: store).revoke(
                kind: .key, value: key.publicKey.keyID, reason: "key leaked", signingKey: key)
            revoked.withLock { $0 = key.publicKey.keyID }
        }
    }
}

@Suite("Revocations", .timeLimit(.minutes(2)))
struct ExportRevocationTests {
    @Test("an envelope revoked while the run is in progress refuses its consumer at the next gate")
    func envelopeRevokedMidRun() async throws {
        try await EngineHarness.withDirectory { directory in
            let revoker = Revoker(stateDirectory: directory + "/state", target: .producerEnvelope)
            let run = try await EngineHarness.run(
                ExportFixtures.workflow(name: "midrun"), in: directory, observer: revoker)
            let digest = try #require(revoker.revoked.withLock { $0 })
            #expect(run.summary.refused)
            #expect(run.run.phase == .error)
            #expect(try run.node("produce").phase == .succeeded)
            let consume = try run.node("consume")
            #expect(consume.phase == .error)
            #expect(
                consume.message
                    == "node 'consume' refused: input 'data': revoked: envelope sha256:\(digest) is revoked: "
                    + "runner compromised (producer 'produce')")
            let denial = try #require(try run.store.denials(runID: run.run.id).first)
            #expect(denial.check == "revoked")
            #expect(denial.input == "data")
        }
    }

    @Test("a signing key revoked (signed) while the run is in progress refuses every later consumer")
    func keyRevokedMidRun() async throws {
        try await EngineHarness.withDirectory { directory in
            let state = directory + "/state"
            let key = try KeyStore.signingKey(path: nil, stateDirectory: state).key
            let revoker = Revoker(stateDirectory: state, target: .runKey)
            let run = try await EngineHarness.run(
                ExportFixtures.workflow(name: "keyrevoked"), in: directory, observer: revoker)
            #expect(revoker.revoked.withLock { $0 } == key.publicKey.keyID)
            let consume = try run.node("consume")
            // The revoked key can sign nothing more: the consumer is refused before its inputs are even read.
            #expect(
                consume.message == "node 'consume' refused: revoked: the node's lineage cannot be signed under this "
                    + "run's trust slope ('run-key' / submit): signing key \(key.publicKey.keyID) is revoked: key leaked"
            )
            // The revocation is stored with its signature, which verifies and describes exactly this revocation.
            let stored = try #require(try run.store.signedRevocations().first)
            #expect(stored.keyID == key.publicKey.keyID)
            let envelope = try Envelope(jsonBytes: [UInt8](try #require(stored.envelopeJSON)))
            #expect(
                RevocationStatement.problem(in: envelope, for: stored.revocation, trustedKeys: [key.publicKey]) == nil)
            var altered = stored.revocation
            altered.reason = "routine rotation"
            #expect(
                RevocationStatement.problem(in: envelope, for: altered, trustedKeys: [key.publicKey])
                    == "the signed statement does not describe the revocation of key '\(key.publicKey.keyID)'")
        }
    }

    @Test("revoke decides key or envelope from what the state directory knows, and refuses anything else")
    func targetKinds() async throws {
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(ExportFixtures.workflow(name: "kinds"), in: directory)
            let revocations = Revocations(store: run.store)
            let digest = try #require(try run.node("produce").envelopeDigest)
            #expect(try revocations.kind(of: digest) == .envelope)
            #expect(try revocations.kind(of: run.run.signerKeyID) == .key)
            let unknown = String(repeating: "ab", count: 32)
            #expect(throws: ExportError.revocationTargetUnknown(value: unknown)) { try revocations.kind(of: unknown) }
            #expect(try Revocations.target("sha256:" + digest) == (digest, .envelope))
            #expect(throws: ExportError.revocationTargetInvalid(value: "xyz")) { try Revocations.target("xyz") }
            #expect(
                ExportError.revocationTargetInvalid(value: "xyz").description
                    == "cannot revoke 'xyz': expected a key id or an envelope payload digest (64 lowercase hex "
                    + "characters, optionally prefixed by 'sha256:')")
        }
    }

    @Test("a signed revocation list moves revocations to another state directory only under a trusted key")
    func listExportImport() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let source = try Store(stateDirectory: directory + "/a")
            let key = GovernanceFixtures.signingKey(seedByte: 4)
            let revocations = Revocations(store: source)
            let envelopeDigest = String(repeating: "1f", count: 32)
            try revocations.revoke(
                kind: .envelope, value: envelopeDigest, reason: "bad build", signingKey: key,
                at: StoreSupport.instant())
            try revocations.revoke(
                kind: .key, value: key.publicKey.keyID, reason: "rotated", signingKey: key,
                at: StoreSupport.instant(1))
            let file = directory + "/revocations.dsse.json"
            try Data(try revocations.list().signedFile(with: key, exportedAt: StoreSupport.instant(2)))
                .write(to: URL(fileURLWithPath: file))

            let stranger = GovernanceFixtures.signingKey(seedByte: 5).publicKey
            #expect(
                throws: ExportError.revocationListUntrusted(
                    path: file, keyIDs: [key.publicKey.keyID], trusted: [stranger.keyID])
            ) { try RevocationList.verifiedFile(at: file, trustedKeys: [stranger]) }

            let (list, signer) = try RevocationList.verifiedFile(at: file, trustedKeys: [key.publicKey])
            #expect(signer == key.publicKey)
            #expect(list.entries.map(\.value) == [envelopeDigest, key.publicKey.keyID])
            let target = try Store(stateDirectory: directory + "/b")
            #expect(try Revocations(store: target).importList(list) == (2, 0))
            #expect(try Revocations(store: target).importList(list) == (0, 2))
            let imported = try target.signedRevocations()
            #expect(imported.map(\.revocation.reason) == ["bad build", "rotated"])
            #expect(imported.map(\.revocation.createdAt) == [StoreSupport.instant(), StoreSupport.instant(1)])
            // Each imported revocation keeps the envelope it was signed with where it was made.
            #expect(imported.map(\.envelopeJSON) == (try source.signedRevocations()).map(\.envelopeJSON))

            // One altered byte of the signed file is refused.
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
            let index = try #require(bytes.firstIndex(of: UInt8(ascii: "A")))
            bytes[index] = UInt8(ascii: "B")
            try Data(bytes).write(to: URL(fileURLWithPath: file))
            #expect(
                throws: ExportError.revocationListMalformed(
                    path: file,
                    reason: "the signature by trusted key \(key.publicKey.keyID) does not verify: the file was altered")
            ) { try RevocationList.verifiedFile(at: file, trustedKeys: [key.publicKey]) }
        }
    }
}

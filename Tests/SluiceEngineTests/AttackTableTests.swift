import Foundation
import SluiceEngine
import SluiceGovernance
import SluiceSpec
import SluiceStore
import SluiceTesting
import Synchronization
import Testing

/// Replaces a node's stored envelope bytes the moment the node is recorded as Succeeded, before any consumer's
/// gate: what an attacker with write access to `sluice.db` would do. The row keeps its payload-digest key, so the
/// gate finds the forged bytes where it expects the genuine ones.
final class EnvelopeTamperer: RunObserver {
    let node: String
    let stateDirectory: String
    let forge: @Sendable (Envelope) throws -> [UInt8]?
    let done = Mutex<Bool>(false)

    init(node: String, stateDirectory: String, forge: @escaping @Sendable (Envelope) throws -> [UInt8]?) {
        self.node = node
        self.stateDirectory = stateDirectory
        self.forge = forge
    }

    func runDidChange(_ event: RunEvent) {
        guard case .nodeChanged(let state) = event, state.displayName == node, state.phase == .succeeded,
            let digest = state.envelopeDigest, !done.withLock({ $0 })
        else { return }
        do {
            let store = try Store(stateDirectory: stateDirectory)
            guard let record = try store.envelope(payloadDigest: digest) else { return }
            let envelope = try Envelope(jsonBytes: [UInt8](record.envelopeJSON))
            if let forged = try forge(envelope) {
                try StoreTampering.execute(
                    stateDirectory: stateDirectory,
                    sql: "UPDATE envelopes SET envelope_json = ? WHERE payload_digest = ?",
                    arguments: [Data(forged), digest])
            } else {
                try StoreTampering.execute(
                    stateDirectory: stateDirectory, sql: "DELETE FROM envelopes WHERE payload_digest = ?",
                    arguments: [digest])
            }
            done.withLock { $0 = true }
        } catch {
            Issue.record("tampering failed: \(error)")
        }
    }
}

/// Stops a run (as Ctrl-C would) once a node has Succeeded, so the test can edit the state before a resume.
final class StopAfter: RunObserver {
    let node: String
    let stop: RunStop
    let task = Mutex<Task<RunSummary, any Error>?>(nil)

    init(node: String, stop: RunStop) {
        self.node = node
        self.stop = stop
    }

    func runDidChange(_ event: RunEvent) {
        guard case .nodeChanged(let state) = event, state.displayName == node, state.phase == .succeeded else { return }
        stop.request("Stopped: interrupted by the test")
        task.withLock { $0?.cancel() }
    }
}

/// The issue's attack table, one test per row, through the real engine (bubblewrap processes, SQLite, libsodium):
/// every row ends in a refusal whose message names the node, the input and the failed check, recorded as a denial.
@Suite("Attack table", .timeLimit(.minutes(3)))
struct AttackTableTests {
    // MARK: - Fixtures

    /// `other` and `produce` run the same template (a file artifact `data` and a parameter `note`); `consume`
    /// reads both of `produce`'s outputs.
    static func workflow(
        name: String, governance: String = "", consumeImage: String = "alpine", consumeSleeps: Bool = false
    ) -> String {
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
                  - {name: other, template: produce}
                  - {name: produce, template: produce, depends: other}
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
                image: \(consumeImage)
                command: [sh, -c, "\(consumeSleeps ? "sleep 5; " : "")cat /tmp/data.txt"]
        """
    }

    static func keyFile(_ key: SigningKey, in directory: String, name: String) throws -> String {
        let path = directory + "/" + name + ".pem"
        try key.write(to: path)
        return path
    }

    /// Runs (or resumes) a workflow with explicit keys and reads back the store.
    static func run(
        _ yaml: String, in directory: String, key: String? = nil, lineageKey: String? = nil,
        observer: (any RunObserver)? = nil, resume: String? = nil, stopAfter: String? = nil
    ) async throws -> RecordedRun {
        let path = try EngineHarness.write(yaml, in: directory)
        let state = directory + "/state"
        var request = RunRequest(workflowPath: path, stateDirectory: state, keyPath: key)
        request.lineageKeyPath = lineageKey
        request.resumeRun = resume
        var stopper: StopAfter?
        if let stopAfter { stopper = StopAfter(node: stopAfter, stop: request.stop) }
        let observers = Observers(list: [observer, stopper].compactMap { $0 })
        let engine = WorkflowEngine(observer: observers)
        let frozen = request
        let task = Task { try await engine.run(frozen) }
        stopper?.task.withLock { $0 = task }
        let summary = try await task.value
        let store = try Store(stateDirectory: state)
        let run = try store.run(named: summary.name)
        return RecordedRun(
            directory: directory, stateDirectory: state, summary: summary, store: store, run: run,
            nodes: try store.nodes(runID: run.id))
    }

    /// Checks the refusal of `consume`: node Error, message naming node, input and check, one denial recorded.
    @discardableResult
    static func expectRefusal(
        _ run: RecordedRun, row: String, node: String = "consume", input: String, check: String, reason: String,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) throws -> String {
        #expect(run.summary.refused, sourceLocation: sourceLocation)
        let refused = try run.node(node)
        let nodes = run.nodes.map { "\($0.displayName): \($0.phase) \($0.message ?? "")" }
        #expect(refused.phase == .error, "\(nodes)", sourceLocation: sourceLocation)
        let message = refused.message ?? ""
        let prefix =
            input == Refusal.nodeLevel
            ? "node '\(node)' refused: \(check): " : "node '\(node)' refused: input '\(input)': \(check): "
        #expect(message.hasPrefix(prefix), "\(message)", sourceLocation: sourceLocation)
        #expect(message.contains(reason), "\(message)", sourceLocation: sourceLocation)
        let denials = try run.store.denials(runID: run.run.id).filter { $0.nodeID == refused.id }
        #expect(denials.map(\.check) == [check], sourceLocation: sourceLocation)
        #expect(denials.map(\.input) == [input], sourceLocation: sourceLocation)
        // The refused node never ran: no attempt was recorded for it.
        #expect(
            try run.store.attempts(runID: run.run.id).allSatisfy { $0.nodeID != refused.id },
            sourceLocation: sourceLocation)
        print("attack-table | \(row) | \(message)")
        return message
    }

    static let noteInput = "produce.outputs/parameters/note"

    // MARK: - Rows

    @Test("artifact modified after it was produced")
    func artifactModified() async throws {
        try await EngineHarness.withDirectory { directory in
            let tamperer = ArtifactTamperer(producer: "produce", replacement: "forged")
            let run = try await Self.run(Self.workflow(name: "a-artifact"), in: directory, observer: tamperer)
            try Self.expectRefusal(
                run, row: "artifact modified", input: "data", check: "subject-digest",
                reason: "does not match the artifact's sha256:"
                    + Digest.sha256(Array("forged".utf8)).hex)
        }
    }

    @Test("output parameter value altered in the state directory, then the run resumed")
    func parameterAltered() async throws {
        try await EngineHarness.withDirectory { directory in
            let yaml = Self.workflow(name: "a-param", consumeSleeps: true)
            let first = try await Self.run(yaml, in: directory, stopAfter: "produce")
            #expect(try first.node("produce").phase == .succeeded)
            let changed = try StoreTampering.execute(
                stateDirectory: first.stateDirectory,
                sql: "UPDATE nodes SET outputs_json = replace(outputs_json, '\"n1\"', '\"n2\"') "
                    + "WHERE run_id = ? AND display_name = 'produce'",
                arguments: [first.run.id])
            #expect(changed == 1)
            let resumed = try await Self.run(yaml, in: directory, resume: first.run.id)
            try Self.expectRefusal(
                resumed, row: "output parameter altered", input: Self.noteInput,
                check: "subject-digest",
                reason: "does not match the parameter's " + Digest.sha256(Array("n2".utf8)).description)
        }
    }

    @Test("envelope re-signed by a key the governance does not admit")
    func untrustedKey() async throws {
        try await EngineHarness.withDirectory { directory in
            let outsider = GovernanceFixtures.signingKey(seedByte: 41)
            let tamperer = EnvelopeTamperer(node: "produce", stateDirectory: directory + "/state") { envelope in
                Envelope.sign(payload: envelope.payload, payloadType: envelope.payloadType, with: outsider).jsonBytes()
            }
            let run = try await Self.run(Self.workflow(name: "a-untrusted"), in: directory, observer: tamperer)
            try Self.expectRefusal(
                run, row: "untrusted key", input: "data", check: "signature-trust",
                reason: "signed by key \(outsider.publicKey.keyID) which is not trusted")
        }
    }

    @Test("signature bytes altered")
    func signatureAltered() async throws {
        try await EngineHarness.withDirectory { directory in
            let tamperer = EnvelopeTamperer(node: "produce", stateDirectory: directory + "/state") { envelope in
                var signature = envelope.signatures[0]
                signature.sig[10] ^= 0x01
                return Envelope(payloadType: envelope.payloadType, payload: envelope.payload, signatures: [signature])
                    .jsonBytes()
            }
            let run = try await Self.run(Self.workflow(name: "a-signature"), in: directory, observer: tamperer)
            try Self.expectRefusal(
                run, row: "signature bytes altered", input: "data", check: "signature",
                reason: "does not verify")
        }
    }

    @Test("an envelope of another node of the run replayed in place of the producer's")
    func otherNodeReplayed() async throws {
        try await EngineHarness.withDirectory { directory in
            let state = directory + "/state"
            let otherEnvelope = Mutex<[UInt8]?>(nil)
            final class Capture: RunObserver {
                let state: String
                let into: @Sendable ([UInt8]) -> Void
                init(state: String, into: @escaping @Sendable ([UInt8]) -> Void) {
                    self.state = state
                    self.into = into
                }
                func runDidChange(_ event: RunEvent) {
                    guard case .nodeChanged(let node) = event, node.displayName == "other", node.phase == .succeeded,
                        let digest = node.envelopeDigest,
                        let record = try? Store(stateDirectory: state).envelope(payloadDigest: digest)
                    else { return }
                    into([UInt8](record.envelopeJSON))
                }
            }
            let capture = Capture(state: state) { bytes in otherEnvelope.withLock { $0 = bytes } }
            let tamperer = EnvelopeTamperer(node: "produce", stateDirectory: state) { _ in otherEnvelope.withLock { $0 }
            }
            let run = try await Self.run(
                Self.workflow(name: "a-node-replay"), in: directory,
                observer: Observers(list: [capture, tamperer]))
            let other = try run.node("other")
            let produce = try run.node("produce")
            try Self.expectRefusal(
                run, row: "envelope of another node replayed", input: "data",
                check: "chain-continuity",
                reason: "\(other.id)")
            #expect(produce.id != other.id)
        }
    }

    @Test("an envelope from another run of the same workflow replayed")
    func otherRunReplayed() async throws {
        try await EngineHarness.withDirectory { directory in
            let state = directory + "/state"
            let earlier = try await Self.run(Self.workflow(name: "a-run-replay"), in: directory)
            #expect(earlier.summary.phase == .succeeded)
            let earlierProduce = try earlier.node("produce")
            let oldDigest = try #require(earlierProduce.envelopeDigest)
            let old = try #require(try earlier.store.envelope(payloadDigest: oldDigest))
            let bytes = [UInt8](old.envelopeJSON)
            let tamperer = EnvelopeTamperer(node: "produce", stateDirectory: state) { _ in bytes }
            let run = try await Self.run(Self.workflow(name: "a-run-replay"), in: directory, observer: tamperer)
            #expect(run.run.id != earlier.run.id)
            try Self.expectRefusal(
                run, row: "envelope from another run replayed", input: "data",
                check: "chain-continuity", reason: earlier.run.id)
        }
    }

    @Test("governance section edited in the state directory after submission, then the run resumed")
    func governanceEdited() async throws {
        try await EngineHarness.withDirectory { directory in
            let governance = """
                  governance:
                    constraints:
                      - name: from-producers
                        appliesTo: {templates: [consume]}
                        inputs: {fromTemplates: [produce]}
                """
            let yaml = Self.workflow(name: "a-governance", governance: governance, consumeSleeps: true)
            let first = try await Self.run(yaml, in: directory, stopAfter: "produce")
            // Loosen the constraint in the recorded workflow: what an attacker would do to let other inputs in.
            let changed = try StoreTampering.execute(
                stateDirectory: first.stateDirectory,
                sql: "UPDATE runs SET workflow_yaml = replace(workflow_yaml, 'fromTemplates: [produce]', "
                    + "'fromTemplates: [produce, anything]') WHERE id = ?",
                arguments: [first.run.id])
            #expect(changed == 1)
            let resumed = try await Self.run(yaml, in: directory, resume: first.run.id)
            try Self.expectRefusal(
                resumed, row: "governance edited after submission", input: Refusal.nodeLevel,
                check: "submission",
                reason: "governance edited after submission: the submission attestation covers")
            // What ran before the edit stays recorded and Succeeded.
            #expect(try resumed.node("produce").phase == .succeeded)
        }
    }

    @Test("image not allowed, and image not pinned by digest")
    func imageRules() async throws {
        try await EngineHarness.withDirectory { directory in
            let allowed = """
                  governance:
                    constraints:
                      - name: internal-images
                        appliesTo: {templates: [consume]}
                        images: {allowed: ["registry.internal/*"]}
                """
            let run = try await Self.run(Self.workflow(name: "a-image", governance: allowed), in: directory)
            try Self.expectRefusal(
                run, row: "image not allowed", input: Refusal.nodeLevel,
                check: "constraint 'internal-images'",
                reason: "image 'alpine' is not allowed (allowed: registry.internal/*)")
        }
        try await EngineHarness.withDirectory { directory in
            let pinned = """
                  governance:
                    constraints:
                      - name: pinned
                        appliesTo: {tasks: [consume]}
                        images: {pinned: true}
                """
            let run = try await Self.run(Self.workflow(name: "a-pinned", governance: pinned), in: directory)
            try Self.expectRefusal(
                run, row: "image not pinned", input: Refusal.nodeLevel, check: "constraint 'pinned'",
                reason: "image 'alpine' is not pinned by digest")
        }
    }

    @Test("input from a template the constraint does not allow")
    func inputFromDisallowedTemplate() async throws {
        try await EngineHarness.withDirectory { directory in
            let governance = """
                  governance:
                    constraints:
                      - name: trained-only
                        appliesTo: {templates: [consume]}
                        inputs: {fromTemplates: [train]}
                """
            let run = try await Self.run(Self.workflow(name: "a-template", governance: governance), in: directory)
            try Self.expectRefusal(
                run, row: "input from a disallowed template", input: "data",
                check: "constraint 'trained-only'",
                reason: "it comes from template 'produce', not one of train")
        }
    }

    @Test("broken delegation chain: refused at submission, and at the gate when a forged envelope claims it")
    func brokenDelegation() async throws {
        try await EngineHarness.withDirectory { directory in
            let platform = GovernanceFixtures.signingKey(seedByte: 51)
            let ci = GovernanceFixtures.signingKey(seedByte: 52)
            let impostor = GovernanceFixtures.signingKey(seedByte: 53)
            // The attestation claims to come from 'platform' but the impostor signed it.
            let forgedProof = DelegationAttestation.sign(
                name: "ci", delegate: ci.publicKey, roles: [.sign], with: impostor)
            let governance = """
                  governance:
                    version: sluice.dev/governance/v1
                    authorities:
                      - {name: platform, publicKey: \(platform.publicKey.hex), roles: [submit, sign, delegate]}
                    delegations:
                      - name: ci
                        from: platform
                        publicKey: \(ci.publicKey.hex)
                        roles: [sign]
                        attestation: '\(String(decoding: forgedProof.jsonBytes(), as: UTF8.self))'
                """
            let yaml = Self.workflow(name: "a-delegation", governance: governance)
            let platformFile = try Self.keyFile(platform, in: directory, name: "platform")
            let ciFile = try Self.keyFile(ci, in: directory, name: "ci")
            // 1. The engine will not sign lineage with a key only a broken delegation admits.
            await #expect {
                _ = try await Self.run(yaml, in: directory, key: platformFile, lineageKey: ciFile)
            } throws: { error in
                guard case EngineError.submissionRefused(let reason) = error else { return false }
                return reason.contains(
                    "the lineage key: key \(ci.publicKey.keyID) is not admitted for role 'sign': "
                        + "delegation 'ci' is broken: its attestation is not signed by 'platform'")
            }
            // 2. An envelope forged with that key, claiming the delegation in its trust slope, is refused.
            let tamperer = EnvelopeTamperer(node: "produce", stateDirectory: directory + "/state") { envelope in
                let statement = try Statement(payloadBytes: envelope.payload)
                var predicate = try LineagePredicate(json: statement.predicate)
                predicate.producer.signer = .init(key: ci.publicKey)
                let root = predicate.trustSlope[0]
                predicate.trustSlope = [
                    root,
                    .init(
                        authority: "platform", keyID: platform.publicKey.keyID, role: "delegate",
                        attestation: root.attestation),
                    .init(
                        authority: "ci", keyID: ci.publicKey.keyID, role: "sign", attestation: forgedProof.payloadDigest
                    ),
                ]
                let forged = Statement(
                    subjects: statement.subjects, predicateType: statement.predicateType,
                    predicate: predicate.json)
                return forged.signed(with: ci).jsonBytes()
            }
            let run = try await Self.run(yaml, in: directory, key: platformFile, observer: tamperer)
            try Self.expectRefusal(
                run, row: "broken delegation chain", input: "data", check: "signature-trust",
                reason: "delegation 'ci' is broken: its attestation is not signed by 'platform'")
        }
    }

    @Test("a valid delegation: the delegate signs lineage and every envelope carries the three-hop slope")
    func validDelegation() async throws {
        try await EngineHarness.withDirectory { directory in
            let platform = GovernanceFixtures.signingKey(seedByte: 61)
            let ci = GovernanceFixtures.signingKey(seedByte: 62)
            let proof = DelegationAttestation.sign(name: "ci", delegate: ci.publicKey, roles: [.sign], with: platform)
            let governance = """
                  governance:
                    authorities:
                      - {name: platform, publicKey: \(platform.publicKey.hex), roles: [submit, sign, delegate]}
                    delegations:
                      - name: ci
                        from: platform
                        publicKey: \(ci.publicKey.hex)
                        roles: [sign]
                        attestation: '\(String(decoding: proof.jsonBytes(), as: UTF8.self))'
                    constraints:
                      - name: signed-by-ci
                        appliesTo: {templates: [consume]}
                        inputs: {signedBy: [ci]}
                        maxChainDepth: 3
                        require: "all(inputs, {.producer.template == 'produce' && .chainDepth == 1})"
                """
            let run = try await Self.run(
                Self.workflow(name: "a-delegated", governance: governance), in: directory,
                key: try Self.keyFile(platform, in: directory, name: "platform"),
                lineageKey: try Self.keyFile(ci, in: directory, name: "ci"))
            #expect(
                run.summary.phase == .succeeded,
                "\(run.nodes.map { "\($0.displayName) \($0.phase) \($0.message ?? "")" })")
            let submission = try #require(try run.store.attestations(runID: run.run.id).first)
            #expect(submission.keyID == platform.publicKey.keyID)
            let consume = try run.node("consume")
            let consumeDigest = try #require(consume.envelopeDigest)
            let record = try #require(try run.store.envelope(payloadDigest: consumeDigest))
            let envelope = try Envelope(jsonBytes: [UInt8](record.envelopeJSON))
            #expect(try envelope.verify(trustedKeys: [ci.publicKey]) == ci.publicKey)
            let predicate = try LineagePredicate(json: try Statement(payloadBytes: envelope.payload).predicate)
            #expect(predicate.trustSlope.map(\.authority) == ["platform", "platform", "ci"])
            #expect(predicate.trustSlope.map(\.role) == ["submit", "delegate", "sign"])
            #expect(
                predicate.trustSlope.map(\.attestation.hex)
                    == [submission.payloadDigest, submission.payloadDigest, proof.payloadDigest.hex])
            // `produce` has no upstream lineage (depth 1): `consume`, its consumer, is at depth 2.
            #expect(predicate.chainDepth == 2)
        }
    }

    @Test("a chain deeper than maxChainDepth, and a require expression that is false")
    func depthAndRequire() async throws {
        try await EngineHarness.withDirectory { directory in
            let governance = """
                  governance:
                    constraints:
                      - name: shallow
                        appliesTo: {templates: [consume]}
                        maxChainDepth: 1
                """
            let run = try await Self.run(Self.workflow(name: "a-depth", governance: governance), in: directory)
            try Self.expectRefusal(
                run, row: "chain deeper than maxChainDepth", input: "data",
                check: "constraint 'shallow'",
                reason: "so this node's chain would be 2 deep; the maximum is 1")
        }
        try await EngineHarness.withDirectory { directory in
            let governance = """
                  governance:
                    constraints:
                      - name: trained-models
                        appliesTo: {templates: [consume]}
                        require: "all(inputs, {.producer.template == 'train'})"
                """
            let run = try await Self.run(Self.workflow(name: "a-require", governance: governance), in: directory)
            try Self.expectRefusal(
                run, row: "require expression false", input: Refusal.nodeLevel,
                check: "constraint 'trained-models'",
                reason: "require \"all(inputs, {.producer.template == 'train'})\" is false")
        }
    }

    @Test("require expressions see node, inputs and workflow: the documented examples hold for a clean run")
    func requireVariables() async throws {
        try await EngineHarness.withDirectory { directory in
            let governance = """
                  governance:
                    constraints:
                      - name: signers
                        require: "all(inputs, {.signer in ['run-key']})"
                      - name: runtime
                        require: "node.runtime == 'process' && node.image == 'alpine'"
                      - name: no-external
                        appliesTo: {tasks: [consume]}
                        require: "none(inputs, {.external}) && len(inputs) == 2"
                      - name: lineage-facts
                        appliesTo: {templates: [consume]}
                        require: "all(inputs, {.producer.node == 'produce' && .chainDepth == 1 && .producer.template == 'produce'}) && node.chainDepth == 2"
                      - name: workflow-facts
                        require: "workflow.name == 'a-facts' && workflow.submitter == 'run-key' && workflow.constraintsDigest startsWith 'sha256:'"
                """
            let run = try await Self.run(Self.workflow(name: "a-facts", governance: governance), in: directory)
            #expect(
                run.summary.phase == .succeeded,
                "\(run.nodes.map { "\($0.displayName): \($0.phase) \($0.message ?? "")" })")
            #expect(try run.store.denials(runID: run.run.id).isEmpty)
        }
    }

    @Test("governance carried by the sluice.dev/governance annotation is enforced like spec.governance")
    func governanceAnnotation() async throws {
        try await EngineHarness.withDirectory { directory in
            let document =
                #"{"constraints": [{"name": "trained-only", "appliesTo": {"templates": ["consume"]}, "inputs": {"fromTemplates": ["train"]}}]}"#
            let yaml = Self.workflow(name: "a-annotation").replacingOccurrences(
                of: "  name: a-annotation\n",
                with: "  name: a-annotation\n  annotations:\n    sluice.dev/governance: '\(document)'\n")
            let run = try await Self.run(yaml, in: directory)
            try Self.expectRefusal(
                run, row: "input from a disallowed template (annotation)", input: "data",
                check: "constraint 'trained-only'",
                reason: "it comes from template 'produce', not one of train")
            // Both places at once is ambiguous: refused before anything runs.
            let both = yaml.replacingOccurrences(
                of: "  entrypoint: main\n",
                with: "  entrypoint: main\n  governance: {constraints: [{name: x, maxChainDepth: 9}]}\n")
            await #expect {
                _ = try await Self.run(both, in: directory)
            } throws: { error in
                "\(error)".contains("governance is given twice")
            }
        }
    }

    @Test("key revoked inline by the workflow's governance")
    func inlineRevocation() async throws {
        try await EngineHarness.withDirectory { directory in
            let key = GovernanceFixtures.signingKey(seedByte: 71)
            let governance = """
                  governance:
                    revocations:
                      - {key: \(key.publicKey.keyID), reason: "rotated after the audit"}
                """
            let run = try await Self.run(
                Self.workflow(name: "a-inline", governance: governance), in: directory,
                key: try Self.keyFile(key, in: directory, name: "k"))
            // A revoked key signs nothing: `other`, which has no input, is refused before it runs.
            try Self.expectRefusal(
                run, row: "revoked key (inline)", node: "other", input: Refusal.nodeLevel,
                check: "revoked",
                reason: "the node's lineage cannot be signed under this run's trust slope "
                    + "('run-key' / submit): key \(key.publicKey.keyID) is revoked by the "
                    + "workflow's governance: rotated after the audit")
        }
    }

    @Test("missing envelope")
    func missingEnvelope() async throws {
        try await EngineHarness.withDirectory { directory in
            let tamperer = EnvelopeTamperer(node: "produce", stateDirectory: directory + "/state") { _ in nil }
            let run = try await Self.run(Self.workflow(name: "a-missing"), in: directory, observer: tamperer)
            try Self.expectRefusal(
                run, row: "missing envelope", input: "data", check: "envelope-missing",
                reason: "is not in the store")
        }
    }
}

/// Fans events out to several observers.
struct Observers: RunObserver {
    let list: [any RunObserver]

    func runDidChange(_ event: RunEvent) {
        for observer in list { observer.runDidChange(event) }
    }
}

import Foundation
import SluiceGovernance
import SluiceTesting
import Testing

/// One producer envelope and the facts a gatherer would hand ``LineagePolicy`` about it: a genuine run by
/// default, which each row of the attack table changes in one way (facts in, verdict out: no store, no engine).
struct PolicyFixture: Sendable {
    var runKey = GovernanceFixtures.signingKey(seedByte: 7)
    /// The governance document as JSON text; nil for none.
    var governanceText: String?
    var runID = "run-1"
    var spec = GovernanceFixtures.specDigest()
    var submission = Digest.sha256(utf8: "submission")
    var subject = "outputs/artifacts/model"
    /// The subject the consumer takes; nil for the signed one.
    var consumedSubject: String?
    /// The bytes the producer signed.
    var signedBytes = "model weights"
    /// The bytes the gatherer measured; nil for the signed ones.
    var measuredBytes: String?
    /// The producer's node id as the consumer expects it.
    var producer = "train"
    var revocations = LineagePolicy.Revocations.listed([])
    /// Whether the consumer's policy checks governance and constraints (false: outputs of an earlier run).
    var enforcesConstraints = true
    var submissionProblem: String?
    /// The key that signs the envelope; nil for the run key.
    var signingKey: SigningKey?
    /// Changes the producer's predicate before it is signed.
    var editPredicate: @Sendable (inout LineagePredicate) -> Void = { _ in }
    /// Changes the envelope's bytes after it is signed.
    var editEnvelope: (@Sendable (Envelope) -> [UInt8])?
    /// The payload digest the store recorded; nil for the envelope's own.
    var recorded: Digest?
    /// Set to make the envelope absent, with this reason.
    var absentReason: String?
    /// The consuming node, as its constraints see it once its image is known.
    var consumer = GatedNode(displayName: "deploy", templateName: "deploy", image: "alpine", runtime: "podman")

    func governance() throws -> GovernanceDocument {
        guard let governanceText else { return .none }
        return try GovernanceDocument(json: CanonicalJSON(parsing: Array(governanceText.utf8)))
    }

    func chain() throws -> TrustChain {
        TrustChain(governance: try governance(), runKey: runKey.publicKey)
    }

    /// The slope the run's envelopes carry: from the submission to the run key as signer.
    func slope() throws -> [LineagePredicate.TrustHop] {
        let chain = try chain()
        let member = try chain.admit(runKey.publicKey, for: .sign)
        let submitter = try chain.admit(runKey.publicKey, for: .submit)
        return TrustChain.slope(submitter: submitter, submission: submission, signer: member)
    }

    func policy() throws -> LineagePolicy {
        LineagePolicy(
            governance: try governance(), chain: try chain(), runID: runID, workflowDigest: spec,
            submissionDigest: submission, submissionProblem: submissionProblem,
            enforcesConstraints: enforcesConstraints, signingSlope: try slope())
    }

    /// The producer's envelope, as signed.
    func envelope() throws -> Envelope {
        let governance = try governance()
        var predicate = GovernanceFixtures.lineagePredicate(
            runID: runID, nodeID: "train", specDigest: spec, signer: (signingKey ?? runKey).publicKey)
        predicate.governance = .init(specDigest: governance.digest, constraintsDigest: governance.constraintsDigest)
        predicate.trustSlope = try slope()
        editPredicate(&predicate)
        return GovernanceFixtures.signedLineage(
            subjects: [.init(name: subject, sha256: .sha256(utf8: signedBytes))], predicate: predicate,
            key: signingKey ?? runKey)
    }

    /// What the gatherer hands the policy.
    func upstream() throws -> LineagePolicy.Upstream {
        let envelope = try envelope()
        let fact: LineagePolicy.EnvelopeFact =
            absentReason.map { .absent(reason: $0) }
            ?? .found(
                bytes: editEnvelope.map { $0(envelope) } ?? envelope.jsonBytes(),
                recordedPayloadDigest: recorded ?? envelope.payloadDigest, keyID: runKey.publicKey.keyID)
        return LineagePolicy.Upstream(
            input: "model", producerNode: producer, producerName: "train", subject: consumedSubject ?? subject,
            measured: .sha256(utf8: measuredBytes ?? signedBytes), envelope: fact)
    }

    /// The policy's verdict on node `deploy` consuming the upstream output: the run, the input under the node's
    /// constraints, then the node's own constraints over the input's facts.
    func verdict() throws -> Refusal? {
        var memo = LineagePolicy.Memo()
        let policy = try policy()
        if let refusal = policy.runRefusal(node: consumer.displayName, revocations: revocations) { return refusal }
        let upstream = try upstream()
        let verdict = policy.admit(
            upstream, into: consumer.displayName, constraints: policy.constraints(for: consumer),
            revocations: revocations, memo: &memo)
        switch verdict {
        case .failure(let refusal): return refusal
        case .success(let input):
            let facts = ConstraintEvaluator.inputFacts(
                input.predicate, name: upstream.input, kind: "artifact", digest: upstream.measured.hex,
                keyID: input.signer.keyID)
            return policy.nodeRefusal(consumer, chainDepth: input.predicate.chainDepth + 1, inputs: [facts])
        }
    }

    /// A copy whose governance holds one constraint `c` applying to `deploy`, with `rule` (JSON members).
    func governed(by rule: String) -> PolicyFixture {
        with {
            $0.governanceText = #"{"constraints": [{"name": "c", "appliesTo": {"templates": ["deploy"]}, \#(rule)}]}"#
        }
    }

    /// A copy with `change` applied.
    func with(_ change: (inout PolicyFixture) -> Void) -> PolicyFixture {
        var copy = self
        change(&copy)
        return copy
    }
}

/// A row of the attack table: what the attacker changed, and the refusal the policy must give.
struct AttackRow: Sendable, CustomTestStringConvertible {
    var attack: String
    var fixture: PolicyFixture
    var check: String
    /// The whole reason, or (with `exact` false) a part of it.
    var reason: String
    var exact = true
    var input = "model"

    var testDescription: String { attack }
}

@Suite("Lineage policy")
struct LineagePolicyTests {
    static let genuine = PolicyFixture()
    static let outsider = GovernanceFixtures.signingKey(seedByte: 41)
    static let runKeyID = genuine.runKey.publicKey.keyID

    static let rows: [AttackRow] = [
        AttackRow(
            attack: "the envelope is missing",
            fixture: genuine.with { $0.absentReason = "its envelope sha256:ab is not in the store" },
            check: "envelope-missing", reason: "its envelope sha256:ab is not in the store (producer 'train')"),
        AttackRow(
            attack: "the artifact was modified after it was produced",
            fixture: genuine.with { $0.measuredBytes = "forged" }, check: "subject-digest",
            reason: "subject 'outputs/artifacts/model' digest \(Digest.sha256(utf8: "model weights")) does not match "
                + "the artifact's \(Digest.sha256(utf8: "forged")) (producer 'train')",
            exact: false),
        AttackRow(
            attack: "the envelope was re-signed by a key the governance does not admit",
            fixture: genuine.with { $0.signingKey = outsider }, check: "signature-trust",
            reason: "signed by key \(outsider.publicKey.keyID) which is not trusted", exact: false),
        AttackRow(
            attack: "the signature bytes were altered",
            fixture: genuine.with {
                $0.editEnvelope = { envelope in
                    var signature = envelope.signatures[0]
                    signature.sig[10] ^= 0x01
                    return Envelope(
                        payloadType: envelope.payloadType, payload: envelope.payload, signatures: [signature]
                    )
                    .jsonBytes()
                }
            },
            check: "signature", reason: "does not verify", exact: false),
        AttackRow(
            attack: "another node's envelope was put in place of the producer's",
            fixture: genuine.with { $0.producer = "other" }, check: "chain-continuity",
            reason: "other", exact: false),
        AttackRow(
            attack: "an envelope from another run was replayed",
            fixture: genuine.with { $0.editPredicate = { $0.workflow.runID = "run-0" } }, check: "chain-continuity",
            reason: "run-0", exact: false),
        AttackRow(
            attack: "an envelope of another workflow was replayed",
            fixture: genuine.with { $0.editPredicate = { $0.workflow.specDigest = .sha256(utf8: "other spec") } },
            check: "chain-continuity", reason: Digest.sha256(utf8: "other spec").description, exact: false),
        AttackRow(
            attack: "the consumed subject is not in the envelope",
            fixture: genuine.with { $0.consumedSubject = "outputs/artifacts/other" },
            check: "subject-missing", reason: "(producer 'train')", exact: false),
        AttackRow(
            attack: "an earlier attempt's valid envelope stands in for the recorded one",
            fixture: genuine.with { $0.recorded = .sha256(utf8: "the recorded envelope") }, check: "envelope-digest",
            reason: Digest.sha256(utf8: "the recorded envelope").description, exact: false),
        AttackRow(
            attack: "the envelope is not a lineage statement",
            fixture: genuine.with { $0.editEnvelope = { _ in Array("{\"payload\": 1}".utf8) } },
            check: "envelope-format", reason: "(producer 'train')", exact: false),
        AttackRow(
            attack: "the signing key was revoked with sluice revoke",
            fixture: genuine.with { $0.revocations = .listed([.init(kind: .key, value: runKeyID, reason: "lost")]) },
            check: "revoked",
            reason: "the node's lineage cannot be signed under this run's trust slope ('run-key' / submit): signing "
                + "key \(runKeyID) is revoked: lost",
            input: Refusal.nodeLevel),
        AttackRow(
            attack: "the revocations cannot be read",
            fixture: genuine.with { $0.revocations = .unreadable(reason: "database is locked") }, check: "revoked",
            reason: "the node's lineage cannot be signed under this run's trust slope ('run-key' / submit): cannot "
                + "read the revocations, so the input cannot be admitted: database is locked",
            input: Refusal.nodeLevel),
        AttackRow(
            attack: "the key was revoked by the workflow's governance",
            fixture: genuine.with {
                $0.governanceText = #"{"revocations": [{"key": "\#(runKeyID)", "reason": "rotated"}]}"#
            },
            check: "revoked",
            reason: "the node's lineage cannot be signed under this run's trust slope ('run-key' / submit): key "
                + "\(runKeyID) is revoked by the workflow's governance: rotated",
            input: Refusal.nodeLevel),
        AttackRow(
            attack: "the governance was edited after submission",
            fixture: genuine.with { $0.submissionProblem = "governance edited after submission" }, check: "submission",
            reason: "governance edited after submission", input: Refusal.nodeLevel),
        AttackRow(
            attack: "the slope starts at another submission",
            fixture: genuine.with { $0.editPredicate = { $0.trustSlope[0].attestation = .sha256(utf8: "earlier") } },
            check: "trust-slope",
            reason: "it starts at submission \(Digest.sha256(utf8: "earlier")), not this run's "
                + "\(Digest.sha256(utf8: "submission")) (producer 'train')"),
        AttackRow(
            attack: "the slope does not start at a submission",
            fixture: genuine.with { $0.editPredicate = { $0.trustSlope.removeFirst() } }, check: "trust-slope",
            reason: "it does not start at a submission (producer 'train')"),
        AttackRow(
            attack: "the input was produced under another governance",
            fixture: genuine.with {
                $0.editPredicate = { $0.governance.specDigest = .sha256(utf8: "looser") }
            },
            check: "governance-digest",
            reason: "it was produced under governance \(Digest.sha256(utf8: "looser")), this node runs under "
                + "\(CanonicalJSON.null.digest) (producer 'train')"),
        AttackRow(
            attack: "an earlier run's output was produced under other constraints",
            fixture: genuine.with {
                $0.enforcesConstraints = false
                $0.editPredicate = { $0.governance.constraintsDigest = .sha256(utf8: "looser") }
            },
            check: "constraints-digest",
            reason: "it was produced under constraints \(Digest.sha256(utf8: "looser")), neither this run's "
                + "\(CanonicalJSON.null.digest) nor one declared in compatibleConstraints (producer 'train')"),
    ]

    static let constraintRows: [AttackRow] = [
        AttackRow(
            attack: "the input comes from a template the constraint does not allow",
            fixture: genuine.governed(by: #""inputs": {"fromTemplates": ["evil"]}"#), check: "constraint 'c'",
            reason: "it comes from template 'train', not one of evil (producer 'train')"),
        AttackRow(
            attack: "the input's chain is deeper than maxChainDepth",
            fixture: genuine.governed(by: #""maxChainDepth": 1"#), check: "constraint 'c'",
            reason: "it has 1 producer(s) behind it, so this node's chain would be 2 deep; the maximum is 1 "
                + "(producer 'train')"),
        AttackRow(
            attack: "the input's producer does not record its isolation",
            fixture: genuine.governed(by: #""isolation": {"allowed": ["container"]}"#), check: "constraint 'c'",
            reason: "its producer 'train' does not record its isolation (signed before isolation was recorded); the "
                + "constraint admits only container (producer 'train')"),
        AttackRow(
            attack: "the node runs without isolation",
            fixture: genuine.governed(by: #""isolation": {"allowed": ["container"], "inputs": false}"#).with {
                $0.consumer.isolation = "none"
            },
            check: "constraint 'c'",
            reason: "it runs under isolation 'none', not one of container (a node without isolation can read the "
                + "signing key)",
            input: Refusal.nodeLevel),
        AttackRow(
            attack: "the node's image is not allowed",
            fixture: genuine.governed(by: #""images": {"allowed": ["registry.internal/*"]}"#), check: "constraint 'c'",
            reason: "image 'alpine' is not allowed (allowed: registry.internal/*)", input: Refusal.nodeLevel),
        AttackRow(
            attack: "the node's image is not pinned by digest",
            fixture: genuine.governed(by: #""images": {"pinned": true}"#), check: "constraint 'c'",
            reason: "image 'alpine' is not pinned by digest (write it as name@sha256:<64 lowercase hex>)",
            input: Refusal.nodeLevel),
        AttackRow(
            attack: "an image rule governs a node on the process runtime",
            fixture: genuine.governed(by: #""images": {"allowed": ["alpine"]}"#).with {
                $0.consumer.runtime = "process"
            },
            check: "constraint 'c'", reason: "it runs on the process runtime, where image 'alpine' is only a label",
            exact: false, input: Refusal.nodeLevel),
        AttackRow(
            attack: "a require expression is false",
            fixture: genuine.governed(by: #""require": "all(inputs, {.producer.template == 'evil'})""#),
            check: "constraint 'c'", reason: "require \"all(inputs, {.producer.template == 'evil'})\" is false",
            input: Refusal.nodeLevel),
    ]

    @Test("each constraint the node or its input breaks is refused, naming the constraint", arguments: constraintRows)
    func constraintRefused(_ row: AttackRow) throws {
        try attackRefused(row)
    }

    @Test("constraints that hold admit the node; a node outside their scope is not governed")
    func constraintsHold() throws {
        let holding = Self.genuine.governed(
            by: #""inputs": {"fromTemplates": ["train"]}, "maxChainDepth": 2, "require": "node.chainDepth == 2""#)
        #expect(try holding.verdict() == nil)
        let elsewhere = Self.genuine.governed(by: #""images": {"pinned": true}"#).with {
            $0.consumer = GatedNode(displayName: "other", templateName: "other", image: "alpine", runtime: "podman")
        }
        #expect(try elsewhere.verdict() == nil)
    }

    @Test("a workflow argument no node signed is refused by an inputs rule unless fromParameters names it")
    func unsignedArgument() throws {
        let argument = UnsignedInput(name: "env", kind: .parameter, source: "argument", sourceName: "env", digest: "00")
        let policy = try Self.genuine.governed(by: #""inputs": {"fromTemplates": ["train"]}"#).policy()
        let constraints = policy.constraints(for: Self.genuine.consumer)
        #expect(
            policy.unsignedRefusal(argument, into: "deploy", constraints: constraints)
                == Refusal(
                    node: "deploy", input: "env", check: "constraint 'c'",
                    reason: "it is workflow argument 'env', which no node signed; the constraint admits no unsigned "
                        + "values (inputs.fromParameters)"))
        let named = try Self.genuine.governed(by: #""inputs": {"fromTemplates": ["train"], "fromParameters": ["env"]}"#)
            .policy()
        #expect(
            named.unsignedRefusal(argument, into: "deploy", constraints: named.constraints(for: Self.genuine.consumer))
                == nil)
        let literal = UnsignedInput(name: "mode", kind: .parameter, source: "literal", sourceName: nil, digest: "00")
        #expect(policy.unsignedRefusal(literal, into: "deploy", constraints: constraints) == nil)
    }

    @Test("the genuine input is admitted, with the verified predicate and signer")
    func genuineAdmitted() throws {
        var memo = LineagePolicy.Memo()
        let fixture = Self.genuine
        let verdict = try fixture.policy().admit(
            fixture.upstream(), into: "deploy", revocations: fixture.revocations, memo: &memo)
        let input = try verdict.get()
        #expect(input.signer == fixture.runKey.publicKey)
        #expect(input.predicate.node.id == "train")
        #expect(input.subject.name == "outputs/artifacts/model")
    }

    @Test("each attack is refused, naming the input, the check and the reason", arguments: rows)
    func attackRefused(_ row: AttackRow) throws {
        let refusal = try #require(try row.fixture.verdict(), "\(row.attack) was admitted")
        #expect(refusal.node == "deploy")
        #expect(refusal.input == row.input)
        #expect(refusal.check == row.check, "\(refusal)")
        if row.exact {
            #expect(refusal.reason == row.reason)
        } else {
            #expect(refusal.reason.contains(row.reason), "\(refusal.reason)")
        }
    }

    @Test("a revoked envelope, or a revoked key on the slope of an earlier run's envelope, refuses the input")
    func revokedUpstream() throws {
        let envelope = try Self.genuine.envelope()
        let byEnvelope = Self.genuine.with {
            $0.revocations = .listed([.init(kind: .envelope, value: envelope.payloadDigest.hex, reason: "leaked")])
        }
        #expect(
            try byEnvelope.verdict()
                == Refusal(
                    node: "deploy", input: "model", check: "revoked",
                    reason: "envelope \(envelope.payloadDigest) is revoked: leaked (producer 'train')"))
        // A key revoked after an earlier run signed: the earlier run's envelope is refused when reused.
        let earlier = Self.genuine.with { fixture in
            fixture.enforcesConstraints = false
            fixture.revocations = .listed([.init(kind: .key, value: Self.runKeyID, reason: "compromised")])
        }
        var memo = LineagePolicy.Memo()
        let verdict = try earlier.policy().admit(
            earlier.upstream(), into: "deploy", revocations: earlier.revocations, memo: &memo)
        #expect(
            verdict.failure
                == Refusal(
                    node: "deploy", input: "model", check: "revoked",
                    reason: "signing key \(Self.runKeyID) is revoked: compromised (producer 'train')"))
    }

    @Test("signing is refused while a key of the run's slope is revoked, and allowed otherwise")
    func signing() throws {
        let policy = try Self.genuine.policy()
        #expect(policy.signingRefusal(node: "deploy", revocations: .listed([])) == nil)
        let refusal = policy.signingRefusal(
            node: "deploy", revocations: .listed([.init(kind: .key, value: Self.runKeyID, reason: "lost")]))
        #expect(
            refusal?.description == "node 'deploy' refused: revoked: the node's lineage cannot be signed under "
                + "this run's trust slope ('run-key' / submit): signing key \(Self.runKeyID) is revoked: lost")
    }

    @Test("a node is reused on resume only when its recorded envelope verifies and records a success")
    func reuse() throws {
        let genuine = Self.genuine
        let policy = try genuine.policy()
        let envelope = try genuine.envelope()
        let found = LineagePolicy.EnvelopeFact.found(
            bytes: envelope.jsonBytes(), recordedPayloadDigest: envelope.payloadDigest, keyID: Self.runKeyID)
        #expect(policy.reuseRefusal(node: "train", nodeID: "train", envelope: found) == nil)
        #expect(
            policy.reuseRefusal(node: "train", nodeID: "train", envelope: .absent(reason: "it has no lineage envelope"))
                == Refusal(
                    node: "train", input: Refusal.nodeLevel, check: "envelope-missing",
                    reason: "it cannot be reused on resume: it has no lineage envelope"))
        let failed = try genuine.with { $0.editPredicate = { $0.outcome = "Failed" } }.envelope()
        let refusal = policy.reuseRefusal(
            node: "train", nodeID: "train",
            envelope: .found(
                bytes: failed.jsonBytes(), recordedPayloadDigest: failed.payloadDigest, keyID: Self.runKeyID))
        #expect(
            refusal?.description == "node 'train' refused: outcome: it cannot be reused on resume: its envelope "
                + "records it as Failed, not Succeeded")
        let other = policy.reuseRefusal(
            node: "train", nodeID: "train",
            envelope: .found(
                bytes: envelope.jsonBytes(), recordedPayloadDigest: failed.payloadDigest, keyID: Self.runKeyID))
        #expect(other?.check == "envelope-digest")
    }

    @Test("a submission that no longer covers the run refuses every node, but not reuse of what ran before")
    func submissionProblem() throws {
        let policy = try Self.genuine.with { $0.submissionProblem = "workflow edited after submission" }.policy()
        #expect(
            policy.runRefusal(node: "deploy", revocations: .listed([]))
                == Refusal(
                    node: "deploy", input: Refusal.nodeLevel, check: "submission",
                    reason: "workflow edited after submission"))
        #expect(policy.reuseRefusal(node: "train", nodeID: "train", envelope: .absent(reason: "none")) == nil)
    }
}

extension Result {
    /// The failure, or nil.
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

/// The same policy over recorded lineage (offline verification): every problem of an envelope, each naming the
/// file its facts came from, and each consumer-to-producer link.
@Suite("Lineage policy over recorded lineage")
struct RecordedLineagePolicyTests {
    static let fixture = PolicyFixture()

    /// The facts a bundle verifier gathers for the fixture's run.
    static func recordedRun(_ change: (inout LineagePolicy.RecordedRun) -> Void = { _ in }) throws
        -> LineagePolicy.RecordedRun
    {
        var run = LineagePolicy.RecordedRun(
            governanceFile: "governance.json", runIDSource: "status.json", workflowFile: "the bundled workflow.yaml")
        run.governance = try fixture.governance()
        run.chain = try fixture.chain()
        run.submissionDigest = fixture.submission
        run.submitterKey = fixture.runKey.publicKey
        run.runID = fixture.runID
        run.workflowDigest = fixture.spec
        run.templateDigests = [:]
        change(&run)
        return run
    }

    static func recorded(_ fixture: PolicyFixture = fixture) throws -> LineagePolicy.RecordedEnvelope {
        let envelope = try fixture.envelope()
        let predicate = try LineagePredicate(json: Statement(payloadBytes: envelope.payload).predicate)
        return .init(predicate: predicate, signer: fixture.runKey.publicKey, payloadDigest: envelope.payloadDigest)
    }

    @Test("a genuine recorded envelope has no problem")
    func genuine() throws {
        let run = try Self.recordedRun()
        #expect(LineagePolicy.continuityRefusals(of: try Self.recorded(), in: run).isEmpty)
        #expect(LineagePolicy.trustRefusals(of: try Self.recorded(), in: run).isEmpty)
    }

    @Test("every continuity problem is reported, naming where the facts were read")
    func continuity() throws {
        let edited = Self.fixture.with {
            $0.editPredicate = {
                $0.workflow.runID = "run-0"
                $0.workflow.specDigest = .sha256(utf8: "other spec")
                $0.node.templateDigest = .sha256(utf8: "template")
            }
        }
        let refusals = LineagePolicy.continuityRefusals(of: try Self.recorded(edited), in: try Self.recordedRun())
        #expect(refusals.map(\.check) == ["chain-continuity", "chain-continuity", "submission"])
        #expect(
            refusals.map(\.reason) == [
                "it belongs to run run-0, not run-1 (status.json)",
                "its workflow digest \(Digest.sha256(utf8: "other spec")) is not the digest of the bundled workflow.yaml, "
                    + "\(Self.fixture.spec)",
                "it ran template 'train', which the submission does not cover",
            ])
    }

    @Test("revocations, governance digests and the slope are all checked")
    func trust() throws {
        let edited = Self.fixture.with {
            $0.editPredicate = {
                $0.governance.specDigest = .sha256(utf8: "looser")
                $0.trustSlope[0].attestation = .sha256(utf8: "earlier")
            }
        }
        let recorded = try Self.recorded(edited)
        let run = try Self.recordedRun {
            $0.revocations = [.init(kind: .envelope, value: recorded.payloadDigest.hex, reason: "leaked")]
        }
        let refusals = LineagePolicy.trustRefusals(of: recorded, in: run)
        #expect(refusals.map(\.check) == ["revoked", "governance-digest", "trust-slope"])
        #expect(
            refusals.map(\.reason) == [
                "envelope \(recorded.payloadDigest) is revoked: leaked",
                "it was produced under governance \(Digest.sha256(utf8: "looser")), but governance.json is "
                    + "\(CanonicalJSON.null.digest)",
                "it starts at submission \(Digest.sha256(utf8: "earlier")), not this run's \(Self.fixture.submission)",
            ])
    }

    @Test("verify RUN: a stored node's envelope must sign its recorded outputs, and its artifacts must re-hash")
    func storedOutputs() {
        let model = Statement.Subject(name: "outputs/artifacts/model", sha256: .sha256(utf8: "model weights"))
        let note = Statement.Subject(name: "outputs/parameters/note", sha256: .sha256(utf8: "n1"))
        let artifact = LineagePolicy.StoredArtifact(
            name: "model", recordedDigest: Digest.sha256(utf8: "model weights").hex,
            measured: .sha256(utf8: "model weights"), path: "/state/artifacts/ab")
        #expect(
            LineagePolicy.storedOutputRefusals(
                node: "train", signed: [model, note], recorded: [model, note], artifacts: [artifact]
            ).isEmpty)
        var edited = artifact
        edited.measured = .sha256(utf8: "forged")
        let edits = LineagePolicy.storedOutputRefusals(
            node: "train", signed: [model, note],
            recorded: [model, Statement.Subject(name: "outputs/parameters/note", sha256: .sha256(utf8: "n2"))],
            artifacts: [edited])
        #expect(
            edits.map(\.reason) == [
                "subject 'outputs/parameters/note' does not match the recorded output",
                "artifact 'model' is sha256:\(artifact.recordedDigest) in the envelope but \(Digest.sha256(utf8: "forged")) "
                    + "in the store (/state/artifacts/ab)",
            ])
    }

    @Test("a link is the subject its producer signed, with the digest consumed")
    func links() throws {
        let producer = try Self.recorded().predicate
        let subjects = [Statement.Subject(name: "outputs/artifacts/model", sha256: .sha256(utf8: "model weights"))]
        func link(_ digest: Digest, subject: String = "outputs/artifacts/model", node: String = "train") -> Refusal? {
            LineagePolicy.linkRefusal(
                .init(
                    name: "model", kind: .artifact, digest: ["sha256": digest.hex], producerNode: node,
                    subjectName: subject, envelopePayloadDigest: .sha256(utf8: "x")),
                consumer: "deploy", producer: producer, subjects: subjects, producerFile: "envelopes/train.intoto.json")
        }
        #expect(link(.sha256(utf8: "model weights")) == nil)
        #expect(link(.sha256(utf8: "forged"))?.check == "subject-digest")
        #expect(
            link(.sha256(utf8: "model weights"), subject: "outputs/artifacts/other")?.reason
                == "input 'model' of node 'deploy': envelopes/train.intoto.json has no subject 'outputs/artifacts/other'"
        )
        #expect(
            link(.sha256(utf8: "model weights"), node: "other")?.reason
                == "input 'model' of node 'deploy' should come from node 'other', but envelopes/train.intoto.json "
                + "attests node 'train'")
    }
}

import Foundation
import SluiceGovernance
import SluiceTesting
import Testing

/// `spec.governance` as a document: parsing, errors naming the field, delegation proofs and the trust chain.
@Suite("Governance document and trust chain")
struct GovernanceDocumentTests {
    static let platform = GovernanceFixtures.signingKey(seedByte: 81)
    static let ci = GovernanceFixtures.signingKey(seedByte: 82)
    static let nightly = GovernanceFixtures.signingKey(seedByte: 83)

    static func document(_ json: CanonicalJSON) throws -> GovernanceDocument {
        try GovernanceDocument(json: json)
    }

    static func delegation(_ name: String, from: String, key: PublicKey, roles: [String], attestation: Envelope)
        -> CanonicalJSON
    {
        [
            "name": .string(name), "from": .string(from), "publicKey": .string(key.hex),
            "roles": .array(roles.map { .string($0) }),
            "attestation": .string(String(decoding: attestation.jsonBytes(), as: UTF8.self)),
        ]
    }

    @Test("no governance: empty document, digest of null, the run key admitted for every role as run-key")
    func empty() throws {
        let document = try GovernanceDocument(json: nil)
        #expect(document.digest == CanonicalJSON.null.digest)
        #expect(document.constraintsDigest == CanonicalJSON.null.digest)
        let chain = TrustChain(governance: document, runKey: Self.platform.publicKey)
        for role in GovernanceDocument.Role.allCases {
            #expect(try chain.admit(Self.platform.publicKey, for: role).name == "run-key")
        }
        #expect(throws: GovernanceError.self) { try chain.admit(Self.ci.publicKey, for: .sign) }
    }

    @Test("YAML scalars (all strings) are read as the integers and Booleans they spell")
    func scalarsAsStrings() throws {
        let document = try Self.document([
            "constraints": [
                ["name": "c", "maxChainDepth": "3", "images": ["pinned": "true", "allowed": ["a/*"]]]
            ]
        ])
        #expect(document.constraints[0].maxChainDepth == 3)
        #expect(document.constraints[0].images?.allowed == ["a/*"])
        #expect(document.constraints[0].images?.pinned == true)
        #expect(document.constraints[0].appliesTo == .all)
    }

    @Test("an isolation rule reads its modes, and covers inputs unless told otherwise")
    func isolationRule() throws {
        let document = try Self.document([
            "constraints": [
                ["name": "a", "isolation": ["allowed": ["bubblewrap", "container"]]],
                ["name": "b", "isolation": ["allowed": ["none"], "inputs": "false"]],
            ]
        ])
        #expect(document.constraints[0].isolation == .init(allowed: ["bubblewrap", "container"], inputs: true))
        #expect(document.constraints[1].isolation == .init(allowed: ["none"], inputs: false))
    }

    @Test(
        "malformed documents name the field and what is wrong",
        arguments: [
            (
                ["version": "sluice.dev/governance/v9"] as CanonicalJSON,
                "spec.governance.version is 'sluice.dev/governance/v9'; this engine reads sluice.dev/governance/v1"
            ),
            (["authorities": [["name": "a"]]], "spec.governance.authorities[0].publicKey is missing"),
            (
                ["authorities": [["name": "a", "publicKey": "zz"]]],
                "spec.governance.authorities[0].publicKey is not an Ed25519 public key"
            ),
            (
                ["constraints": [["name": "c", "require": "true", "colour": "red"]]],
                "spec.governance.constraints[0].colour is not a known field"
            ),
            (["constraints": [["name": "c"]]], "spec.governance.constraints[0] ('c') requires nothing"),
            (
                ["constraints": [["name": "c", "maxChainDepth": "0"]]],
                "spec.governance.constraints[0].maxChainDepth must be at least 1"
            ),
            (
                ["constraints": [["name": "c", "inputs": ["signedBy": ["nobody"]]]]],
                "spec.governance.constraints[0].inputs.signedBy names 'nobody', which is not an authority or delegation"
            ),
            (
                ["constraints": [["name": "c", "isolation": ["allowed": ["chroot"]]]]],
                "spec.governance.constraints[0].isolation.allowed[0] is 'chroot', not one of bubblewrap, container, none"
            ),
            (
                ["constraints": [["name": "c", "isolation": ["inputs": "true"]]]],
                "spec.governance.constraints[0].isolation.allowed is missing: list the admitted modes (bubblewrap, container, none)"
            ),
            (
                ["constraints": [["name": "c", "isolation": ["allowed": ["none"], "nodes": "all"]]]],
                "spec.governance.constraints[0].isolation.nodes is not a known field (known: allowed, inputs)"
            ),
            (
                ["revocations": [["reason": "x"]]],
                "spec.governance.revocations[0].key give exactly one of key or envelope"
            ),
            (["compatibleConstraints": ["md5:00"]], "spec.governance.compatibleConstraints[0] is not sha256:<64 hex>"),
            (
                [
                    "delegations": [
                        ["name": "d", "from": "ghost", "publicKey": "00", "roles": ["sign"], "attestation": "{}"]
                    ]
                ], "spec.governance.delegations[0].from 'ghost' is not an authority or an earlier delegation"
            ),
        ] as [(CanonicalJSON, String)])
    func malformed(json: CanonicalJSON, message: String) {
        #expect {
            _ = try GovernanceDocument(json: json)
        } throws: { error in
            (error as? GovernanceError)?.description.hasPrefix(message) == true
        }
    }

    @Test("a valid two-hop delegation admits the delegate, with its chain and attestation digests")
    func twoHopDelegation() throws {
        let first = DelegationAttestation.sign(
            name: "ci", delegate: Self.ci.publicKey, roles: [.sign, .delegate],
            with: Self.platform)
        let second = DelegationAttestation.sign(
            name: "nightly", delegate: Self.nightly.publicKey, roles: [.sign],
            with: Self.ci)
        let document = try Self.document([
            "authorities": [["name": "platform", "publicKey": .string(Self.platform.publicKey.pem)]],
            "delegations": [
                Self.delegation(
                    "ci", from: "platform", key: Self.ci.publicKey, roles: ["sign", "delegate"],
                    attestation: first),
                Self.delegation(
                    "nightly", from: "ci", key: Self.nightly.publicKey, roles: ["sign"], attestation: second),
            ],
        ])
        let chain = TrustChain(governance: document, runKey: Self.platform.publicKey)
        #expect(chain.broken.isEmpty)
        let member = try chain.admit(Self.nightly.publicKey, for: .sign)
        #expect(member.chain.map(\.name) == ["platform", "ci", "nightly"])
        #expect(member.chain.map(\.attestation) == [nil, first.payloadDigest, second.payloadDigest])
        let submitter = try chain.admit(Self.platform.publicKey, for: .submit)
        let submission = Digest.sha256(utf8: "submission")
        let slope = TrustChain.slope(submitter: submitter, submission: submission, signer: member)
        #expect(slope.map(\.role) == ["submit", "delegate", "delegate", "sign"])
        #expect(slope.map(\.attestation) == [submission, submission, first.payloadDigest, second.payloadDigest])
        // nightly may sign, not submit.
        #expect {
            _ = try chain.admit(Self.nightly.publicKey, for: .submit)
        } throws: { error in
            (error as? GovernanceError)?.description.contains("'nightly' holds only the role(s) sign") == true
        }
    }

    @Test("broken delegations: wrong signer, role not held, delegator without delegate, other key, tampered roles")
    func brokenDelegations() throws {
        let byImpostor = DelegationAttestation.sign(
            name: "ci", delegate: Self.ci.publicKey, roles: [.sign],
            with: Self.nightly)
        let forOtherKey = DelegationAttestation.sign(
            name: "ci", delegate: Self.nightly.publicKey, roles: [.sign],
            with: Self.platform)
        let signOnly = DelegationAttestation.sign(
            name: "ci", delegate: Self.ci.publicKey, roles: [.sign],
            with: Self.platform)
        let cases: [(CanonicalJSON, [String], Envelope, String)] = [
            (
                ["name": "platform", "publicKey": .string(Self.platform.publicKey.hex)], ["sign"], byImpostor,
                "its attestation is not signed by 'platform'"
            ),
            (
                ["name": "platform", "publicKey": .string(Self.platform.publicKey.hex)], ["sign"], forOtherKey,
                "its attestation does not name the delegated key"
            ),
            (
                ["name": "platform", "publicKey": .string(Self.platform.publicKey.hex)], ["sign", "submit"], signOnly,
                "its attestation does not grant role(s) submit"
            ),
            (
                ["name": "platform", "publicKey": .string(Self.platform.publicKey.hex), "roles": ["submit", "sign"]],
                ["sign"], signOnly, "'platform' does not hold the role 'delegate'"
            ),
            (
                ["name": "platform", "publicKey": .string(Self.platform.publicKey.hex), "roles": ["delegate"]],
                ["sign"], signOnly, "'platform' cannot grant role(s) it does not hold: sign"
            ),
        ]
        for (authority, roles, attestation, reason) in cases {
            let document = try Self.document([
                "authorities": [authority],
                "delegations": [
                    Self.delegation(
                        "ci", from: "platform", key: Self.ci.publicKey, roles: roles,
                        attestation: attestation)
                ],
            ])
            let chain = TrustChain(governance: document, runKey: Self.platform.publicKey)
            #expect(chain.broken.count == 1)
            #expect {
                _ = try chain.admit(Self.ci.publicKey, for: .sign)
            } throws: { error in
                let text = (error as? GovernanceError)?.description ?? ""
                return text.contains("delegation 'ci' is broken: \(reason)")
            }
        }
    }

    @Test("the submission attestation round-trips through its statement; another predicateType is refused")
    func submissionAttestation() throws {
        let attestation = SubmissionAttestation(
            runID: "r1", workflowName: "w", workflowDigest: .sha256(utf8: "w"), governanceDigest: .sha256(utf8: "g"),
            parametersDigest: .sha256(utf8: "p"), submitter: "platform", submitterKeyID: Self.platform.publicKey.keyID,
            submittedOn: Date(timeIntervalSince1970: 1_767_225_600.7))
        let envelope = attestation.signed(with: Self.platform)
        #expect(try envelope.verify(trustedKeys: [Self.platform.publicKey]) == Self.platform.publicKey)
        let statement = try Statement(payloadBytes: envelope.payload)
        #expect(statement.subjects.map(\.name) == ["workflow", "governance", "parameters"])
        #expect(try SubmissionAttestation(statement: statement) == attestation)
        var other = statement
        other.predicateType = DelegationAttestation.predicateType
        #expect(throws: GovernanceError.self) { try SubmissionAttestation(statement: other) }
    }

    @Test("inline revocations match keys and envelope digests; compatible constraint digests are accepted")
    func revocationsAndCompatibility() throws {
        let old = Digest.sha256(utf8: "old constraints")
        let document = try Self.document([
            "revocations": [
                ["key": .string(Self.ci.publicKey.keyID), "reason": "rotated"],
                ["envelope": .string("sha256:" + Digest.sha256(utf8: "e").hex)],
            ],
            "compatibleConstraints": [.string(old.description)],
        ])
        #expect(document.revocation(keyID: Self.ci.publicKey.keyID)?.reason == "rotated")
        #expect(document.revocation(envelopeDigest: Digest.sha256(utf8: "e").hex)?.kind == .envelope)
        #expect(document.revocation(keyID: Self.platform.publicKey.keyID) == nil)
        #expect(document.accepts(constraintsDigest: old))
        #expect(document.accepts(constraintsDigest: CanonicalJSON.null.digest))
        #expect(!document.accepts(constraintsDigest: .sha256(utf8: "other")))
    }
}

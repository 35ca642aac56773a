import Foundation
import SluiceAudit
import SluiceEngine
import SluiceGovernance
import SluiceTesting
import Testing

/// `sluice conformance`: each rule of docs/envelope-format.md against envelopes broken on purpose.
@Suite("Envelope conformance")
struct ExportConformanceTests {
    static let key = GovernanceFixtures.signingKey(seedByte: 11)

    static var subjects: [Statement.Subject] {
        [Statement.Subject(name: "outputs/artifacts/model", sha256: .sha256(utf8: "model"))]
    }

    static var predicate: LineagePredicate { GovernanceFixtures.lineagePredicate(signer: key.publicKey) }

    /// The payload of a valid statement.
    static var statementJSON: CanonicalJSON {
        Statement(subjects: subjects, predicateType: LineagePredicate.type, predicate: predicate.json).json
    }

    /// An envelope over `payload` (signed by the fixture key, as DSSE requires), as canonical JSON bytes.
    static func envelope(payload: [UInt8], payloadType: String = Envelope.inTotoPayloadType) -> [UInt8] {
        Envelope.sign(payload: payload, payloadType: payloadType, with: key).jsonBytes()
    }

    /// Replaces `member` of an envelope's JSON object.
    static func edit(_ bytes: [UInt8], _ change: (inout [String: CanonicalJSON]) -> Void) -> [UInt8] {
        guard case .object(var members)? = try? CanonicalJSON(parsing: bytes) else { return bytes }
        change(&members)
        return CanonicalJSON.object(members).bytes
    }

    static func statement(_ change: (inout [String: CanonicalJSON]) -> Void) -> [UInt8] {
        guard case .object(var members) = statementJSON else { return [] }
        change(&members)
        return envelope(payload: CanonicalJSON.object(members).bytes)
    }

    static func predicateEdit(_ change: (inout [String: CanonicalJSON]) -> Void) -> [UInt8] {
        statement { members in
            guard case .object(var predicate)? = members["predicate"] else { return }
            change(&predicate)
            members["predicate"] = .object(predicate)
        }
    }

    static let valid = envelope(payload: statementJSON.bytes)

    /// (case, envelope bytes, expected violations as `RULE: message`).
    static let cases: [(String, [UInt8], [String])] = [
        ("valid", valid, []),
        ("valid with a trailing newline", valid + [0x0a], []),
        ("not JSON", Array("{\"payload\":".utf8), ["E1: the envelope is not strict JSON: "]),
        (
            "unknown field", edit(valid) { $0["extra"] = 1 },
            ["E2: unknown top-level field 'extra' (allowed: payload, payloadType, signatures)"]
        ),
        (
            "other payloadType", envelope(payload: statementJSON.bytes, payloadType: "text/plain"),
            ["E3: payloadType is 'text/plain', not 'application/vnd.in-toto+json'"]
        ),
        (
            "URL-safe base64 payload", edit(valid) { $0["payload"] = .string("-_8=") },
            ["E4: payload is not standard padded base64"]
        ),
        (
            "two signatures",
            edit(valid) { members in
                if case .array(let list)? = members["signatures"] { members["signatures"] = .array(list + list) }
            }, ["E5: signatures holds 2 entries; Sluice envelopes carry exactly one"]
        ),
        (
            "short keyid",
            edit(valid) { members in
                if case .array(let list)? = members["signatures"], case .object(var first)? = list.first {
                    first["keyid"] = "abc"
                    members["signatures"] = .array([.object(first)])
                }
            },
            [
                "E6: signatures[0].keyid is 'abc', not an in-toto keyid (64 lowercase hex characters)",
                "P4: predicate.producer.signer.keyid '\(key.publicKey.keyID)' differs from signatures[0].keyid 'abc'",
            ]
        ),
        (
            "short signature",
            edit(valid) { members in
                if case .array(let list)? = members["signatures"], case .object(var first)? = list.first {
                    first["sig"] = .string(Data([UInt8](repeating: 1, count: 63)).base64EncodedString())
                    members["signatures"] = .array([.object(first)])
                }
            }, ["E7: signatures[0].sig has 63 bytes, not 64 (Ed25519)"]
        ),
        (
            "whitespace in the envelope",
            Array(
                String(decoding: valid, as: UTF8.self)
                    .replacingOccurrences(of: "\",\"", with: "\", \"").utf8),
            ["E9: the envelope is not serialized as canonical JSON (sorted keys, no whitespace)"]
        ),
        (
            "non-canonical payload", envelope(payload: Array(" ".utf8) + statementJSON.bytes),
            ["S1: the payload is not canonical JSON (RFC 8785, integers only)"]
        ),
        (
            "other _type", statement { $0["_type"] = "https://in-toto.io/Statement/v0.1" },
            ["S2: _type is 'https://in-toto.io/Statement/v0.1', not 'https://in-toto.io/Statement/v1'"]
        ),
        ("empty subject", statement { $0["subject"] = [] }, ["S3: subject is missing, empty or not an array"]),
        (
            "subject outside outputs/",
            statement {
                $0["subject"] = [["name": "model", "digest": ["sha256": .string(String(repeating: "0", count: 64))]]]
            },
            ["S4: subject[0].name 'model' is not outputs/artifacts/NAME, outputs/parameters/NAME or outputs/result"]
        ),
        (
            "md5 subject digest", statement { $0["subject"] = [["name": "outputs/result", "digest": ["md5": "00"]]] },
            ["S5: subject[0].digest.md5 is not sha256 or dirHash"]
        ),
        (
            "other predicateType", statement { $0["predicateType"] = "https://slsa.dev/provenance/v1" },
            ["S6: predicateType is 'https://slsa.dev/provenance/v1', not 'https://sluice.dev/attestation/lineage/v0.2'"]
        ),
        ("missing node", predicateEdit { $0["node"] = nil }, ["P1: predicate.node is missing"]),
        (
            "attempt 0",
            predicateEdit { predicate in
                if case .object(var node)? = predicate["node"] {
                    node["attempt"] = 0; predicate["node"] = .object(node)
                }
            }, ["P2: predicate.node.attempt is 0, not ≥ 1"]
        ),
        (
            "finished before started",
            predicateEdit { predicate in
                predicate["timing"] = ["startedOn": "2026-01-02T00:00:00Z", "finishedOn": "2026-01-01T00:00:00Z"]
            }, ["P3: predicate.timing.startedOn is after finishedOn"]
        ),
        (
            "input without its envelope",
            predicateEdit { predicate in
                predicate["inputs"] = [
                    [
                        "name": "data", "kind": "artifact", "producerNode": "train",
                        "digest": ["sha256": .string(String(repeating: "0", count: 64))],
                    ]
                ]
            }, ["P5: predicate.inputs[0] names a producerNode but lacks subjectName or envelopePayloadDigest"]
        ),
        ("empty trust slope", predicateEdit { $0["trustSlope"] = [] }, ["P6: predicate.trustSlope is empty"]),
    ]

    @Test("each broken rule is reported with its rule id and the offending field", arguments: cases.indices)
    func rule(index: Int) {
        let (name, bytes, expected) = Self.cases[index]
        let violations = EnvelopeConformance().check(envelope: bytes, file: "x.intoto.json")
        let actual = violations.map { "\($0.rule): \($0.message)" }
        if name == "not JSON" {
            #expect(actual.count == 1 && actual[0].hasPrefix(expected[0]), "\(name): \(actual)")
        } else {
            #expect(actual == expected, "\(name)")
        }
        #expect(violations.allSatisfy { $0.file == "x.intoto.json" })
    }

    @Test("with trusted keys a signature by another key breaks rule E8")
    func signatureRule() {
        let stranger = GovernanceFixtures.signingKey(seedByte: 12).publicKey
        #expect(EnvelopeConformance(trustedKeys: [Self.key.publicKey]).check(envelope: Self.valid, file: "x").isEmpty)
        #expect(
            EnvelopeConformance(trustedKeys: [stranger]).check(envelope: Self.valid, file: "x").map(\.description)
                == ["x: E8: no signature verifies over the PAE with a trusted key whose keyid it names"])
    }

    @Test("a directory of envelopes from a real run conforms; .jsonl files are checked line by line")
    func realRunConforms() async throws {
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(ExportFixtures.workflow(name: "conform"), in: directory)
            let bundle = directory + "/bundle"
            _ = try BundleExporter(store: run.store, stateDirectory: run.stateDirectory).export(
                run: run.run, to: bundle)
            let key = try KeyStore.signingKey(path: nil, stateDirectory: run.stateDirectory).key
            let (count, violations) = try EnvelopeConformance(trustedKeys: [key.publicKey]).check(directory: bundle)
            #expect(count == 4)  // two files and two lines of envelopes.intoto.jsonl
            #expect(violations == [])

            try Data(Self.predicateEdit { $0["trustSlope"] = [] }).write(
                to: URL(fileURLWithPath: bundle + "/envelopes/broken.intoto.json"))
            let (_, found) = try EnvelopeConformance().check(directory: bundle)
            #expect(found.map(\.description) == ["envelopes/broken.intoto.json: P6: predicate.trustSlope is empty"])
        }
    }

    @Test("docs/lineage-predicate.schema.json requires exactly the members the engine writes")
    func schemaMatchesPredicate() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        let data = try Data(contentsOf: URL(fileURLWithPath: repository + "/docs/lineage-predicate.schema.json"))
        let schema = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let json = Self.predicate.json
        func check(_ schema: [String: Any], _ value: CanonicalJSON, path: String) {
            guard case .object(let members) = value else { return }
            let properties = schema["properties"] as? [String: Any] ?? [:]
            let required = Set(schema["required"] as? [String] ?? [])
            #expect(required.isSubset(of: Set(members.keys)), "\(path): required \(required) vs \(members.keys)")
            #expect(Set(members.keys).isSubset(of: Set(properties.keys)), "\(path): undocumented \(members.keys)")
            for (key, member) in members {
                if let sub = properties[key] as? [String: Any], sub["$ref"] == nil {
                    check(sub, member, path: path + "." + key)
                }
            }
        }
        check(schema, json, path: "predicate")
        #expect(schema["$id"] as? String == "https://sluice.dev/attestation/lineage/v0.2/schema.json")
    }
}

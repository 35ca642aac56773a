import Foundation
import SluiceGovernance
import SluiceTesting
import Testing

@Suite("in-toto statements and the lineage predicate")
struct StatementTests {
    let key = GovernanceFixtures.signingKey(seedByte: 1)

    @Test("statement payload bytes are canonical JSON with the Statement v1 type")
    func payloadBytes() throws {
        let statement = Statement(
            subjects: [Statement.Subject(name: "outputs/parameters/n", sha256: .sha256(utf8: "42"))],
            predicateType: "https://example.invalid/p",
            predicate: ["z": 1, "a": "b"]
        )
        let expected =
            #"{"_type":"https://in-toto.io/Statement/v1","predicate":{"a":"b","z":1},"predicateType":"https://example.invalid/p","subject":[{"digest":{"sha256":"73475cb40a568e8da8a045ced110137e159f890ac4da883b6b17dc651b3a8049"},"name":"outputs/parameters/n"}]}"#
        #expect(String(decoding: statement.payloadBytes(), as: UTF8.self) == expected)
        #expect(try Statement(payloadBytes: statement.payloadBytes()) == statement)
    }

    @Test("the in-toto vector's statement parses, ignoring fields it does not know")
    func vectorStatement() throws {
        let shared = DSSEVector.shared().first { $0.name == "shared:intoto-statement-v1-lineage" }
        guard let vector = shared else { return }  // ../shared absent: covered by the embedded vectors only.
        let statement = try Statement(payloadBytes: bytes(base64: vector.payloadBase64))
        #expect(
            statement.subjects == [
                Statement.Subject(
                    name: "outputs/report.csv",
                    digest: ["sha256": "1c70e49dbdaf827d23f5bca1f5c2ec22cc98f102a09ddd4262af97893f101cc7"])
            ])
        #expect(statement.payloadBytes() == bytes(base64: vector.payloadBase64))
    }

    @Test(
        "statements are parsed strictly",
        arguments: [
            (
                #"{"_type":"https://in-toto.io/Statement/v0.1","subject":[],"predicateType":"p"}"#,
                "statement _type 'https://in-toto.io/Statement/v0.1' is not the expected 'https://in-toto.io/Statement/v1'"
            ),
            (#"{"subject":[]}"#, "malformed in-toto statement: '_type' is missing or not a string"),
            (
                #"{"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":"p"}"#,
                "malformed in-toto statement: 'subject' is missing, empty, or not an array"
            ),
            (
                #"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a"}],"predicateType":"p"}"#,
                "malformed in-toto statement: subject[0].digest is missing, empty, or not an object"
            ),
            (
                #"{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"ab"}}],"predicateType":"p"}"#,
                "malformed in-toto statement: subject[0].name is missing or not a string"
            ),
            (
                #"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":1}}],"predicateType":"p"}"#,
                "malformed in-toto statement: subject[0].digest.sha256 is not a string"
            ),
            (
                #"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":"ab"}}]}"#,
                "malformed in-toto statement: 'predicateType' is missing or not a string"
            ),
            (
                #"{"_type":"https://in-toto.io/Statement/v1","_type":"x"}"#,
                "malformed in-toto statement: malformed JSON at byte 43: duplicate key '_type'"
            ),
        ] as [(String, String)])
    func strict(json: String, message: String) {
        #expect(governanceError { try Statement(payloadBytes: Array(json.utf8)) }?.description == message)
    }

    @Test("a lineage predicate survives JSON and statement round trips, optional fields included")
    func predicateRoundTrip() throws {
        var predicate = GovernanceFixtures.lineagePredicate(signer: key.publicKey)
        predicate.producer.image = "docker.io/library/busybox@sha256:" + String(repeating: "0", count: 64)
        predicate.inputs = [
            .init(
                name: "data", kind: .artifact, digest: ["sha256": Digest.sha256(utf8: "d").hex], producerNode: "fetch",
                subjectName: "outputs/artifacts/data", envelopePayloadDigest: .sha256(utf8: "envelope")),
            .init(name: "rate", kind: .parameter, digest: ["sha256": Digest.sha256(utf8: "0.5").hex]),
            .init(
                name: "src", kind: .artifact, digest: ["dirHash": Digest.sha256(utf8: "tree").hex],
                origin: .init(uri: "https://example.invalid/repo.git", commit: String(repeating: "a", count: 40))),
            .init(
                name: "page", kind: .artifact, digest: ["sha256": Digest.sha256(utf8: "page").hex],
                origin: .init(uri: "https://example.invalid/page.txt")),
        ]
        #expect(try LineagePredicate(json: predicate.json) == predicate)
        let reparsed = try LineagePredicate(json: CanonicalJSON(parsing: predicate.json.bytes))
        #expect(reparsed == predicate)

        let json = predicate.json
        #expect(json["timing"]?["startedOn"] == "2026-01-01T00:00:00Z")
        #expect(json["timing"]?["finishedOn"] == "2026-01-01T00:00:05Z")
        #expect(json["workflow"]?["runId"] == "run-1")
        #expect(json["producer"]?["signer"]?["keyid"] == .string(key.publicKey.keyID))
        #expect(json["producer"]?["signer"]?["publicKeyDigest"]?["sha256"] == .string(key.publicKey.spkiDigest.hex))
        #expect(json["inputs"]?[1]?["producerNode"] == nil)
        #expect(json["inputs"]?[0]?["envelopePayloadDigest"]?["sha256"] == .string(Digest.sha256(utf8: "envelope").hex))
        #expect(json["inputs"]?[0]?["origin"] == nil)
        #expect(
            json["inputs"]?[2]?["origin"]
                == ["uri": "https://example.invalid/repo.git", "commit": .string(String(repeating: "a", count: 40))])
        #expect(json["inputs"]?[3]?["origin"] == ["uri": "https://example.invalid/page.txt"])

        predicate.producer.image = nil
        #expect(predicate.json["producer"]?["image"] == nil)
        #expect(try LineagePredicate(json: predicate.json) == predicate)
    }

    @Test("timing is truncated to whole seconds so the round trip is exact")
    func timingTruncation() throws {
        var predicate = GovernanceFixtures.lineagePredicate(signer: key.publicKey)
        predicate.timing = .init(
            startedOn: Date(timeIntervalSince1970: 1_767_225_600.987),
            finishedOn: Date(timeIntervalSince1970: 1_767_225_601.2))
        #expect(predicate.timing.startedOn == Date(timeIntervalSince1970: 1_767_225_600))
        #expect(predicate.json["timing"]?["finishedOn"] == "2026-01-01T00:00:01Z")
        #expect(try LineagePredicate(json: predicate.json) == predicate)
    }

    @Test(
        "a malformed predicate names the field",
        arguments: [
            (["workflow"], nil, "malformed lineage predicate: field 'workflow' is missing"),
            (
                ["node", "attempt"], CanonicalJSON.string("1"),
                "malformed lineage predicate: field 'node.attempt' is not an integer"
            ),
            (
                ["node", "attempt"], CanonicalJSON.integer(-1),
                "malformed lineage predicate: field 'node.attempt' is negative"
            ),
            (
                ["workflow", "specDigest"], ["sha512": "00"],
                "malformed lineage predicate: field 'workflow.specDigest.sha256' is missing"
            ),
            (
                ["workflow", "specDigest"], ["sha256": "XY"],
                "malformed lineage predicate: field 'workflow.specDigest.sha256' is not 64 lowercase hex characters"
            ),
            (["producer", "command"], [1], "malformed lineage predicate: field 'producer.command[0]' is not a string"),
            (["producer", "signer"], "k", "malformed lineage predicate: field 'producer.signer' is not an object"),
            (
                ["timing", "startedOn"], "2026-02-30T00:00:00Z",
                "malformed lineage predicate: field 'timing.startedOn' is '2026-02-30T00:00:00Z', not an RFC 3339 UTC time like 2026-01-01T00:00:00Z"
            ),
            (
                ["timing", "finishedOn"], "2026-01-01T00:00:05+01:00",
                "malformed lineage predicate: field 'timing.finishedOn' is '2026-01-01T00:00:05+01:00', not an RFC 3339 UTC time like 2026-01-01T00:00:00Z"
            ),
            (
                ["inputs"], [["name": "x", "kind": "secret", "digest": [:]]],
                "malformed lineage predicate: field 'inputs[0].kind' is 'secret', not artifact or parameter"
            ),
            (
                ["inputs"], [["name": "x", "kind": "artifact", "digest": [:], "origin": ["commit": "abc"]]],
                "malformed lineage predicate: field 'inputs[0].origin.uri' is missing"
            ),
        ] as [([String], CanonicalJSON?, String)])
    func malformedPredicate(path: [String], replacement: CanonicalJSON?, message: String) {
        let json = Self.replacing(
            path[...], in: GovernanceFixtures.lineagePredicate(signer: key.publicKey).json, with: replacement)
        #expect(governanceError { try LineagePredicate(json: json) }?.description == message)
    }

    @Test("a predicate that is not an object is refused")
    func notAnObject() {
        #expect(
            governanceError { try LineagePredicate(json: [1]) }
                == .malformedPredicate(field: "predicate", reason: "is not an object"))
    }

    /// `json` with the member at `path` replaced (or removed when `value` is nil).
    static func replacing(_ path: ArraySlice<String>, in json: CanonicalJSON, with value: CanonicalJSON?)
        -> CanonicalJSON
    {
        guard let key = path.first, var members = json.objectValue else { return value ?? .null }
        if path.count == 1 {
            members[key] = value
        } else {
            members[key] = replacing(path.dropFirst(), in: members[key] ?? [:], with: value)
        }
        return .object(members)
    }
}

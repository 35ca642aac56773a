import Foundation
import SluiceGovernance
import Testing

/// One DSSE + Ed25519 vector: seed → keys → keyid → PAE → signature → envelope JSON.
struct DSSEVector: Sendable, CustomTestStringConvertible {
    var name: String
    var seedHex: String
    var publicKeyHex: String
    var publicKeyPEM: String
    var keyID: String
    var payloadType: String
    var payloadBase64: String
    var paeHex: String
    var signatureBase64: String

    var testDescription: String { name }

    /// The envelope JSON Sluice must emit for this vector, byte for byte.
    var expectedEnvelopeJSON: String {
        #"{"payload":"\#(payloadBase64)","payloadType":"\#(payloadType)","signatures":[{"keyid":"\#(keyID)","sig":"\#(signatureBase64)"}]}"#
    }

    /// Vectors embedded as literals (values from ../shared/governance/dsse_vectors.json), so the test runs anywhere.
    static let embedded: [DSSEVector] = [
        DSSEVector(
            name: "dsse-spec-helloworld",
            seedHex: "82ede8acbac94db0a4b7330929f53e312975e1ebc8d06262ec405ad7e3bdfd11",
            publicKeyHex: "5142b7956df74e0b95bdb00890de6122f9166ad3644b1608adfc24a68eae68c1",
            publicKeyPEM:
                "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAUUK3lW33TguVvbAIkN5hIvkWatNkSxYIrfwkpo6uaME=\n-----END PUBLIC KEY-----\n",
            keyID: "9c8bde3e192ca38df908bff7af1f0ffaabdb3b3c224df2ad4fe77b7616225d86",
            payloadType: "http://example.com/HelloWorld",
            payloadBase64: "aGVsbG8gd29ybGQ=",
            paeHex:
                "44535345763120323920687474703a2f2f6578616d706c652e636f6d2f48656c6c6f576f726c642031312068656c6c6f20776f726c64",
            signatureBase64: "67RTadHIApyPsi3T4nh39D7UpvW0dATROYLEVnOvgQ2UMx1V9psgNC041PaquaFfBgGDjHC8PxGSxZa2nub8Dg=="
        ),
        DSSEVector(
            name: "utf8-multibyte-body",
            seedHex: "772cc92755ef105ce0fe56da1ad9b45504009195f690c6cac6101e530f28540c",
            publicKeyHex: "4f970bb12d518a39f5dc6c60e6abe36f868f8147e8f12c76372584886ec6ada0",
            publicKeyPEM:
                "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAT5cLsS1Rijn13Gxg5qvjb4aPgUfo8Sx2NyWEiG7GraA=\n-----END PUBLIC KEY-----\n",
            keyID: "986fdc7cd88d677fd26ee4d1132fbf2a595343e222b7b63e0d5db9c0c388b46e",
            payloadType: "application/vnd.example.lineage-note+json",
            payloadBase64: "eyJub3RlIjoiR3LDvMOfZSDihpIgbmHDr3ZlIGNhZsOpIOKckyIsImxpbmVzIjoiYVxuYiJ9Cg==",
            paeHex:
                "445353457631203431206170706c69636174696f6e2f766e642e6578616d706c652e6c696e656167652d6e6f74652b6a736f6e203535207b226e6f7465223a224772c3bcc39f6520e28692206e61c3af766520636166c3a920e29c93222c226c696e6573223a22615c6e62227d0a",
            signatureBase64: "O99XTKjbbn80Aa+nJMzo5ghdpQ3dFsVWnCkeZgt6aZojfdS48Qn1OQFZy1Ky5l6qnwbOlwEzXHQBRb34gT7bAg=="
        ),
    ]

    /// Every vector in ../shared/governance/dsse_vectors.json when that file is present beside the checkout.
    static func shared() -> [DSSEVector] {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/governance/dsse_vectors.json")
        guard let data = try? Data(contentsOf: url),
            let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let vectors = root["vectors"] as? [[String: Any]]
        else { return [] }
        return vectors.compactMap { entry in
            guard let name = entry["name"] as? String, let seed = entry["seed_hex"] as? String,
                let publicKey = entry["public_key_hex"] as? String, let pem = entry["public_key_pem"] as? String,
                let keyID = entry["keyid"] as? String, let type = entry["payloadType"] as? String,
                let payload = entry["payload_b64"] as? String, let pae = entry["pae_hex"] as? String,
                let signature = entry["signature_b64"] as? String
            else { return nil }
            return DSSEVector(
                name: "shared:" + name, seedHex: seed, publicKeyHex: publicKey, publicKeyPEM: pem, keyID: keyID,
                payloadType: type, payloadBase64: payload, paeHex: pae, signatureBase64: signature)
        }
    }
}

@Suite("DSSE envelopes")
struct EnvelopeTests {
    @Test(
        "reproduces every vector byte for byte: keys, keyid, PEM, PAE, signature, envelope JSON",
        arguments: DSSEVector.embedded + DSSEVector.shared())
    func vector(_ vector: DSSEVector) throws {
        let key = try SigningKey(seed: bytes(hex: vector.seedHex))
        #expect(key.publicKey.hex == vector.publicKeyHex)
        #expect(key.publicKey.keyID == vector.keyID)
        #expect(key.publicKey.pem == vector.publicKeyPEM)
        #expect(try PublicKey(pem: vector.publicKeyPEM) == key.publicKey)

        let payload = bytes(base64: vector.payloadBase64)
        let pae = Envelope.pae(payloadType: vector.payloadType, payload: payload)
        #expect(pae == bytes(hex: vector.paeHex))

        let envelope = Envelope.sign(payload: payload, payloadType: vector.payloadType, with: key)
        #expect(
            envelope.signatures == [Envelope.Signature(keyID: vector.keyID, sig: bytes(base64: vector.signatureBase64))]
        )
        #expect(String(decoding: envelope.jsonBytes(), as: UTF8.self) == vector.expectedEnvelopeJSON)

        let parsed = try Envelope(jsonBytes: Array(vector.expectedEnvelopeJSON.utf8))
        #expect(parsed == envelope)
        #expect(try parsed.verify(trustedKeys: [key.publicKey]) == key.publicKey)
    }

    @Test("the shared vectors file, when present, holds the three vectors including the in-toto statement")
    func sharedVectorsLoad() {
        let shared = DSSEVector.shared()
        if shared.isEmpty { return }  // ../shared is absent on this checkout; the embedded vectors still ran.
        #expect(
            shared.map(\.name) == [
                "shared:dsse-spec-helloworld", "shared:intoto-statement-v1-lineage", "shared:utf8-multibyte-body",
            ])
    }

    @Test("the PAE of the DSSE spec example is the ASCII text from the spec")
    func paeText() {
        let pae = Envelope.pae(payloadType: "http://example.com/HelloWorld", payload: Array("hello world".utf8))
        #expect(String(decoding: pae, as: UTF8.self) == "DSSEv1 29 http://example.com/HelloWorld 11 hello world")
        #expect(Envelope.pae(payloadType: "", payload: []) == Array("DSSEv1 0  0 ".utf8))
    }

    @Test("a signed envelope survives JSON and verifies with its key")
    func roundTrip() throws {
        let key = SigningKey.generate()
        let envelope = Envelope.sign(
            payload: Array(#"{"a":1}"#.utf8), payloadType: Envelope.inTotoPayloadType, with: key)
        let parsed = try Envelope(jsonBytes: envelope.jsonBytes())
        #expect(parsed == envelope)
        #expect(try parsed.verify(trustedKeys: [SigningKey.generate().publicKey, key.publicKey]) == key.publicKey)
        #expect(parsed.payloadDigest == Digest.sha256(Array(#"{"a":1}"#.utf8)))
    }

    @Test("tampering with the payload, the payloadType or the signature is refused as a bad signature")
    func tampering() throws {
        let key = try SigningKey(seed: bytes(hex: DSSEVector.embedded[0].seedHex))
        let good = Envelope.sign(
            payload: Array("hello world".utf8), payloadType: "http://example.com/HelloWorld", with: key)
        let keyID = DSSEVector.embedded[0].keyID
        let expected = GovernanceError.badSignature(keyID: keyID, node: "train")

        var payload = good
        payload.payload = Array("hello world!".utf8)
        #expect(governanceError { try payload.verify(trustedKeys: [key.publicKey], node: "train") } == expected)

        var type = good
        type.payloadType = "http://example.com/HelloWorld2"
        #expect(governanceError { try type.verify(trustedKeys: [key.publicKey], node: "train") } == expected)

        var signature = good
        signature.signatures[0].sig[0] ^= 0x01
        #expect(governanceError { try signature.verify(trustedKeys: [key.publicKey], node: "train") } == expected)
        #expect(
            expected.description
                == "envelope for node 'train' has a signature by key \(keyID) that does not verify; the payload, its type, or the signature was altered"
        )

        var truncated = good
        truncated.signatures[0].sig.removeLast()
        #expect(
            governanceError { try truncated.verify(trustedKeys: [key.publicKey]) }
                == .badSignature(keyID: keyID, node: nil))
    }

    @Test("the vector file's negative cases are refused")
    func negativeVectors() throws {
        let vector = DSSEVector.embedded[0]
        let key = try PublicKey(hex: vector.publicKeyHex)
        let cases: [(payload: String, type: String, sig: String)] = [
            (
                vector.payloadBase64, vector.payloadType,
                "6rRTadHIApyPsi3T4nh39D7UpvW0dATROYLEVnOvgQ2UMx1V9psgNC041PaquaFfBgGDjHC8PxGSxZa2nub8Dg=="
            ),
            ("aGVsbG8gd29ybGQh", vector.payloadType, vector.signatureBase64),
            (vector.payloadBase64, "http://example.com/HelloWorld2", vector.signatureBase64),
        ]
        for item in cases {
            let json =
                #"{"payload":"\#(item.payload)","payloadType":"\#(item.type)","signatures":[{"keyid":"\#(vector.keyID)","sig":"\#(item.sig)"}]}"#
            let envelope = try Envelope(jsonBytes: Array(json.utf8))
            #expect(
                governanceError { try envelope.verify(trustedKeys: [key]) }
                    == .badSignature(keyID: vector.keyID, node: nil))
        }
    }

    @Test("a signature by a key outside the trusted set is refused as untrusted")
    func untrusted() {
        let signer = SigningKey.generate()
        let trusted = SigningKey.generate().publicKey
        let envelope = Envelope.sign(payload: [1, 2, 3], payloadType: "t", with: signer)
        let error = governanceError { try envelope.verify(trustedKeys: [trusted], node: "train") }
        #expect(error == .untrustedKey(keyID: signer.publicKey.keyID, node: "train"))
        #expect(
            error?.description
                == "envelope for node 'train' is signed by key \(signer.publicKey.keyID) which is not trusted")
        #expect(
            governanceError { try envelope.verify(trustedKeys: []) }
                == .untrustedKey(keyID: signer.publicKey.keyID, node: nil))

        let unsigned = Envelope(payloadType: "t", payload: [1], signatures: [])
        #expect(governanceError { try unsigned.verify(trustedKeys: [trusted]) } == .noSignatures)
    }

    @Test("the keyid is only a hint: a relabelled or missing keyid still verifies with the right key")
    func keyIDIsAHint() throws {
        let key = SigningKey.generate()
        var envelope = Envelope.sign(payload: [9], payloadType: "t", with: key)
        envelope.signatures[0].keyID = "something-else"
        #expect(try envelope.verify(trustedKeys: [key.publicKey]) == key.publicKey)

        let sig = Data(envelope.signatures[0].sig).base64EncodedString()
        let json = #"{"payload":"CQ==","payloadType":"t","signatures":[{"sig":"\#(sig)"}],"extra":{"ignored":true}}"#
        let parsed = try Envelope(jsonBytes: Array(json.utf8))
        #expect(parsed.signatures[0].keyID == "")
        #expect(try parsed.verify(trustedKeys: [key.publicKey]) == key.publicKey)
    }

    @Test("URL-safe and unpadded base64 are accepted when reading")
    func urlSafeBase64() throws {
        let vector = DSSEVector.embedded[1]
        let urlSafe = { (text: String) in
            text.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        let json =
            #"{"payload":"\#(urlSafe(vector.payloadBase64))","payloadType":"\#(vector.payloadType)","signatures":[{"keyid":"\#(vector.keyID)","sig":"\#(urlSafe(vector.signatureBase64))"}]}"#
        let envelope = try Envelope(jsonBytes: Array(json.utf8))
        #expect(envelope.payload == bytes(base64: vector.payloadBase64))
        #expect(try envelope.verify(trustedKeys: [PublicKey(hex: vector.publicKeyHex)]).keyID == vector.keyID)
        #expect(String(decoding: envelope.jsonBytes(), as: UTF8.self) == vector.expectedEnvelopeJSON)
    }

    @Test(
        "malformed envelope JSON is refused with the reason",
        arguments: [
            (#"[]"#, "malformed DSSE envelope: the top level is not an object"),
            (#"{"payloadType":"t","signatures":[]}"#, "malformed DSSE envelope: 'payload' is missing or not a string"),
            (
                #"{"payload":"a$==","payloadType":"t","signatures":[]}"#,
                "malformed DSSE envelope: 'payload' is not valid base64"
            ),
            (#"{"payload":"","signatures":[]}"#, "malformed DSSE envelope: 'payloadType' is missing or not a string"),
            (#"{"payload":"","payloadType":"t"}"#, "malformed DSSE envelope: 'signatures' is missing or not an array"),
            (
                #"{"payload":"","payloadType":"t","signatures":[1]}"#,
                "malformed DSSE envelope: signatures[0] is not an object"
            ),
            (
                #"{"payload":"","payloadType":"t","signatures":[{}]}"#,
                "malformed DSSE envelope: signatures[0].sig is missing or not a string"
            ),
            (
                #"{"payload":"","payloadType":"t","signatures":[{"sig":"ab+_"}]}"#,
                "malformed DSSE envelope: signatures[0].sig is not valid base64"
            ),
            (
                #"{"payload":"","payloadType":"t","signatures":[{"sig":"","keyid":7}]}"#,
                "malformed DSSE envelope: signatures[0].keyid is not a string"
            ),
            (
                #"{"payload":"","payload":"","payloadType":"t","signatures":[]}"#,
                "malformed DSSE envelope: malformed JSON at byte 14: duplicate key 'payload'"
            ),
            (
                #"{"payload":"","payloadType":"t","signatures":[]} x"#,
                "malformed DSSE envelope: malformed JSON at byte 49: unexpected content after the JSON value"
            ),
        ])
    func malformed(json: String, message: String) {
        let error = governanceError { try Envelope(jsonBytes: Array(json.utf8)) }
        #expect(error?.description == message)
    }
}

/// A DSSE v1 envelope: payload bytes, their type, and signatures over the pre-authentication encoding (PAE).
///
/// Sluice emits exactly one signature per envelope, with the in-toto keyid of the signer. After
/// ``verify(trustedKeys:node:)`` succeeds, use ``payload`` from this same value: never re-read the envelope to get
/// the payload again.
package struct Envelope: Sendable, Equatable {
    /// The payloadType of every in-toto statement (`application/vnd.in-toto+json`).
    package static let inTotoPayloadType = "application/vnd.in-toto+json"

    /// The type of ``payload``; covered by the signature.
    package var payloadType: String
    /// The exact signed bytes.
    package var payload: [UInt8]
    /// The signatures, in envelope order.
    package var signatures: [Signature]

    /// One DSSE signature.
    package struct Signature: Sendable, Equatable {
        /// An unauthenticated hint naming the key; empty when the envelope omits it.
        package var keyID: String
        /// The raw signature bytes (64 for Ed25519).
        package var sig: [UInt8]

        /// Creates a signature entry.
        package init(keyID: String, sig: [UInt8]) {
            self.keyID = keyID
            self.sig = sig
        }
    }

    /// Creates an envelope from its parts without signing anything.
    package init(payloadType: String, payload: [UInt8], signatures: [Signature]) {
        self.payloadType = payloadType
        self.payload = payload
        self.signatures = signatures
    }

    /// `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, lengths in ASCII decimal bytes: what is signed.
    package static func pae(payloadType: String, payload: [UInt8]) -> [UInt8] {
        let type = Array(payloadType.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(type.count + payload.count + 32)
        out.append(contentsOf: "DSSEv1 \(type.count) ".utf8)
        out.append(contentsOf: type)
        out.append(contentsOf: " \(payload.count) ".utf8)
        out.append(contentsOf: payload)
        return out
    }

    /// Signs `payload` as `payloadType` with pure Ed25519 over the PAE; the signature's keyid is the in-toto keyid.
    package static func sign(payload: [UInt8], payloadType: String, with key: SigningKey) -> Envelope {
        let signature = key.sign(pae(payloadType: payloadType, payload: payload))
        return Envelope(
            payloadType: payloadType,
            payload: payload,
            signatures: [Signature(keyID: key.publicKey.keyID, sig: signature)]
        )
    }

    /// SHA-256 of the payload bytes: how lineage refers to an envelope, stable across re-serialisation.
    package var payloadDigest: Digest { .sha256(payload) }

    // MARK: - JSON

    /// The envelope as canonical JSON: `{"payload":…,"payloadType":…,"signatures":[{"keyid":…,"sig":…}]}` with
    /// standard padded base64 and no whitespace. The same envelope always gives the same bytes.
    package func jsonBytes() -> [UInt8] {
        let json: CanonicalJSON = [
            "payload": .string(Base64.encode(payload)),
            "payloadType": .string(payloadType),
            "signatures": .array(
                signatures.map { ["keyid": .string($0.keyID), "sig": .string(Base64.encode($0.sig))] }
            ),
        ]
        return json.bytes
    }

    /// Parses envelope JSON strictly (see ``CanonicalJSON/init(parsing:)``).
    ///
    /// Accepts standard and URL-safe base64, a missing `keyid` (read as empty), and ignores unknown fields.
    /// - Throws: `GovernanceError.malformedEnvelope` naming the problem (the JSON parser's reason included).
    package init(jsonBytes: [UInt8]) throws(GovernanceError) {
        let json: CanonicalJSON
        do {
            json = try CanonicalJSON(parsing: jsonBytes)
        } catch {
            throw .malformedEnvelope(reason: error.description)
        }
        guard json.objectValue != nil else { throw .malformedEnvelope(reason: "the top level is not an object") }
        guard let payloadText = json["payload"]?.stringValue else {
            throw .malformedEnvelope(reason: "'payload' is missing or not a string")
        }
        guard let payload = Base64.decode(payloadText) else {
            throw .malformedEnvelope(reason: "'payload' is not valid base64")
        }
        guard let payloadType = json["payloadType"]?.stringValue else {
            throw .malformedEnvelope(reason: "'payloadType' is missing or not a string")
        }
        guard let entries = json["signatures"]?.arrayValue else {
            throw .malformedEnvelope(reason: "'signatures' is missing or not an array")
        }
        var signatures: [Signature] = []
        for (index, entry) in entries.enumerated() {
            guard entry.objectValue != nil else {
                throw .malformedEnvelope(reason: "signatures[\(index)] is not an object")
            }
            guard let sigText = entry["sig"]?.stringValue else {
                throw .malformedEnvelope(reason: "signatures[\(index)].sig is missing or not a string")
            }
            guard let sig = Base64.decode(sigText) else {
                throw .malformedEnvelope(reason: "signatures[\(index)].sig is not valid base64")
            }
            let keyID: String
            switch entry["keyid"] {
            case nil, .null?: keyID = ""
            case .string(let value)?: keyID = value
            default: throw .malformedEnvelope(reason: "signatures[\(index)].keyid is not a string")
            }
            signatures.append(Signature(keyID: keyID, sig: sig))
        }
        self.init(payloadType: payloadType, payload: payload, signatures: signatures)
    }

    // MARK: - Verification

    /// Verifies that at least one signature is by one of `trustedKeys` over the PAE, and returns that key.
    ///
    /// Every signature is tried against every trusted key (the keyid is only a hint). When none verifies, the
    /// error says whether a trusted key's signature failed (tampering) or no trusted key signed at all.
    /// - Parameter node: names the producing node in error messages, when known.
    /// - Throws: `GovernanceError.noSignatures`, `.badSignature`, or `.untrustedKey`.
    package func verify(trustedKeys: [PublicKey], node: String? = nil) throws(GovernanceError) -> PublicKey {
        guard let first = signatures.first else { throw .noSignatures }
        let message = Self.pae(payloadType: payloadType, payload: payload)
        for signature in signatures {
            for key in trustedKeys where key.isValidSignature(signature.sig, for: message) {
                return key
            }
        }
        let trustedIDs = Set(trustedKeys.map(\.keyID))
        if let claimed = signatures.first(where: { trustedIDs.contains($0.keyID) }) {
            throw .badSignature(keyID: claimed.keyID, node: node)
        }
        throw .untrustedKey(keyID: first.keyID, node: node)
    }
}

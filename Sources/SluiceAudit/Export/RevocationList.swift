package import Foundation
import SluiceEngine
package import SluiceGovernance
package import SluiceStore

/// A list of revocations for offline use: what `sluice revocations export` writes and `import` and
/// `verify --revocations` read.
///
/// The file is a DSSE envelope (payloadType ``payloadType``) whose payload is canonical JSON
/// `{"type": ..., "issuer": {"keyid"}, "exportedAt", "revocations": [{"kind", "value", "reason", "revokedAt",
/// "envelope"?}]}`; each entry keeps the envelope that signed it in the state directory, when it has one. The list's
/// own signature is what an importer checks against the keys it trusts.
package struct RevocationList: Sendable, Equatable {
    /// The DSSE payloadType of revocation list files.
    package static let payloadType = "application/vnd.sluice.revocation-list+json"
    /// The `type` member of the payload.
    package static let type = "https://sluice.dev/revocation-list/v0.1"

    /// One revocation in the list.
    package struct Entry: Sendable, Equatable {
        /// `key` or `envelope`.
        package var kind: RevocationRecord.Kind
        /// The revoked key id or envelope payload digest (64 lowercase hex).
        package var value: String
        /// Why it was revoked.
        package var reason: String
        /// When it was revoked (milliseconds).
        package var revokedAt: Date
        /// The DSSE envelope that signed this revocation where it was made, as canonical JSON bytes.
        package var envelopeJSON: [UInt8]?

        /// Creates an entry; the date is truncated to whole milliseconds.
        package init(
            kind: RevocationRecord.Kind, value: String, reason: String, revokedAt: Date,
            envelopeJSON: [UInt8]? = nil
        ) {
            self.kind = kind
            self.value = value
            self.reason = reason
            self.revokedAt = StoreTimestamp.truncated(revokedAt)
            self.envelopeJSON = envelopeJSON
        }

        /// The entry for a stored revocation (nil when its kind is not one this build knows).
        package init?(_ record: SignedRevocationRecord) {
            guard let kind = RevocationRecord.Kind(rawValue: record.revocation.kind) else { return nil }
            self.init(
                kind: kind, value: record.revocation.value, reason: record.revocation.reason,
                revokedAt: record.revocation.createdAt, envelopeJSON: record.envelopeJSON.map { [UInt8]($0) })
        }

        /// The store record this entry describes (without id).
        package var record: RevocationRecord {
            RevocationRecord(kind: kind, value: value, reason: reason, createdAt: revokedAt)
        }
    }

    /// The revocations, in the order they were made.
    package var entries: [Entry]

    /// Creates a list.
    package init(entries: [Entry]) {
        self.entries = entries
    }

    // MARK: - JSON

    /// The list as canonical JSON, naming `issuer` (the key that signs the file) and the export time.
    package func json(issuer: String?, exportedAt: Date) -> CanonicalJSON {
        var object: [String: CanonicalJSON] = [
            "type": .string(Self.type),
            "exportedAt": .string(StoreTimestamp.string(from: exportedAt)),
            "revocations": .array(entries.map(Self.json(for:))),
        ]
        if let issuer { object["issuer"] = ["keyid": .string(issuer)] }
        return .object(object)
    }

    private static func json(for entry: Entry) -> CanonicalJSON {
        var object: [String: CanonicalJSON] = [
            "kind": .string(entry.kind.rawValue), "value": .string(entry.value), "reason": .string(entry.reason),
            "revokedAt": .string(StoreTimestamp.string(from: entry.revokedAt)),
        ]
        if let bytes = entry.envelopeJSON, let envelope = try? CanonicalJSON(parsing: bytes) {
            object["envelope"] = envelope
        }
        return .object(object)
    }

    /// Reads the list payload (`revocations.json` in a bundle, or the payload of a signed file).
    ///
    /// - Throws: `ExportError.revocationListMalformed` naming the entry and field that is wrong.
    package init(json bytes: [UInt8], path: String) throws(ExportError) {
        let json: CanonicalJSON
        do {
            json = try CanonicalJSON(parsing: bytes)
        } catch {
            throw .revocationListMalformed(path: path, reason: error.description)
        }
        guard json["type"]?.stringValue == Self.type else {
            throw .revocationListMalformed(path: path, reason: "'type' is not '\(Self.type)'")
        }
        guard let elements = json["revocations"]?.arrayValue else {
            throw .revocationListMalformed(path: path, reason: "'revocations' is missing or not an array")
        }
        var entries: [Entry] = []
        for (index, element) in elements.enumerated() {
            func field(_ name: String) throws(ExportError) -> String {
                guard let text = element[name]?.stringValue else {
                    throw .revocationListMalformed(
                        path: path, reason: "revocations[\(index)].\(name) is missing or not a string")
                }
                return text
            }
            guard let kind = RevocationRecord.Kind(rawValue: try field("kind")) else {
                throw .revocationListMalformed(path: path, reason: "revocations[\(index)].kind is not key or envelope")
            }
            let value = try field("value")
            guard (try? Digest(hex: value)) != nil else {
                throw .revocationListMalformed(
                    path: path, reason: "revocations[\(index)].value '\(value)' is not 64 lowercase hex characters")
            }
            let revokedAtText = try field("revokedAt")
            guard let revokedAt = StoreTimestamp.date(from: revokedAtText) else {
                throw .revocationListMalformed(
                    path: path, reason: "revocations[\(index)].revokedAt '\(revokedAtText)' is not a timestamp")
            }
            entries.append(
                Entry(
                    kind: kind, value: value, reason: try field("reason"), revokedAt: revokedAt,
                    envelopeJSON: element["envelope"].map(\.bytes)))
        }
        self.init(entries: entries)
    }

    // MARK: - Signed files

    /// The signed file: a DSSE envelope over ``json(issuer:exportedAt:)`` signed by `key`.
    package func signedFile(with key: SigningKey, exportedAt: Date) -> [UInt8] {
        let payload = json(issuer: key.publicKey.keyID, exportedAt: exportedAt).bytes
        return Envelope.sign(payload: payload, payloadType: Self.payloadType, with: key).jsonBytes()
    }

    /// Reads a signed list file and verifies its signature by one of `trustedKeys`.
    ///
    /// - Returns: the list and the key whose signature verified.
    /// - Throws: `ExportError.revocationListMalformed` (unreadable, not an envelope, wrong payloadType, bad payload),
    ///   `.revocationListUntrusted` when no trusted key signed it.
    package static func verifiedFile(at path: String, trustedKeys: [PublicKey]) throws(ExportError)
        -> (list: RevocationList, signer: PublicKey)
    {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .revocationListMalformed(path: path, reason: "the file cannot be read")
        }
        let envelope: Envelope
        do {
            envelope = try Envelope(jsonBytes: [UInt8](data))
        } catch {
            throw .revocationListMalformed(path: path, reason: error.description)
        }
        guard envelope.payloadType == payloadType else {
            throw .revocationListMalformed(
                path: path, reason: "payloadType is '\(envelope.payloadType)', not '\(payloadType)'")
        }
        let signer: PublicKey
        do {
            signer = try envelope.verify(trustedKeys: trustedKeys)
        } catch .badSignature(let keyID, _) {
            throw .revocationListMalformed(
                path: path, reason: "the signature by trusted key \(keyID) does not verify: the file was altered")
        } catch {
            throw .revocationListUntrusted(
                path: path, keyIDs: envelope.signatures.map(\.keyID), trusted: trustedKeys.map(\.keyID))
        }
        return (try RevocationList(json: envelope.payload, path: path), signer)
    }
}

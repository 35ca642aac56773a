package import Foundation
import SluiceEngine
package import SluiceGovernance
package import SluiceStore

/// Revoking keys and envelopes in a state directory, and moving revocation lists in and out of it.
///
/// Every revocation made here is signed by the given key (``RevocationStatement``) and appended to the store with
/// its envelope; the input gate re-reads revocations at every check, so runs in progress see them at their next gate.
package struct Revocations: Sendable {
    /// The state directory's store.
    package let store: Store

    /// Creates the revocation operations over `store`.
    package init(store: Store) {
        self.store = store
    }

    /// Parses what the user typed: 64 lowercase hex, optionally `sha256:`-prefixed (which means an envelope).
    ///
    /// - Returns: the bare hex and the kind the prefix implies, if any.
    /// - Throws: `ExportError.revocationTargetInvalid`.
    package static func target(_ text: String) throws(ExportError) -> (
        value: String, impliedKind: RevocationRecord.Kind?
    ) {
        let isDigest = text.hasPrefix("sha256:")
        let value = isDigest ? String(text.dropFirst("sha256:".count)) : text
        guard (try? Digest(hex: value)) != nil else { throw .revocationTargetInvalid(value: text) }
        return (value, isDigest ? .envelope : nil)
    }

    /// Decides whether `value` names an envelope or a key of this state directory.
    ///
    /// An envelope payload digest in the store wins; then a keyid that signed an envelope or a run, or `extraKeys`
    /// (e.g. the state directory's own key).
    /// - Throws: `ExportError.revocationTargetUnknown` when the store knows neither, `.state` when it cannot be read.
    package func kind(of value: String, extraKeys: [PublicKey] = []) throws(ExportError) -> RevocationRecord.Kind {
        do {
            if try store.envelope(payloadDigest: value) != nil { return .envelope }
            if extraKeys.contains(where: { $0.keyID == value }) { return .key }
            for run in try store.runs() {
                if run.signerKeyID == value { return .key }
                if try store.envelopes(runID: run.id).contains(where: { $0.keyID == value }) { return .key }
            }
        } catch {
            throw .state(reason: error.description)
        }
        throw .revocationTargetUnknown(value: value)
    }

    /// Signs and appends a revocation.
    ///
    /// - Returns: the stored revocation with its envelope.
    /// - Throws: `ExportError.state` when the store refuses it.
    @discardableResult
    package func revoke(
        kind: RevocationRecord.Kind, value: String, reason: String, signingKey: SigningKey, at date: Date = Date()
    ) throws(ExportError) -> SignedRevocationRecord {
        let record = RevocationRecord(kind: kind, value: value, reason: reason, createdAt: date)
        let envelope = RevocationStatement.sign(record, with: signingKey)
        do {
            return try store.addRevocation(
                record, signedBy: signingKey.publicKey.keyID, envelopeJSON: Data(envelope.jsonBytes()))
        } catch {
            throw .state(reason: error.description)
        }
    }

    /// Every revocation of the state directory as a list.
    /// - Throws: `ExportError.state` when the store cannot be read.
    package func list() throws(ExportError) -> RevocationList {
        do {
            return RevocationList(entries: try store.signedRevocations().compactMap(RevocationList.Entry.init))
        } catch {
            throw .state(reason: error.description)
        }
    }

    /// Appends each entry of `list` that the store does not hold yet (same kind and value), keeping its envelope.
    ///
    /// The caller has verified the list's signature (``RevocationList/verifiedFile(at:trustedKeys:)``).
    /// - Returns: how many entries were added and how many were already present.
    /// - Throws: `ExportError.state` when the store fails (entries added before the failure stay: append-only).
    package func importList(_ list: RevocationList) throws(ExportError) -> (added: Int, present: Int) {
        do {
            var known = Set(try store.revocations().map { "\($0.kind)|\($0.value)" })
            var added = 0
            for entry in list.entries {
                guard known.insert("\(entry.kind.rawValue)|\(entry.value)").inserted else { continue }
                if let bytes = entry.envelopeJSON, let envelope = try? Envelope(jsonBytes: bytes),
                    let keyID = envelope.signatures.first?.keyID
                {
                    try store.addRevocation(entry.record, signedBy: keyID, envelopeJSON: Data(bytes))
                } else {
                    try store.addRevocation(entry.record)
                }
                added += 1
            }
            return (added, list.entries.count - added)
        } catch {
            throw .state(reason: error.description)
        }
    }
}

import Foundation
import SluiceStore

/// What each recorded run refers to, for `sluice delete` and `sluice prune`: every digest its records name (nodes'
/// inputs and outputs, its envelopes' statements, its memoization entries, its outputs) and the payload digests of
/// its own envelopes.
///
/// The digests are found by scanning for 64-character lowercase hex strings, which over-approximates (a key id
/// counts too): an artifact is only ever collected when no remaining record names it anywhere.
struct RunReferences {
    /// Digests named by each run's records, by run id.
    var named: [String: Set<String>] = [:]
    /// Payload digests of each run's envelopes, by run id.
    var envelopes: [String: Set<String>] = [:]

    /// Scans every run of `store`.
    ///
    /// - Throws: `StoreError` when the store cannot be read.
    init(store: Store, runs: [RunRecord]) throws(StoreError) {
        for run in runs {
            var named = Self.digests(in: run.outputsJSON ?? "")
            for node in try store.nodes(runID: run.id) {
                named.formUnion(Self.digests(in: node.inputsJSON ?? ""))
                named.formUnion(Self.digests(in: node.outputsJSON ?? ""))
                if let digest = node.envelopeDigest { named.insert(digest) }
            }
            var own: Set<String> = []
            for envelope in try store.envelopes(runID: run.id) {
                own.insert(envelope.payloadDigest)
                named.formUnion(Self.digests(inEnvelope: envelope.envelopeJSON))
            }
            self.named[run.id, default: []].formUnion(named)
            envelopes[run.id] = own
        }
        for entry in try store.memoizations() {
            var digests = Self.digests(in: entry.outputsJSON)
            if let digest = entry.envelopeDigest { digests.insert(digest) }
            self.named[entry.runID, default: []].formUnion(digests)
        }
    }

    /// The runs (other than `id`) whose records name one of `id`'s envelopes: they reused its outputs.
    func runs(referencing id: String) -> Set<String> {
        let own = envelopes[id] ?? []
        guard !own.isEmpty else { return [] }
        return Set(named.filter { $0.key != id && !$0.value.isDisjoint(with: own) }.map(\.key))
    }

    /// Of `candidates`, the runs that can go: none of them is named by a run that stays (iterated until stable, so a
    /// chain of reuses is kept whole).
    func deletable(_ candidates: Set<String>) -> (deletable: Set<String>, kept: [String: Set<String>]) {
        var deletable = candidates
        var kept: [String: Set<String>] = [:]
        var changed = true
        while changed {
            changed = false
            for id in deletable {
                let holders = runs(referencing: id).subtracting(deletable)
                if !holders.isEmpty {
                    deletable.remove(id)
                    kept[id] = holders
                    changed = true
                }
            }
        }
        return (deletable, kept)
    }

    /// Every digest named by the runs in `remaining`.
    func digests(namedBy remaining: Set<String>) -> Set<String> {
        remaining.reduce(into: Set<String>()) { $0.formUnion(named[$1] ?? []) }
    }

    /// The 64-character lowercase hex strings in `text`.
    static func digests(in text: String) -> Set<String> {
        var found: Set<String> = []
        var run: [UInt8] = []
        for byte in text.utf8 {
            if (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte) {
                run.append(byte)
                continue
            }
            if run.count == 64 { found.insert(String(decoding: run, as: UTF8.self)) }
            run.removeAll(keepingCapacity: true)
        }
        if run.count == 64 { found.insert(String(decoding: run, as: UTF8.self)) }
        return found
    }

    /// The digests named in a DSSE envelope's decoded statement.
    static func digests(inEnvelope json: Data) -> Set<String> {
        guard let envelope = (try? JSONSerialization.jsonObject(with: json)) as? [String: Any],
            let payload = (envelope["payload"] as? String).flatMap({ Data(base64Encoded: $0) })
        else { return [] }
        return digests(in: String(decoding: payload, as: UTF8.self))
    }
}

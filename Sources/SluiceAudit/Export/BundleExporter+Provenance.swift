import Foundation
import SluiceEngine
import SluiceGovernance
import SluiceSpec
import SluiceStore

/// SLSA Provenance v1 sibling envelopes (`envelopes/<node-id>.slsa.intoto.json`), derived at export time from each
/// succeeded node's verified lineage envelope (see ``SLSAProvenance``) and signed by the run's lineage key; nothing
/// is stored, so they always agree with the lineage envelopes they sit beside.
extension BundleExporter {
    /// Writes one SLSA envelope per succeeded node whose recorded envelope is in the bundle.
    ///
    /// - Returns: how many were written.
    /// - Throws: `ExportError.bundleWriteFailed` when a lineage envelope does not verify with `key` (the run's
    ///   lineage key) or a file cannot be written.
    func writeProvenance(
        run: RunRecord, nodes: [NodeRecord], envelopes: [EnvelopeRecord], key: SigningKey, files: BundleFiles
    ) throws(ExportError) -> Int {
        precondition(key.publicKey.keyID == run.signerKeyID, "export checks the provenance key first")
        let parameters = run.parameters
        let byDigest = Dictionary(envelopes.map { ($0.payloadDigest, $0) }, uniquingKeysWith: { first, _ in first })
        var written = 0
        for node in nodes where node.phase == .succeeded {
            guard let digest = node.envelopeDigest, let record = byDigest[digest], record.nodeID == node.id else {
                continue
            }
            let statement: Statement
            let predicate: LineagePredicate
            let envelope: Envelope
            do {
                envelope = try Envelope(jsonBytes: [UInt8](record.envelopeJSON))
                _ = try envelope.verify(trustedKeys: [key.publicKey], node: node.id)
                statement = try Statement(payloadBytes: envelope.payload)
                predicate = try LineagePredicate(json: statement.predicate)
            } catch {
                throw .bundleWriteFailed(
                    path: files.root,
                    reason: "the lineage envelope of node '\(node.displayName)' does not verify with the run's "
                        + "lineage key: \(error.description)")
            }
            let provenance = SLSAProvenance.statement(
                lineage: statement, predicate: predicate, lineagePayloadDigest: envelope.payloadDigest,
                workflowParameters: parameters)
            try files.write(
                BundleLayout.envelopes + "/" + node.id + BundleLayout.provenanceSuffix,
                Data(provenance.signed(with: key).jsonBytes()))
            written += 1
        }
        return written
    }
}

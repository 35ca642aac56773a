import Foundation
import SluiceEngine
import SluiceGovernance

/// The SLSA Provenance siblings (`envelopes/<node-id>.slsa.intoto.json`): each must sit beside a lineage envelope
/// that verified, be signed by the same key, and be exactly the statement ``SLSAProvenance`` derives from that
/// lineage envelope and `parameters.json` (so it claims nothing the lineage does not).
extension VerificationRun {
    mutating func checkProvenance() {
        let prefix = BundleLayout.envelopes + "/"
        let lineageByFile = Dictionary(
            verified.values.filter { $0.externalRun == nil }.map { ($0.file, $0) }, uniquingKeysWith: { a, _ in a })
        for file in files where file.hasPrefix(prefix) && file.hasSuffix(BundleLayout.provenanceSuffix) {
            let stem = String(file.dropFirst(prefix.count).dropLast(BundleLayout.provenanceSuffix.count))
            let lineageFile = prefix + stem + BundleLayout.envelopeSuffix
            guard let lineage = lineageByFile[lineageFile] else {
                fail(file, "its lineage envelope \(lineageFile) is missing or did not verify")
                continue
            }
            guard let bytes = read(file) else {
                fail(file, "cannot be read")
                continue
            }
            let envelope: Envelope
            do {
                envelope = try Envelope(jsonBytes: bytes)
                _ = try envelope.verify(trustedKeys: [lineage.signer], node: stem)
            } catch {
                fail(file, "\(error.description) (it must be signed by \(lineage.signer.keyID), like \(lineageFile))")
                continue
            }
            guard envelope.payloadType == Envelope.inTotoPayloadType else {
                fail(file, "its payloadType is '\(envelope.payloadType)', not '\(Envelope.inTotoPayloadType)'")
                continue
            }
            let expected = SLSAProvenance.statement(
                lineage: lineage.statement, predicate: lineage.predicate, lineagePayloadDigest: lineage.payloadDigest,
                workflowParameters: parameters ?? [])
            guard envelope.payload != expected.payloadBytes() else {
                pass(file, "SLSA provenance of node '\(lineage.predicate.node.displayName)' matches \(lineageFile)")
                continue
            }
            guard let statement = try? Statement(payloadBytes: envelope.payload) else {
                fail(file, "its payload is not an in-toto Statement")
                continue
            }
            var differing: [String] = []
            if statement.predicateType != expected.predicateType { differing.append("predicateType") }
            if statement.subjects != expected.subjects { differing.append("subject") }
            for key in ["buildDefinition", "runDetails"] where statement.predicate[key] != expected.predicate[key] {
                differing.append("predicate." + key)
            }
            fail(
                file,
                "it does not match \(lineageFile): "
                    + (differing.isEmpty ? "its bytes differ" : differing.joined(separator: ", ") + " differ"))
        }
    }
}

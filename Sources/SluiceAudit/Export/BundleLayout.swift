import SluiceEngine

/// The file names inside an export bundle, shared by the exporter and the verifier.
///
/// ```
/// manifest.json                  format, run, and {path, sha256, size} of every other file
/// workflow.yaml                  the submitted workflow file, byte for byte
/// parameters.json                the resolved workflow parameters (canonical JSON object)
/// governance.json                the workflow's governance section as canonical JSON (`null` when it has none)
/// templates.json                 the templates reached through templateRef, by identity, as canonical JSON (the
///                                submission attestation's `templates` subject covers their digests)
/// attestations/submission.intoto.json  the run's submission attestation (DSSE), root of every trust slope
/// attestations/run.intoto.json   the run attestation (DSSE, by the lineage key): its final status, denials and
///                                envelopes (``RunOutcome``)
/// status.json                    the Argo-shaped Workflow object (`sluice get -o json`)
/// envelopes/<node-id>.intoto.json  one DSSE envelope per node, as signed
/// envelopes/<node-id>.slsa.intoto.json  with `--slsa`: SLSA Provenance v1 per succeeded node, derived from the
///                                lineage envelope at export time and signed by the run's lineage key
/// envelopes.intoto.jsonl         the same envelopes, one per line
/// artifacts/sha256/<hex>         output files by SHA-256
/// artifacts/tree/<hex>/…         output directories by dirHash
/// keys/signer.pub.pem            the run's signing key
/// keys/trusted-keys.pem          the keys the run's gate trusted
/// revocations.json               the state directory's revocations (revocation list payload)
/// denials.json                   the run's governance refusals
/// external/<run-id>/…            an earlier run whose envelopes this run's envelopes name as inputs (reused
///                                outputs): its workflow.yaml, parameters.json, governance.json,
///                                submission.intoto.json, keys/trusted-keys.pem (the keys its gate trusted) and
///                                envelopes/<payload-hex>.intoto.json
/// ```
package enum BundleLayout {
    /// The bundle format identifier written in the manifest.
    package static let format = "https://sluice.dev/bundle/v0.1"
    package static let manifest = "manifest.json"
    package static let workflow = "workflow.yaml"
    package static let parameters = "parameters.json"
    package static let governance = "governance.json"
    package static let templates = "templates.json"
    package static let attestations = "attestations"
    package static let submission = "attestations/submission.intoto.json"
    package static let outcome = "attestations/run.intoto.json"
    package static let status = "status.json"
    package static let envelopes = "envelopes"
    package static let envelopeLines = "envelopes.intoto.jsonl"
    package static let envelopeSuffix = ".intoto.json"
    package static let provenanceSuffix = ".slsa.intoto.json"
    package static let fileArtifacts = "artifacts/sha256"
    package static let treeArtifacts = "artifacts/tree"
    package static let signerKey = "keys/signer.pub.pem"
    package static let trustedKeys = "keys/trusted-keys.pem"
    package static let revocations = "revocations.json"
    package static let denials = "denials.json"
    package static let external = "external"
    package static let externalSubmission = "submission.intoto.json"

    /// The directory of an earlier run's files, with a trailing slash: `external/<run-id>/`.
    static func externalDirectory(runID: String) -> String { external + "/" + runID + "/" }

    /// Whether a bundle-relative path is one of this run's lineage envelopes (`envelopes/<name>.intoto.json`, not
    /// an SLSA sibling).
    static func isLineageEnvelope(_ relative: String) -> Bool {
        relative.hasPrefix(envelopes + "/") && relative.hasSuffix(envelopeSuffix)
            && !relative.hasSuffix(provenanceSuffix)
    }

    /// Whether a path names a gzip-compressed tar bundle rather than a directory.
    package static func isArchive(_ path: String) -> Bool {
        path.hasSuffix(".tar.gz") || path.hasSuffix(".tgz")
    }
}

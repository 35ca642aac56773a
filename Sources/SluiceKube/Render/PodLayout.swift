/// Where the wrapper, the signer and their files live in a rendered pod: one place for every name and path the
/// renderer writes and `sluice wrap` / `sluice signer` read.
package enum PodLayout {
    /// Names rendering adds to templates start with this; a workflow's own names must not.
    package static let reservedPrefix = "sluice-"

    /// The emptyDir the init container copies the wrapper binary into (read-only in the main container).
    package static let binVolume = "sluice-bin"
    package static let binDirectory = "/var/run/sluice/bin"
    package static let wrapperPath = binDirectory + "/sluice"
    /// The emptyDir shared by the main container and the signer: the session socket.
    package static let sessionVolume = "sluice-session"
    package static let sessionDirectory = "/var/run/sluice/session"
    package static let socketPath = sessionDirectory + "/signer.sock"
    /// The emptyDir the wrapper writes the envelope and its digest into (Argo collects them as outputs).
    package static let outVolume = "sluice-out"
    package static let outDirectory = "/var/run/sluice/out"
    package static let envelopePath = outDirectory + "/envelope.intoto.json"
    package static let envelopeDigestPath = outDirectory + "/envelope-digest"
    /// The Secret volume holding the signing key: mounted only in the signer.
    package static let keyVolume = "sluice-key"
    package static let keyDirectory = "/var/run/sluice/key"
    /// The key file inside the Secret (its data key).
    package static let keyFileName = "key.pem"
    /// The optional ConfigMap holding a signed revocation list (`sluice revocations export`), mounted only in the
    /// signer, which hands its entries to the wrapper's gate.
    package static let revocationsVolume = "sluice-revocations"
    package static let revocationsConfigMap = "sluice-revocations"
    package static let revocationsDirectory = "/var/run/sluice/revocations"
    package static let revocationsFileName = "revocations.json"
    /// Producers' envelopes, one input artifact per consumed input.
    package static let lineageDirectory = "/var/run/sluice/lineage"

    /// The init container that installs the wrapper, and the signer sidecar.
    package static let installContainer = "sluice-install"
    package static let signerContainer = "sluice-signer"
    /// The path of `sluice` inside the wrapper image: the same directory as in the pod (`sluice`, its loader `ld.so`
    /// and `lib/`, see scripts/build-wrapper-image.sh), so the binary's fixed interpreter path holds in both.
    package static let imageBinary = wrapperPath
    /// Where the init container mounts the emptyDir `sluice-bin` to copy the wrapper's directory into it (its own
    /// `binDirectory` is the image's).
    package static let installDirectory = "/var/run/sluice/install"

    /// The output artifact holding the node's envelope, and the output parameter holding its payload digest.
    package static let envelopeArtifact = "sluice-envelope"
    package static let envelopeDigestParameter = "sluice-envelope-digest"

    /// The output artifact of a steps or DAG template that forwards the envelope of the node producing its output
    /// `name` of `kind` (a copy of that node's ``envelopeArtifact``: steps and DAG nodes sign nothing themselves).
    package static func forwardedEnvelopeArtifact(for name: String, kind: InputKind) -> String {
        envelopeArtifact + "-\(kind.rawValue)-" + name
    }

    /// The output parameter of a steps or DAG template that forwards Argo's record of that envelope's payload digest.
    package static func forwardedEnvelopeDigestParameter(for name: String, kind: InputKind) -> String {
        envelopeDigestParameter + "-\(kind.rawValue)-" + name
    }

    /// The kind of a consumed input, as lineage names it.
    package enum InputKind: String, Sendable, Equatable {
        case parameter, artifact
    }

    /// The input artifact that carries the envelope of the producer of input `name`.
    package static func lineageArtifact(for name: String, kind: InputKind) -> String {
        "sluice-lineage-\(kind.rawValue)-" + name
    }

    /// The input parameter that carries Argo's record of that envelope's payload digest (the producer's
    /// ``envelopeDigestParameter``), empty when unbound.
    package static func lineageDigestParameter(for name: String, kind: InputKind) -> String {
        "sluice-lineage-digest-\(kind.rawValue)-" + name
    }

    /// The input parameter that says where input parameter `name`'s value came from when no node signed it:
    /// `literal` (its default: text of the workflow), `argument:NAME` (a workflow argument), or empty (unknown).
    /// Call sites set it, as the local gate derives it from value provenance.
    package static func sourceParameter(for name: String) -> String { "sluice-source-" + name }

    /// Where the envelope of input `name`'s producer is placed.
    package static func lineagePath(for name: String, kind: InputKind) -> String {
        lineageDirectory + "/\(kind.rawValue)-" + name + ".intoto.json"
    }
}

package import SluiceEngine
package import SluiceGovernance

/// How `sluice kube render` writes the governed pods.
package struct KubeRenderOptions: Sendable {
    /// The image holding `sluice` (with its bundled loader) at ``PodLayout/imageBinary`` (init container and signer).
    package var wrapperImage: String
    /// The Kubernetes Secret holding the lineage signing key (data key ``PodLayout/keyFileName``).
    package var signerSecret: String
    /// `spec.artifactRepositoryRef` (a ConfigMap and its key), when given.
    package var artifactRepositoryRef: (configMap: String, key: String)?
    /// Render templates Sluice cannot wrap as they are, ungoverned, instead of refusing them.
    package var allowUngoverned: Bool
    /// What an image runs when a template gives no `command:` (`--runtime-profile`).
    package var profile: RuntimeProfile?
    /// A submission attestation signed elsewhere (`--submission`) that the rendered run adopts, with its name and
    /// run id, instead of signing one with the submitting key.
    package var submission: Envelope?

    /// The image `sluice kube render` names when `--wrapper-image` is not given.
    package static let defaultWrapperImage = "localhost/sluice-wrapper:latest"
    /// The Secret name when `--signer-secret` is not given.
    package static let defaultSignerSecret = "sluice-signer"

    package init(
        wrapperImage: String = defaultWrapperImage, signerSecret: String = defaultSignerSecret,
        artifactRepositoryRef: (configMap: String, key: String)? = nil, allowUngoverned: Bool = false,
        profile: RuntimeProfile? = nil
    ) {
        self.wrapperImage = wrapperImage
        self.signerSecret = signerSecret
        self.artifactRepositoryRef = artifactRepositoryRef
        self.allowUngoverned = allowUngoverned
        self.profile = profile
    }
}

/// An entry of `spec.volumes` or a template's `volumes`.
///
/// Only `emptyDir` has a local meaning (a directory created for the pod and removed with the node's root);
/// schema validation refuses the kinds that need Kubernetes objects (PVCs, ConfigMaps, Secrets, host paths...).
package struct Volume: Sendable, Decodable, Equatable {
    /// The name `volumeMounts[].name` refers to.
    package var name: String
    /// Present for an `emptyDir` volume; its `medium` and `sizeLimit` are ignored.
    package var emptyDir: Ignored?
}

/// A container's `volumeMounts` entry: a volume made visible at `mountPath`.
package struct VolumeMount: Sendable, Decodable, Equatable {
    /// The volume's name, from the template's or the workflow's `volumes`.
    package var name: String
    /// The absolute path where the container sees the volume.
    package var mountPath: String
    /// Mounted read-only when true.
    package var readOnly: Bool?
    /// A directory inside the volume to mount instead of its root.
    package var subPath: String?
}

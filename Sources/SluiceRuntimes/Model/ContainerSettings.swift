/// What a container runtime needs beyond the process view of a node: the image and Argo's container fields.
///
/// The process runtime ignores it (it runs `executable` and `arguments`, resolved through the runtime profile);
/// container runtimes run `image` with `command`/`args` under Kubernetes' rules: when `command` is nil the image's
/// ENTRYPOINT runs, and when `args` is nil too its CMD.
package struct ContainerSettings: Sendable, Equatable {
    package var image: String
    /// Argo's `command` (replaces the image's ENTRYPOINT), already rendered; nil keeps the image's.
    package var command: [String]?
    /// Argo's `args` (replaces the image's CMD), already rendered; a script template's staged file is the last one.
    package var args: [String]?
    /// `Always`, `IfNotPresent` or `Never`; nil means `IfNotPresent`, as `podman run`/`docker run` do.
    package var imagePullPolicy: String?
    /// `resources.limits.cpu` as Kubernetes writes it (`500m`, `2`), if any.
    package var cpuLimit: String?
    /// `resources.limits.memory` as Kubernetes writes it (`128Mi`, `1G`), if any.
    package var memoryLimit: String?
    /// `securityContext.runAsUser` / `runAsGroup`.
    package var runAsUser: Int?
    package var runAsGroup: Int?
    /// `securityContext.runAsNonRoot`: the runtime refuses to start the container as uid 0.
    package var runAsNonRoot: Bool?
    /// The name of the container whose network namespace this one joins (a sidecar joins its pod's main
    /// container, so that each reaches the other on localhost); the runtime waits until that container runs.
    package var networkOwner: String?

    package init(
        image: String, command: [String]? = nil, args: [String]? = nil, imagePullPolicy: String? = nil,
        cpuLimit: String? = nil, memoryLimit: String? = nil, runAsUser: Int? = nil, runAsGroup: Int? = nil,
        runAsNonRoot: Bool? = nil, networkOwner: String? = nil
    ) {
        self.networkOwner = networkOwner
        self.image = image
        self.command = command
        self.args = args
        self.imagePullPolicy = imagePullPolicy
        self.cpuLimit = cpuLimit
        self.memoryLimit = memoryLimit
        self.runAsUser = runAsUser
        self.runAsGroup = runAsGroup
        self.runAsNonRoot = runAsNonRoot
    }
}

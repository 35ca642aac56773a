/// What went wrong around a container node, carried by ``RuntimeError/container(node:runtime:image:problem:)``.
package enum ContainerProblem: Sendable, Equatable {
    /// The template names no image, so there is nothing to run in a container.
    case noImage
    /// The CLI binary is not on the engine's `PATH` (or the given path is not an executable file).
    case cliNotInstalled(executable: String)
    /// The CLI could not reach its engine (no Docker daemon at `DOCKER_HOST`, a dead Podman socket); `detail` is
    /// the CLI's own message.
    case daemonUnreachable(detail: String)
    /// The image is not present locally and the pull policy forbids pulling it.
    case imageMissing(policy: PullPolicy)
    /// Pulling the image failed (registry unreachable, unknown repository, short name not resolvable).
    case pullFailed(policy: PullPolicy, detail: String)
    /// The CLI was denied access (socket permissions, a mount it may not make); `detail` is its message.
    case permissionDenied(detail: String)
    /// `imagePullPolicy` is not `Always`, `IfNotPresent` or `Never`.
    case invalidPullPolicy(value: String)
    /// A `resources.limits` value is not a Kubernetes quantity (`500m`, `2`, `128Mi`, `1G`).
    case invalidQuantity(field: String, value: String)
    /// `runAsNonRoot` is set but the container would run as root (`user` is how that was decided).
    case runsAsRoot(user: String)
    /// `runAsNonRoot` is set but the image's user is a name, not a numeric uid, so it cannot be checked.
    case unverifiableUser(user: String)
    /// A mount path contains `:` or `,`, which the CLIs' `-v` syntax cannot express.
    case unmountablePath(path: String)
    /// The container whose network namespace this one should join (its pod's main container) is no longer
    /// running, so there is nothing to join; the pod's outcome is that container's.
    case networkOwnerGone(owner: String)
    /// A CLI call around the node failed for another reason; `detail` is the CLI's last error line.
    case commandFailed(subcommand: String, exitCode: Int32, detail: String)
    /// The CLI process could not be started; `reason` is the errno text.
    case launchFailed(reason: String)

    /// The sentence after `node 'N' (runtime, image I): `.
    func text(image: String) -> String {
        switch self {
        case .noImage:
            return "the template names no image; container runtimes need 'image:'"
        case .cliNotInstalled(let executable):
            return "the container CLI '\(executable)' is not installed (not found on PATH); install it or name another "
                + "binary in the runtime profile's 'executable'"
        case .daemonUnreachable(let detail):
            return "the container engine is unreachable (is the daemon running and DOCKER_HOST right?): \(detail)"
        case .imageMissing(let policy):
            return "image '\(image)' is not present locally and imagePullPolicy is \(policy.rawValue), so it is not "
                + "pulled"
        case .pullFailed(let policy, let detail):
            return "could not pull image '\(image)' (imagePullPolicy \(policy.rawValue)); the registry is unreachable "
                + "or does not have it: \(detail)"
        case .permissionDenied(let detail):
            return "permission denied: \(detail)"
        case .invalidPullPolicy(let value):
            return "imagePullPolicy '\(value)' must be Always, IfNotPresent or Never"
        case .invalidQuantity(let field, let value):
            return "resources.limits.\(field) '\(value)' is not a Kubernetes quantity"
        case .runsAsRoot(let user):
            return "securityContext.runAsNonRoot is true but the container would run as root (\(user))"
        case .unverifiableUser(let user):
            return "securityContext.runAsNonRoot is true but the image's user '\(user)' is not numeric, so it cannot "
                + "be verified; set runAsUser"
        case .unmountablePath(let path):
            return "cannot mount '\(path)': container mount paths must not contain ':' or ','"
        case .networkOwnerGone(let owner):
            return "container '\(owner)' is no longer running, so there is no network namespace to join"
        case .commandFailed(let subcommand, let exitCode, let detail):
            return "'\(subcommand)' failed with exit code \(exitCode): \(detail)"
        case .launchFailed(let reason):
            return "could not start the container CLI: \(reason)"
        }
    }
}

/// The runtimes Sluice runs nodes on, by the names `--runtime`, the `sluice.dev/runtime` annotation and lineage
/// envelopes use: the one list of them.
package enum RuntimeKind: String, CaseIterable, Sendable {
    /// Host processes (``ProcessRuntime``), isolated by the sandbox launcher or bubblewrap.
    case process
    /// Containers through the Podman CLI (``ContainerRuntime``).
    case podman
    /// Containers through the Docker CLI (``ContainerRuntime``).
    case docker

    /// The names, as messages list them: `process, podman or docker`.
    package static let choices: String = {
        let names = allCases.map(\.rawValue)
        return names.dropLast().joined(separator: ", ") + " or " + (names.last ?? "")
    }()

    /// The container CLI of a container kind; nil for ``process``.
    package var containerEngine: ContainerProfile.Engine? { ContainerProfile.Engine(rawValue: rawValue) }

    /// The runtime of this kind with its built-in settings: the process runtime with the isolation detected on
    /// this host, or a container runtime with the built-in ``ContainerProfile/podman`` or ``ContainerProfile/docker``.
    package func builtIn() -> any NodeRuntime {
        switch self {
        case .process: ProcessRuntime()
        case .podman: ContainerRuntime(profile: .podman)
        case .docker: ContainerRuntime(profile: .docker)
        }
    }
}

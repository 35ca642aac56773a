/// How a container runtime reaches its engine: which CLI, with which extra flags and environment.
///
/// Built-in defaults (``podman`` and ``docker``) need no file; a runtime profile file (`runtimes/podman.yaml`,
/// `--runtime-profile FILE`) overrides them for odd hosts, e.g. `globalFlags` or an `environment` with
/// `CONTAINERS_CONF` or `DOCKER_HOST`. Decoding rejects unknown keys so that a typo is not silently ignored;
/// absent keys keep the built-in default of the profile's `runtime`.
package struct ContainerProfile: Sendable, Equatable {
    /// Which CLI dialect the profile speaks.
    package enum Engine: String, Sendable, Equatable, CaseIterable {
        case podman
        case docker
    }

    /// The CLI dialect; also the runtime's ``ContainerRuntime/kind``.
    package var runtime: Engine
    /// The CLI binary: a name looked up on the engine's `PATH`, or a path.
    package var executable: String
    /// Flags placed before the subcommand in every call (e.g. `--log-level=error`, `--root DIR`).
    package var globalFlags: [String]
    /// Flags added to every `run` before the image (e.g. `--security-opt=label=disable`).
    package var runFlags: [String]
    /// Variables set for the CLI process itself on top of the engine's environment (never passed to the node).
    package var environment: [String: String]
    /// The pull policy used when a template gives no `imagePullPolicy`; `IfNotPresent` unless overridden.
    package var imagePullPolicy: PullPolicy
    /// `--network` for every container; `nil` keeps the CLI's default network (Argo pods have a network).
    package var network: String?
    /// Options appended to every bind mount (e.g. `z` on SELinux hosts).
    package var mountOptions: [String]

    /// Creates a profile; omitted values are the built-in defaults for `runtime`.
    package init(
        runtime: Engine, executable: String? = nil, globalFlags: [String] = [], runFlags: [String] = [],
        environment: [String: String] = [:], imagePullPolicy: PullPolicy = .ifNotPresent, network: String? = nil,
        mountOptions: [String] = []
    ) {
        self.runtime = runtime
        self.executable = executable ?? runtime.rawValue
        self.globalFlags = globalFlags
        self.runFlags = runFlags
        self.environment = environment
        self.imagePullPolicy = imagePullPolicy
        self.network = network
        self.mountOptions = mountOptions
    }

    /// The built-in Podman profile: `podman` on `PATH`, no extra flags, `IfNotPresent`.
    package static let podman = ContainerProfile(runtime: .podman)
    /// The built-in Docker profile: `docker` on `PATH` (its daemon from `DOCKER_HOST` or the default socket).
    package static let docker = ContainerProfile(runtime: .docker)
}

extension ContainerProfile: Decodable {
    private enum Key: String, CodingKey, CaseIterable {
        case runtime, executable, globalFlags, runFlags, environment, imagePullPolicy, network, mountOptions
    }

    /// A key name not in the profile format, to report unknown keys.
    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Decodes a profile file; `runtime` is required, every other key optional, unknown keys are an error.
    package init(from decoder: any Decoder) throws {
        let all = try decoder.container(keyedBy: AnyKey.self)
        let known = Set(Key.allCases.map(\.rawValue))
        if let unknown = all.allKeys.first(where: { !known.contains($0.stringValue) }) {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: [unknown],
                    debugDescription:
                        "unknown key '\(unknown.stringValue)' (known: \(Key.allCases.map(\.rawValue).joined(separator: ", ")))"
                )
            )
        }
        let container = try decoder.container(keyedBy: Key.self)
        let name = try container.decode(String.self, forKey: .runtime)
        guard let runtime = Engine(rawValue: name) else {
            throw DecodingError.dataCorruptedError(
                forKey: .runtime, in: container, debugDescription: "runtime '\(name)' must be podman or docker")
        }
        let policyName = try container.decodeIfPresent(String.self, forKey: .imagePullPolicy)
        var policy = PullPolicy.ifNotPresent
        if let policyName {
            guard let parsed = PullPolicy(rawValue: policyName) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .imagePullPolicy, in: container,
                    debugDescription: "imagePullPolicy '\(policyName)' must be Always, IfNotPresent or Never")
            }
            policy = parsed
        }
        self.init(
            runtime: runtime,
            executable: try container.decodeIfPresent(String.self, forKey: .executable),
            globalFlags: try container.decodeIfPresent([String].self, forKey: .globalFlags) ?? [],
            runFlags: try container.decodeIfPresent([String].self, forKey: .runFlags) ?? [],
            environment: try container.decodeIfPresent([String: String].self, forKey: .environment) ?? [:],
            imagePullPolicy: policy,
            network: try container.decodeIfPresent(String.self, forKey: .network),
            mountOptions: try container.decodeIfPresent([String].self, forKey: .mountOptions) ?? []
        )
    }
}

/// Argo's (Kubernetes') `imagePullPolicy`.
package enum PullPolicy: String, Sendable, Equatable, CaseIterable {
    /// Pull before every run: `--pull always`.
    case always = "Always"
    /// Pull only when the image is not present locally: `--pull missing` (the CLIs' own default).
    case ifNotPresent = "IfNotPresent"
    /// Never pull; a missing image fails the node: `--pull never`.
    case never = "Never"

    /// The value of the CLIs' `--pull` flag.
    package var pullFlagValue: String {
        switch self {
        case .always: "always"
        case .ifNotPresent: "missing"
        case .never: "never"
        }
    }
}

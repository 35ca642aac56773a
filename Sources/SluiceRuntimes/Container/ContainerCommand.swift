import Foundation

/// The argument lists of the CLI calls for one node, built without running anything.
///
/// Kubernetes' rules for `command`/`args`: `command` replaces the image's ENTRYPOINT and drops its CMD, `args`
/// replace CMD. Both CLIs take a single executable in `--entrypoint`, so the rest of `command` goes after the
/// image, followed by `args`.
struct ContainerCommand: Sendable, Equatable {
    /// One `-v host:path[:options]`.
    struct Mount: Sendable, Equatable {
        var hostPath: String
        var containerPath: String
        var isReadOnly: Bool
    }

    var profile: ContainerProfile
    var name: String
    var settings: ContainerSettings
    var pullPolicy: PullPolicy
    var mounts: [Mount]
    /// Variables passed as `-e NAME` (the value travels in the CLI's environment, not on its command line).
    var inheritedVariables: [String]
    /// Variables passed as `-e NAME=VALUE` because the CLI itself reads a variable of that name.
    var explicitVariables: [(name: String, value: String)]
    var workingDirectory: String?
    /// `--cpus` value, already converted.
    var cpus: String?
    /// `--memory` value, already converted.
    var memory: String?
    /// `--user` value.
    var user: String?
    /// `--label NAME=VALUE` pairs, in order: which run, state directory and engine the container belongs to.
    var labels: [(name: String, value: String)] = []

    static func == (lhs: ContainerCommand, rhs: ContainerCommand) -> Bool {
        lhs.runArguments == rhs.runArguments
    }

    /// The arguments of `CLI run` (without the CLI binary itself).
    var runArguments: [String] {
        var arguments = profile.globalFlags + ["run", "--name", name, "--pull", pullPolicy.pullFlagValue, "--quiet"]
        for label in labels { arguments += ["--label", "\(label.name)=\(label.value)"] }
        // Kubernetes gives a container no stdin and no terminal; the CLI attaches stdout and stderr only.
        for mount in mounts {
            var options = mount.isReadOnly ? ["ro"] : []
            options += profile.mountOptions
            let suffix = options.isEmpty ? "" : ":" + options.joined(separator: ",")
            arguments += ["-v", "\(mount.hostPath):\(mount.containerPath)\(suffix)"]
        }
        for name in inheritedVariables { arguments += ["-e", name] }
        for variable in explicitVariables { arguments += ["-e", "\(variable.name)=\(variable.value)"] }
        if let workingDirectory { arguments += ["-w", workingDirectory] }
        if let cpus { arguments += ["--cpus", cpus] }
        if let memory { arguments += ["--memory", memory] }
        if let user { arguments += ["--user", user] }
        if let owner = settings.networkOwner {
            arguments += ["--network", "container:\(owner)"]
        } else if let network = profile.network {
            arguments += ["--network", network]
        }
        var trailing: [String] = []
        if let command = settings.command, let first = command.first {
            arguments += ["--entrypoint", first]
            trailing = Array(command.dropFirst()) + (settings.args ?? [])
        } else if let args = settings.args {
            trailing = args
        }
        arguments += profile.runFlags
        arguments.append(settings.image)
        return arguments + trailing
    }

    /// `CLI rm -f NAME` with the kill at once (`-t 0` for Podman, Docker's `rm -f` kills without a grace).
    static func removeArguments(profile: ContainerProfile, name: String) -> [String] {
        switch profile.runtime {
        case .podman: profile.globalFlags + ["rm", "-f", "-t", "0", "--ignore", name]
        case .docker: profile.globalFlags + ["rm", "-f", name]
        }
    }

    /// `CLI stop -t SECONDS NAME`: the image's stop signal (SIGTERM), then SIGKILL after the grace.
    static func stopArguments(profile: ContainerProfile, name: String, graceSeconds: Int) -> [String] {
        profile.globalFlags + ["stop", "-t", String(graceSeconds), name]
    }

    /// `CLI container inspect`: exit code, image ID, whether it was OOM-killed, separated by `|`.
    static func inspectContainerArguments(profile: ContainerProfile, name: String) -> [String] {
        profile.globalFlags + [
            "container", "inspect", "--format", "{{.State.ExitCode}}|{{.Image}}|{{.State.OOMKilled}}", name,
        ]
    }

    /// `CLI container inspect`: the container's status (`created`, `running`, `exited`...).
    static func statusArguments(profile: ContainerProfile, name: String) -> [String] {
        profile.globalFlags + ["container", "inspect", "--format", "{{.State.Status}}", name]
    }

    /// `CLI container inspect`: the container's status, then its IP addresses (the default network's, then each
    /// attached network's), as `STATUS|IP IP ...`.
    static func addressArguments(profile: ContainerProfile, name: String) -> [String] {
        profile.globalFlags + [
            "container", "inspect", "--format",
            "{{.State.Status}}|{{.NetworkSettings.IPAddress}} {{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}",
            name,
        ]
    }

    /// What ``addressArguments(profile:name:)`` printed, read: the first IP address of a running container,
    /// ``NodeAddress/host`` when it runs without one (`--network host`), ``NodeAddress/pending`` before it runs.
    static func address(fromInspectOutput output: String) -> NodeAddress {
        let line = output.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bar = line.firstIndex(of: "|"), line[..<bar] == "running" else { return .pending }
        let address = line[line.index(after: bar)...].replacingOccurrences(of: "<no value>", with: " ")
            .split(separator: " ").first.map(String.init)
        return address.map { .own($0) } ?? .host
    }

    /// `CLI image inspect`: the image ID and its configured user, separated by `|`.
    static func inspectImageArguments(profile: ContainerProfile, image: String) -> [String] {
        profile.globalFlags + ["image", "inspect", "--format", "{{.Id}}|{{.Config.User}}", image]
    }

    /// `CLI pull IMAGE`.
    static func pullArguments(profile: ContainerProfile, image: String) -> [String] {
        profile.globalFlags + ["pull", "--quiet", image]
    }

    /// The labels of a node's container: `sluice.run` (the run's name), `sluice.state-dir` (the state directory,
    /// when the node's directory lies in one: `<state>/runs/<run>/nodes/<id>`) and `sluice.engine-pid`, so that
    /// a container whose engine died can be told apart and removed.
    static func labels(runName: String, nodeDirectory: String, enginePID: Int32) -> [(name: String, value: String)] {
        var labels = [(name: "sluice.run", value: runName)]
        if let range = nodeDirectory.range(of: "/runs/\(runName)/nodes/", options: .backwards) {
            labels.append((name: "sluice.state-dir", value: String(nodeDirectory[..<range.lowerBound])))
        }
        labels.append((name: "sluice.engine-pid", value: String(enginePID)))
        return labels
    }

    /// A valid container name from the run and node: `sluice-<run>-<node id>`, other characters replaced by `-`.
    static func containerName(runName: String, nodeID: String) -> String {
        let raw = "sluice-\(runName)-\(nodeID)"
        let cleaned = raw.unicodeScalars.map { scalar -> Character in
            let allowed =
                (scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar))) || scalar == "_"
                || scalar == "." || scalar == "-"
            return allowed ? Character(scalar) : "-"
        }
        return String(cleaned.prefix(200))
    }

    /// Environment names the CLIs read themselves: a node's variable of such a name is passed by value on the
    /// command line, so that it cannot change how the CLI behaves.
    static func isReservedForCLI(_ name: String, profile: ContainerProfile) -> Bool {
        if profile.environment[name] != nil { return true }
        let exact: Set<String> = [
            "PATH", "HOME", "TMPDIR", "USER", "LD_LIBRARY_PATH", "LD_PRELOAD", "REGISTRY_AUTH_FILE", "SSL_CERT_FILE",
            "SSL_CERT_DIR", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy",
        ]
        return exact.contains(name) || name.hasPrefix("DOCKER_") || name.hasPrefix("CONTAINERS_")
            || name.hasPrefix("XDG_") || name.hasPrefix("PODMAN_") || name.hasPrefix("BUILDAH_")
            || name.hasPrefix("STORAGE_") || name.hasPrefix("CONTAINER_")
    }
}

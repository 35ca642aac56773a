import Foundation

/// What container tests need from the host: podman with the locally built test images, and a Docker-compatible
/// socket (`podman system service`) for the docker CLI; see `scripts/setup-containers.sh`.
///
/// Locally, tests skip with the recorded reason when something is missing; under CI (env `CI` set) they run
/// anyway and fail, so a broken setup cannot pass silently. When `CONTAINERS_CONF` or `DOCKER_HOST` are unset and
/// `.build-containers/env` (written by the setup script) exists in the current directory, its values are used.
package enum ContainersSupport {
    /// The busybox image the setup script builds (no ENTRYPOINT, CMD sh).
    package static let baseImage = "localhost/sluice-test-base:latest"
    /// ENTRYPOINT `/bin/echo entry`, CMD `default-cmd`.
    package static let entrypointImage = "localhost/sluice-test-entrypoint:latest"
    /// USER 65534.
    package static let nonRootImage = "localhost/sluice-test-nonroot:latest"

    /// Whether the tests run under CI, where a missing container setup is a failure, not a skip.
    package static var isCI: Bool { ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty } ?? false }

    /// Why podman tests cannot run here, or `nil`.
    package static let podmanUnavailableReason: String? = {
        loadEnvironmentFile()
        guard let result = run(["podman", "image", "exists", baseImage]) else {
            return "podman is not installed (run scripts/setup-containers.sh)"
        }
        return result.status == 0 ? nil : "podman has no image \(baseImage) (run scripts/setup-containers.sh)"
    }()

    /// Why docker tests cannot run here, or `nil`.
    package static let dockerUnavailableReason: String? = {
        loadEnvironmentFile()
        if let reason = podmanUnavailableReason { return reason }
        guard ProcessInfo.processInfo.environment["DOCKER_HOST"] != nil else {
            return "DOCKER_HOST is not set (run scripts/setup-containers.sh --service)"
        }
        guard let result = run(["docker", "image", "inspect", "--format", "{{.Id}}", baseImage]) else {
            return "the docker CLI is not installed"
        }
        return result.status == 0 ? nil : "docker cannot reach DOCKER_HOST or lacks \(baseImage): \(result.output)"
    }()

    /// Whether podman tests should run: podman is usable, or CI demands it.
    package static var podmanTestsEnabled: Bool { isCI || podmanUnavailableReason == nil }
    /// Whether docker tests should run: the socket is usable, or CI demands it.
    package static var dockerTestsEnabled: Bool { isCI || dockerUnavailableReason == nil }

    /// What this host does to a podman container that exceeds `--memory`.
    package enum MemoryLimitBehaviour: Sendable, Equatable {
        /// The kernel kills it and `container inspect` reports `.State.OOMKilled` true.
        case killedAndReported
        /// The kernel kills it (exit code 137) but `.State.OOMKilled` stays false (conmon cannot tell on some
        /// cgroup v1 hosts).
        case killedUnreported
        /// The limit is not enforced (or podman cannot run the probe); `reason` says what happened.
        case notEnforced(reason: String)
    }

    /// Runs a probe container that doubles a string until it exceeds 16 MiB under `--memory 16m`, once per process.
    package static let memoryLimitBehaviour: MemoryLimitBehaviour = {
        if let reason = podmanUnavailableReason { return .notEnforced(reason: reason) }
        let name = "sluice-oom-probe-\(UUID().uuidString.prefix(8))"
        defer { _ = run(["podman", "rm", "-f", name]) }
        let script = "x=aaaaaaaaaaaaaaaa; i=0; while [ $i -lt 24 ]; do x=$x$x; i=$((i+1)); done; echo survived"
        guard let probe = run(["podman", "run", "--name", name, "--memory", "16m", baseImage, "sh", "-c", script])
        else { return .notEnforced(reason: "podman could not be started") }
        guard probe.status == 137 else {
            return .notEnforced(
                reason: "a container under --memory 16m that allocates 256 MiB exited with \(probe.status), not 137: "
                    + "memory limits are not enforced on this host")
        }
        let inspected = run(["podman", "container", "inspect", "--format", "{{.State.OOMKilled}}", name])
        return inspected?.output.trimmingCharacters(in: .whitespacesAndNewlines) == "true"
            ? .killedAndReported : .killedUnreported
    }()

    /// Names of all containers (running or not) whose name starts with `prefix`, as `podman ps -a` lists them.
    package static func containers(prefixed prefix: String) -> [String] {
        guard let result = run(["podman", "ps", "-a", "--format", "{{.Names}}"]) else { return [] }
        return result.output.split(separator: "\n").map(String.init).filter { $0.hasPrefix(prefix) }
    }

    /// The names of the containers (running or not) that an engine with state directory `stateDirectory` started:
    /// those labelled `sluice.state-dir=<it>`, so that containers another test run left behind do not count.
    package static func containers(ofStateDirectory stateDirectory: String) -> [String] {
        let argv = [
            "podman", "ps", "-a", "--filter", "label=sluice.state-dir=\(stateDirectory)", "--format", "{{.Names}}",
        ]
        guard let result = run(argv) else { return [] }
        return result.output.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    }

    /// The image ID `podman image inspect` reports, as `sha256:<hex>`.
    package static func imageID(_ image: String) -> String? {
        guard let result = run(["podman", "image", "inspect", "--format", "{{.Id}}", image]), result.status == 0 else {
            return nil
        }
        return "sha256:" + result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs a command found on PATH and returns its exit status and combined output; `nil` when it cannot start.
    package static func run(_ argv: [String]) -> (status: Int32, output: String)? {
        // conmon writes files (e.g. `oom`) into the working directory of `podman run`: keep them out of the checkout.
        HostProcess.capture(argv, directory: NSTemporaryDirectory())
    }

    /// Applies `export NAME=VALUE` lines of `.build-containers/env` for variables not already set.
    private static func loadEnvironmentFile() {
        let path = FileManager.default.currentDirectoryPath + "/.build-containers/env"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return }
        for line in text.split(separator: "\n") {
            let body = line.hasPrefix("export ") ? line.dropFirst(7) : line[...]
            guard let equals = body.firstIndex(of: "=") else { continue }
            setenv(String(body[..<equals]), String(body[body.index(after: equals)...]), 0)
        }
    }
}

import ArgumentParser
import SluiceEngine
import SluiceRuntimes

/// `--runtime`, `--isolation` and `--runtime-profile`, for commands that run nodes besides `sluice run`.
struct RuntimeOptions: ParsableArguments {
    @Option(help: "Where nodes run: process (default), podman or docker (each node in a container of its image).")
    var runtime: String = "process"

    @Option(help: "Process isolation: auto (bubblewrap when usable), bubblewrap, or none (nodes run one at a time).")
    var isolation: String = "auto"

    @Option(
        help:
            "Runtime profile file: image entrypoints for the process runtime, or the CLI, flags and pull policy for podman/docker (see runtimes/)."
    )
    var runtimeProfile: String?

    /// The runtime and process-runtime profile these options name, as `sluice run` builds them.
    ///
    /// - Throws: `ExitCode(ExitStatus.usage)` after printing what is wrong with an option.
    func make() throws -> (runtime: any NodeRuntime, profile: RuntimeProfile) {
        if let engine = ContainerProfile.Engine(rawValue: runtime) {
            return (
                ContainerRuntime(profile: try RunCommand.containerProfile(engine, path: runtimeProfile)),
                RuntimeProfile()
            )
        }
        guard runtime == "process" else {
            throw CommandFailure(ExitStatus.usage, "error: unknown runtime '\(runtime)': use process, podman or docker")
        }
        var profile = RuntimeProfile()
        if let runtimeProfile {
            do {
                profile = try RuntimeProfile.load(path: runtimeProfile)
            } catch {
                throw CommandFailure(ExitStatus.usage, "error: \(error.description)")
            }
        }
        switch isolation {
        case "auto": return (ProcessRuntime(), profile)
        case "bubblewrap":
            guard ProcessRuntime.detectedIsolation == .bubblewrap else {
                throw CommandFailure(
                    ExitStatus.usage,
                    "error: bubblewrap isolation is not usable here: "
                        + (ProcessRuntime.bubblewrapUnavailableReason ?? "bwrap failed its probe"))
            }
            return (ProcessRuntime(isolation: .bubblewrap), profile)
        case "none": return (ProcessRuntime(isolation: .none), profile)
        default:
            throw CommandFailure(
                ExitStatus.usage, "error: unknown isolation '\(isolation)': use auto, bubblewrap or none")
        }
    }
}

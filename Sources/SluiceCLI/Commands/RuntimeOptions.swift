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
    /// - Throws: ``CommandFailure`` (usage) with what is wrong with an option.
    func make() throws -> (runtime: any NodeRuntime, profile: RuntimeProfile) {
        let selection = try RuntimeSelection(runtime: runtime, isolation: isolation, profilePath: runtimeProfile)
        return (selection.runtime, selection.profile)
    }
}

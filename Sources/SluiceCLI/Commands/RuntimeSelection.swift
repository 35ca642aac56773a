import SluiceEngine
import SluiceRuntimes

/// The runtimes a command runs nodes on, built from `--runtime`, `--isolation` and `--runtime-profile` (`sluice run`,
/// `replay`) or from a run's record (`resume`): the CLI's one mapping from those names to runtimes.
///
/// A container run keeps a process runtime with the chosen isolation beside it, for templates annotated
/// `sluice.dev/runtime: process`.
struct RuntimeSelection {
    /// The run's runtime.
    var runtime: any NodeRuntime
    /// The runtimes of other kinds that annotated templates may choose.
    var alternatives: [any NodeRuntime]
    /// The process runtime's profile (image entrypoints); empty for a container run.
    var profile: RuntimeProfile
    /// The profile file's text, recorded with the run so that a resume uses the same.
    var profileText: String?

    /// The runtimes that `--runtime`, `--isolation` and `--runtime-profile` name.
    ///
    /// - Throws: ``CommandFailure`` (usage) with one line when a name is unknown, bubblewrap is not usable, or the
    ///   profile cannot be read.
    init(runtime: String, isolation: String, profilePath: String?) throws {
        let kind = try Self.kind(named: runtime)
        let text = try profilePath.map { try RunCommand.profileText(path: $0) }
        try self.init(
            kind: kind, isolation: try Self.isolation(named: isolation), profileText: text,
            origin: profilePath ?? "")
    }

    /// The runtimes of `kind`, with `isolation` for the process runtime (nil: detected) and a profile's text
    /// (`origin` names where it came from in messages).
    init(kind: RuntimeKind, isolation: Isolation?, profileText: String?, origin: String) throws {
        let processRuntime = ProcessRuntime(isolation: isolation)
        self.profileText = profileText
        if let engine = kind.containerEngine {
            let profile = try profileText.map { try RunCommand.containerProfile(engine, text: $0, path: origin) }
            runtime = ContainerRuntime(profile: profile ?? (engine == .podman ? .podman : .docker))
            alternatives = [processRuntime]
            self.profile = RuntimeProfile()
        } else {
            runtime = processRuntime
            alternatives = []
            do throws(EngineError) {
                profile =
                    try profileText.map { text throws(EngineError) in
                        try RuntimeProfile.parse(text, path: origin)
                    } ?? RuntimeProfile()
            } catch {
                throw CommandFailure(ExitStatus.usage, "error: \(error.description)")
            }
        }
    }

    /// The runtime kind `name` names.
    static func kind(named name: String) throws -> RuntimeKind {
        guard let kind = RuntimeKind(rawValue: name) else {
            throw CommandFailure(ExitStatus.usage, "error: unknown runtime '\(name)': use \(RuntimeKind.choices)")
        }
        return kind
    }

    /// The isolation `--isolation` names: nil for `auto` (detected), bubblewrap only where it is usable.
    static func isolation(named name: String) throws -> Isolation? {
        switch name {
        case "auto": return nil
        case "bubblewrap":
            guard ProcessRuntime.detectedIsolation == .bubblewrap else {
                throw CommandFailure(
                    ExitStatus.usage,
                    "error: bubblewrap isolation is not usable here: "
                        + (ProcessRuntime.bubblewrapUnavailableReason ?? "bwrap failed its probe"))
            }
            return .bubblewrap
        case "none": return Isolation.none
        default:
            throw CommandFailure(
                ExitStatus.usage, "error: unknown isolation '\(name)': use auto, bubblewrap or none")
        }
    }
}

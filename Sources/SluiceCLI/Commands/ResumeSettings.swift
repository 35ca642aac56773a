import ArgumentParser
import SluiceEngine
import SluiceRuntimes
import SluiceStore

/// The runtime a resumed run continues on: the one recorded at submission (runtime, isolation, profile text), with
/// `sluice resume`'s own flags accepted only when they agree with it.
struct ResumeSettings {
    var runtime: any NodeRuntime
    /// The process runtime, for templates annotated `sluice.dev/runtime: process` in a container run.
    var alternatives: [any NodeRuntime]
    var profile: RuntimeProfile
    /// The profile text to record again with the run.
    var profileText: String?

    /// Rebuilds the run's runtime from its record.
    ///
    /// A run recorded before Sluice kept its isolation and profile uses the flags given (or the defaults).
    /// - Throws: `ExitCode(ExitStatus.usage)` after printing one line when a flag conflicts with the record, a
    ///   flag is unknown, the profile cannot be read, or the recorded isolation is not usable on this host.
    init(record: RunRecord, runtime: String?, isolation: String?, profilePath: String?) throws {
        let givenText = try profilePath.map { try RunCommand.profileText(path: $0) }
        if let runtime, runtime != record.runtime {
            try Self.refuse(
                .resumeSettingConflict(
                    run: record.name, setting: "--runtime", recorded: record.runtime, given: runtime))
        }
        let isolationChoice = try Self.isolation(record: record, given: isolation)
        if record.isolation != nil, let givenText, givenText != record.runtimeProfile {
            try Self.refuse(
                .resumeSettingConflict(
                    run: record.name, setting: "--runtime-profile",
                    recorded: record.runtimeProfile == nil ? "(none)" : "(another file)", given: profilePath ?? ""))
        }
        profileText = record.runtimeProfile ?? givenText
        let origin = profilePath ?? "the profile recorded with run '\(record.name)'"
        let kind = try RuntimeSelection.kind(named: record.runtime)
        let selection = try RuntimeSelection(
            kind: kind, isolation: isolationChoice, profileText: profileText, origin: origin)
        self.runtime = selection.runtime
        self.alternatives = selection.alternatives
        self.profile = selection.profile
    }

    /// The recorded isolation, checked against `--isolation` (`auto` accepts whatever was recorded).
    private static func isolation(record: RunRecord, given: String?) throws -> Isolation {
        if let given, !["auto", "bubblewrap", "none"].contains(given) {
            throw CommandFailure(ExitStatus.usage, "error: unknown isolation '\(given)': use auto, bubblewrap or none")
        }
        let recorded = record.isolation.flatMap(Isolation.init(rawValue:))
        if let recorded, let given, given != "auto", given != recorded.rawValue {
            try refuse(
                .resumeSettingConflict(
                    run: record.name, setting: "--isolation", recorded: recorded.rawValue, given: given))
        }
        let chosen = recorded ?? given.flatMap(Isolation.init(rawValue:)) ?? ProcessRuntime.detectedIsolation
        if chosen == .bubblewrap, ProcessRuntime.detectedIsolation != .bubblewrap {
            throw CommandFailure(
                ExitStatus.usage,
                "error: run '\(record.name)' ran its nodes under bubblewrap, which is not usable here: "
                    + (ProcessRuntime.bubblewrapUnavailableReason ?? "bwrap failed its probe"))
        }
        return chosen
    }

    private static func refuse(_ error: EngineError) throws -> Never {
        throw CommandFailure(ExitStatus.usage, "error: \(error.description)")
    }
}

import Foundation
import SluiceRuntimes
import SluiceStore

#if canImport(Glibc)
    import Glibc
#endif

/// Removes the containers an engine left running when it died (SIGKILL, a CI job timeout): every `sluice` command
/// on a state directory calls ``sweep(stateDirectory:)`` first, which finds runs still Running or Pending whose
/// engine process is gone and removes their containers by label (`sluice.run`, `sluice.state-dir`).
///
/// A run is swept once per dead engine (a marker in its run directory records the engine's pid), so that the
/// container CLI is called only when there is something to find.
package enum OrphanContainers {
    /// Removes the orphaned containers of runs in `stateDirectory`; nothing happens when it holds no database.
    ///
    /// - Returns: the names of the containers removed.
    @discardableResult
    package static func sweep(stateDirectory: String) async -> [String] {
        guard FileManager.default.fileExists(atPath: stateDirectory + "/sluice.db"),
            let store = try? Store.shared(stateDirectory: stateDirectory), let runs = try? store.unfinishedRuns()
        else { return [] }
        var removed: [String] = []
        for run in runs {
            guard let pid = run.engineProcessID, pid > 0, kill(pid, 0) != 0, errno == ESRCH else { continue }
            let marker = StateLayout.runDirectory(in: stateDirectory, runName: run.name) + "/containers-swept"
            let swept = FileManager.default.contents(atPath: marker).map { String(decoding: $0, as: UTF8.self) }
            guard swept != String(pid) else { continue }
            for profile in [ContainerProfile.podman, .docker] {
                removed += await ContainerRuntime(profile: profile)
                    .removeContainers(ofRun: run.name, stateDirectory: stateDirectory)
            }
            // Best effort: without the marker the next command only sweeps again.
            _ = FileManager.default.createFile(
                atPath: marker, contents: Data(String(pid).utf8), attributes: [.posixPermissions: 0o600])
        }
        return removed
    }
}

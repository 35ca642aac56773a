import ArgumentParser
import Foundation
import SluiceStore

/// Deletes runs and collects the artifacts nothing names any more.
enum RunPruner {
    /// What a prune did (or, dry, would do), as lines for the user.
    struct Report {
        var lines: [String] = []
    }

    /// Every run of the store.
    static func runs(of store: Store) throws -> [RunRecord] {
        do {
            return try store.runs()
        } catch {
            throw CommandFailure(ExitStatus.failed, "error: \(error.description)")
        }
    }

    /// The references between `runs`.
    static func references(_ store: Store, _ runs: [RunRecord]) throws -> RunReferences {
        do {
            return try RunReferences(store: store, runs: runs)
        } catch {
            throw CommandFailure(ExitStatus.failed, "error: \(error.description)")
        }
    }

    /// Deletes a run's records and its directory (node work directories, logs, trusted keys).
    static func delete(_ record: RunRecord, store: Store, stateDirectory: String) throws {
        do {
            try store.deleteRun(id: record.id)
        } catch {
            throw CommandFailure(ExitStatus.failed, "error: \(error.description)")
        }
        // A run's name is a Kubernetes object name (checked at submission): no '/' or '..' can reach out of runs/.
        guard !record.name.isEmpty, !record.name.contains("/"), record.name != ".", record.name != ".." else { return }
        try? ArtifactStore.removeTree(StateLayout.runDirectory(in: stateDirectory, runName: record.name))
    }

    /// Deletes the ended runs created before `cutoff` (keeping those a remaining run reused), then the artifacts
    /// that no remaining run names; nothing is collected while a run is in progress (its artifacts may not be
    /// recorded yet).
    static func prune(store: Store, stateDirectory: String, olderThan cutoff: Date, dryRun: Bool) throws -> Report {
        var report = Report()
        let all = try runs(of: store)
        let references = try references(store, all)
        let old = all.filter { $0.phase.isTerminal && ($0.finishedAt ?? $0.createdAt) < cutoff }
        let (deletable, kept) = references.deletable(Set(old.map(\.id)))
        let names = Dictionary(all.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        for (id, holders) in kept.sorted(by: { (names[$0.key] ?? "") < (names[$1.key] ?? "") }) {
            let list = holders.compactMap { names[$0] }.sorted().joined(separator: ", ")
            report.lines.append("kept run \(names[id] ?? id): run(s) \(list) reused its signed outputs")
        }
        for record in old where deletable.contains(record.id) {
            if !dryRun { try delete(record, store: store, stateDirectory: stateDirectory) }
            report.lines.append("\(dryRun ? "would delete" : "deleted") run \(record.name)")
        }
        let running = all.filter { !$0.phase.isTerminal && !deletable.contains($0.id) }
        if let busy = running.first {
            report.lines.append(
                "artifacts not collected: run \(busy.name) is \(displayPhase(busy, in: store)) (its outputs may "
                    + "not be recorded yet)")
            report.lines.append(summary(runs: deletable.count, artifacts: 0, bytes: 0, dryRun: dryRun))
            return report
        }
        let remaining = Set(all.map(\.id)).subtracting(deletable)
        let named = references.digests(namedBy: remaining)
        let artifacts: ArtifactStore
        do {
            artifacts = try ArtifactStore(stateDirectory: stateDirectory)
        } catch {
            throw CommandFailure(ExitStatus.failed, "error: \(error.description)")
        }
        var removed = 0
        var freed: Int64 = 0
        for artifact in artifacts.storedArtifacts() where !named.contains(artifact.hex) {
            if !dryRun {
                do {
                    try artifacts.remove(artifact)
                } catch {
                    report.lines.append("could not remove \(artifact.path): \(error.description)")
                    continue
                }
            }
            removed += 1
            freed += artifact.bytes
        }
        report.lines.append(summary(runs: deletable.count, artifacts: removed, bytes: freed, dryRun: dryRun))
        return report
    }

    private static func summary(runs: Int, artifacts: Int, bytes: Int64, dryRun: Bool) -> String {
        let size = ByteCountFormatter.string(fromByteCount: bytes, countStyle: .binary)
        return dryRun
            ? "would delete \(runs) run(s) and \(artifacts) artifact(s), freeing \(size) (\(bytes) bytes)"
            : "deleted \(runs) run(s) and \(artifacts) artifact(s), freed \(size) (\(bytes) bytes)"
    }
}

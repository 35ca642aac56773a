import Foundation
import SluiceGovernance
import SluiceStore
import SluiceTesting
import Testing

/// `sluice replay BUNDLE [--from NODE]` through the binary, into a state directory the bundle never saw.
@Suite("CLI replay", .timeLimit(.minutes(2)))
struct ReplayCLITests {
    @Test("replay verifies the bundle, runs it again elsewhere and reports every output digest the same")
    func replayReproduces() async throws {
        try await SluiceCLI.withScratch { cli in
            _ = try ExportCLITests.exported(cli)
            let replay = try cli.run(["replay", "bundle", "--state-dir", cli.directory + "/elsewhere"])
            #expect(replay.status == 0, "\(replay)")
            #expect(replay.stdout.hasPrefix("bundle bundle verified: 2 envelope(s), 1 artifact(s), 1 chain link(s)\n"))
            let data = Digest.sha256(Array("payload".utf8)).hex
            #expect(replay.stdout.contains("  same      make outputs/artifacts/data sha256:\(data)\n"), "\(replay)")
            #expect(replay.stdout.hasSuffix("3 same, 0 different, 0 missing, 0 reused\n"), "\(replay)")

            let store = try Store(stateDirectory: cli.directory + "/elsewhere")
            let runs = try store.runs()
            #expect(runs.count == 2)  // the captured run (imported) and the replay
            let replayed = try store.run(named: "@latest")
            #expect(try store.attempts(runID: replayed.id).count == 2)
        }
    }

    @Test("replay --from the last step reuses the first one's captured outputs: only the last step runs")
    func replayFrom() async throws {
        try await SluiceCLI.withScratch { cli in
            _ = try ExportCLITests.exported(cli)
            let state = cli.directory + "/elsewhere"
            // Verified only against its own keys, the bundle's outputs are not re-signed here without a say-so.
            let untrusted = try cli.run(["replay", "bundle", "--from", "use", "--state-dir", state])
            #expect(untrusted.status == 3, "\(untrusted)")
            #expect(
                untrusted.stderr.hasSuffix(
                    "error: bundle bundle was verified against its own keys only (integrity, "
                        + "not origin): --from would re-sign its captured outputs with this machine's key; pass --trust "
                        + "KEYFILE with the key you expect, or --resign-untrusted to accept them as they are (the re-signed "
                        + "lineage says so)\n"), "\(untrusted)")
            let replay = try cli.run([
                "replay", "bundle", "--from", "use", "--state-dir", state,
                "--trust", "bundle/keys/signer.pub.pem",
            ])
            #expect(replay.status == 0, "\(replay)")
            #expect(replay.stdout.contains("reusing the captured outputs of: make\n"))
            #expect(replay.stdout.hasSuffix("1 same, 0 different, 0 missing, 2 reused\n"), "\(replay)")
            let store = try Store(stateDirectory: state)
            let run = try store.run(named: "@latest")
            let use = try #require(try store.nodes(runID: run.id).first { $0.displayName == "use" })
            #expect(try store.attempts(runID: run.id).map(\.nodeID) == [use.id])

            let unknown = try cli.run(["replay", "bundle", "--from", "nope", "--state-dir", state])
            #expect(unknown.status == 2)
            #expect(
                unknown.stderr == "error: --from 'nope' names no node the bundle captured with an envelope "
                    + "(captured: make, use)\n")
        }
    }

    @Test("a tampered bundle is refused with exit 3 before anything runs: no state directory is created")
    func tamperedBundleRefused() async throws {
        try await SluiceCLI.withScratch { cli in
            let bundle = try ExportCLITests.exported(cli)
            let governance = bundle + "/governance.json"
            try Data("{\"constraints\":[]}".utf8).write(to: URL(fileURLWithPath: governance))
            let state = cli.directory + "/elsewhere"
            let replay = try cli.run(["replay", "bundle", "--state-dir", state])
            #expect(replay.status == 3, "\(replay)")
            #expect(replay.stdout.contains("FAIL governance.json: "))
            #expect(replay.stderr.hasPrefix("error: bundle bundle does not verify ("))
            #expect(replay.stderr.hasSuffix("problem(s)): refusing to replay it\n"))
            #expect(!FileManager.default.fileExists(atPath: state), "a refused replay created a state directory")
        }
    }
}

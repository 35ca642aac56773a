import Foundation
import SluiceGovernance
import Testing

/// `sluice digest PATH`: the file or directory digest the gate recomputes.
@Suite("CLI digest", .timeLimit(.minutes(1)))
struct CLIDigestTests {
    @Test("a file prints sha256:<hex>, a directory dirHash:<hex>, both equal to the governance digests")
    func prints() async throws {
        try await SluiceCLI.withScratch { cli in
            let file = try cli.write("abc", name: "abc.txt")
            let fileResult = try cli.run(["digest", file])
            #expect(fileResult.status == 0, "\(fileResult)")
            #expect(
                fileResult.stdout == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n",
                "\(fileResult)")
            #expect(fileResult.stderr.isEmpty, "\(fileResult)")

            let tree = cli.directory + "/tree"
            try FileManager.default.createDirectory(atPath: tree + "/sub", withIntermediateDirectories: true)
            _ = try cli.write("alpha\n", name: "tree/a.txt")
            _ = try cli.write("beta", name: "tree/sub/b.bin")
            let treeResult = try cli.run(["digest", "tree"])
            #expect(treeResult.status == 0, "\(treeResult)")
            #expect(treeResult.stdout == "dirHash:\(try Digest.directoryHash(at: tree).hex)\n", "\(treeResult)")
        }
    }

    @Test("a missing path or a symbolic link is an error naming the path (exit 1)")
    func refuses() async throws {
        try await SluiceCLI.withScratch { cli in
            let missing = try cli.run(["digest", "missing.bin"])
            #expect(missing.status == 1, "\(missing)")
            #expect(missing.stdout.isEmpty, "\(missing)")
            let unreadable = GovernanceError.fileUnreadable(path: "missing.bin", reason: "No such file or directory")
            #expect(missing.stderr == "error: \(unreadable)\n", "\(missing)")

            let target = try cli.write("x", name: "target")
            try FileManager.default.createSymbolicLink(atPath: cli.directory + "/link", withDestinationPath: target)
            let link = try cli.run(["digest", "link"])
            #expect(link.status == 1, "\(link)")
            #expect(link.stderr == "error: \(GovernanceError.symlinkRefused(path: "link"))\n", "\(link)")
        }
    }
}

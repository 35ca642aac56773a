import Foundation
import SluiceTesting
import Testing

/// Bundles are untrusted input (issue 16: a 3 MB gzip bundle unpacked 3 GB into /tmp before `sluice verify`
/// rejected it, and a killed `verify` left that directory behind).
@Suite("Hostile bundles", .serialized)
struct BundleBombTests {
    /// Writes a `.tar.gz` holding one member `name` of `megabytes` MiB of zeros (a few hundred KiB compressed).
    static func bomb(at path: String, megabytes: Int, name: String = "artifacts/zeros.bin") async throws {
        let script = """
            import io, sys, tarfile
            class Zeros(io.RawIOBase):
                def __init__(self, size): self.left = size
                def readable(self): return True
                def readinto(self, buffer):
                    n = min(len(buffer), self.left); buffer[:n] = bytes(n); self.left -= n; return n
            size = int(sys.argv[2]) * 1024 * 1024
            with tarfile.open(sys.argv[1], "w:gz", compresslevel=1) as archive:
                info = tarfile.TarInfo(sys.argv[3]); info.size = size
                archive.addfile(info, io.BufferedReader(Zeros(size), 1 << 20))
            """
        let result = try await HostProcess.runBounded(
            "/usr/bin/env", arguments: ["python3", "-c", script, path, String(megabytes), name],
            environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"],
            directory: "/", stdoutPath: "/dev/null", stderrPath: "/dev/null", timeout: .seconds(50))
        try #require(result.status == 0, "python3 could not write the bomb")
    }

    /// The entries of `directory` (the verifier's temporary directory).
    static func leftovers(in directory: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    }

    @Test(
        "a gzip bomb is refused by its ratio while it streams, and nothing is left in TMPDIR",
        .timeLimit(.minutes(1)))
    func ratioBomb() async throws {
        try await SluiceCLI.withScratch { cli in
            let temporary = cli.directory + "/tmp"
            try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: false)
            let bundle = cli.directory + "/bomb.tar.gz"
            try await Self.bomb(at: bundle, megabytes: 100)
            let size = try #require(try FileManager.default.attributesOfItem(atPath: bundle)[.size] as? Int)
            let result = try cli.run(["verify", bundle], environment: ["TMPDIR": temporary])
            #expect(result.status == 1, "\(result)")
            #expect(
                result.stderr == "error: cannot read bundle '\(bundle)': it unpacks to more than 100 times its "
                    + "\(size) bytes (a compression bomb?): raise the limit with --limit bundle-ratio=N\n")
            #expect(Self.leftovers(in: temporary) == [])
        }
    }

    @Test(
        "members that leave the bundle or are links are refused",
        arguments: [
            ("../escape.txt", "member '../escape.txt' leaves the bundle with '..'"),
            ("/etc/absolute.txt", "member '/etc/absolute.txt' has an absolute name"),
        ])
    func hostileNames(name: String, reason: String) async throws {
        try await SluiceCLI.withScratch { cli in
            let bundle = cli.directory + "/names.tar.gz"
            try await Self.bomb(at: bundle, megabytes: 0, name: name)
            let result = try cli.run(["verify", bundle])
            #expect(result.status == 1)
            #expect(result.stderr == "error: cannot read bundle '\(bundle)': \(reason)\n")
        }
    }

    @Test("a verify killed while it unpacks leaves no directory behind", .timeLimit(.minutes(1)))
    func killedVerify() async throws {
        try await SluiceCLI.withScratch { cli in
            let temporary = cli.directory + "/tmp"
            try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: false)
            let bundle = cli.directory + "/big.tar.gz"
            try await Self.bomb(at: bundle, megabytes: 400)
            let verify = try cli.start(
                ["verify", bundle, "--limit", "bundle-ratio=1000000"], environment: ["TMPDIR": temporary])
            // Polls on this thread (usleep), not with Task.sleep: on a loaded cooperative pool a sleeping task can
            // resume seconds late, after verify has unpacked, failed and cleaned up on its own.
            var started = false
            for _ in 0..<10_000 where !started {
                started = !Self.leftovers(in: temporary).isEmpty
                if !started { usleep(2_000) }
            }
            #expect(started, "verify never created its directory")
            kill(verify.pid, SIGTERM)
            let ended = try await verify.finish()
            #expect(ended.status == 128 + SIGTERM, "verify ended with \(ended.status): \(ended.stderr)")
            #expect(Self.leftovers(in: temporary) == [])
        }
    }
}

import Foundation
import Testing

/// The live view of `sluice run` on a terminal (a tmux pane here): one block redrawn in place, then the summary;
/// plain lines with `--no-tty`; no colour under `NO_COLOR`.
@Suite("Live progress on a terminal", .timeLimit(.minutes(2)))
struct LiveProgressTests {
    /// A tmux server of its own (socket name), running one command in a 100x30 pane.
    struct Pane {
        let socket = "sluice-test-\(UUID().uuidString.prefix(8))"
        let directory: String

        func start(_ command: String) throws {
            let result = try HostTool.run(
                "tmux", ["-L", socket, "new-session", "-d", "-x", "100", "-y", "30", command + "; sleep 120"],
                in: directory)
            try #require(result.status == 0, "\(result)")
        }

        /// The pane's text; with `escapes`, its colours as escape sequences too.
        func capture(escapes: Bool = false) throws -> String {
            try HostTool.run("tmux", ["-L", socket, "capture-pane", "-p"] + (escapes ? ["-e"] : []), in: directory)
                .stdout
        }

        /// Captures until `predicate` holds (or 60 s pass) and returns that capture.
        func wait(escapes: Bool = false, until predicate: @escaping @Sendable (String) -> Bool) async throws -> String {
            let pane = self
            return try await HostTool.offPool { try pane.waitBlocking(escapes: escapes, until: predicate) }
        }

        private func waitBlocking(escapes: Bool, until predicate: (String) -> Bool) throws -> String {
            let deadline = Date().addingTimeInterval(60)
            var text = ""
            while Date() < deadline {
                text = try capture(escapes: escapes)
                if predicate(text) { return text }
                usleep(50_000)
            }
            return text
        }

        func stop() {
            _ = try? HostTool.run("tmux", ["-L", socket, "kill-server"], in: directory)
        }
    }

    static func command(_ cli: SluiceCLI, _ arguments: String, noColour: Bool = false) -> String {
        "cd '\(cli.directory)' && env SLUICE_HOME='\(cli.home)' HOME='\(cli.directory)'"
            + (noColour ? " NO_COLOR=1" : "") + " '\(SluiceCLI.binary)' " + arguments
    }

    @Test("on a terminal one block is redrawn in place, then it collapses to the summary")
    func liveView() async throws {
        try await SluiceCLI.withScratch { cli in
            _ = try cli.write(ReportWorkflows.fanOut(width: 6, pause: "1.5"), name: "fan.yaml")
            // The key first, so that the pane holds nothing but the run's view.
            #expect(try await cli.detached(["keygen"]).status == 0)
            let pane = Pane(directory: cli.directory)
            defer { pane.stop() }
            try pane.start(Self.command(cli, "run fan.yaml"))
            let during = try await pane.wait(escapes: true) { $0.contains("shard(") && $0.contains("Running") }
            let output = try HostTool.outputDirectory("live-progress")
            try Data(during.utf8).write(to: URL(fileURLWithPath: output + "/during.ansi"))
            let plainDuring = during.replacingOccurrences(
                of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
            try Data(plainDuring.utf8).write(to: URL(fileURLWithPath: output + "/during.txt"))
            #expect(during.contains("Elapsed:"), "\(during)")
            #expect(during.contains("\u{1B}[36m◷"), "running nodes are not coloured: \(during)")
            let lines = plainDuring.split(separator: "\n")
            #expect(lines.first == "Name:     fan-out", "\(plainDuring)")
            #expect(lines.contains { $0.hasPrefix("[") && $0.contains("░]") }, "no progress bar: \(plainDuring)")
            #expect(lines.contains { $0.hasPrefix("  ◷ shard(") }, "\(plainDuring)")
            let after = try await pane.wait { $0.contains("Duration:") }
            try Data(after.utf8).write(to: URL(fileURLWithPath: output + "/after.txt"))
            let summary = after.split(separator: "\n")
            #expect(
                summary == ["Name:     fan-out", "Status:   Succeeded", "Nodes:    8 Succeeded"]
                    + summary.suffix(1), "\(after)")
            #expect(summary.last?.hasPrefix("Duration: ") == true, "\(after)")
        }
    }

    @Test("--no-tty prints one plain line per transition, and NO_COLOR leaves colours out")
    func plainLines() async throws {
        try await SluiceCLI.withScratch { cli in
            _ = try cli.write(ReportWorkflows.fanOut(width: 2), name: "fan.yaml")
            let pane = Pane(directory: cli.directory)
            defer { pane.stop() }
            try pane.start(Self.command(cli, "run fan.yaml --no-tty", noColour: true))
            let after = try await pane.wait(escapes: true) { $0.contains("Duration:") }
            #expect(after.contains("✔ split Succeeded"), "\(after)")
            #expect(after.contains("✔ shard(1:1) Succeeded"), "\(after)")
            #expect(after.contains("Status:   Succeeded"), "\(after)")
            #expect(!after.contains("\u{1B}["), "colour under NO_COLOR: \(after)")
            #expect(!after.contains("Elapsed:"), "\(after)")
        }
    }
}

import Foundation
import SluiceRuntimes
import SluiceStore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// One engine per run: the run's lease, resume keeping the run's isolation, and nodes never outliving their engine.
@Suite("Run lease", .serialized)
struct RunLeaseTests {
    /// `a`, then `b` (slow), then `c`; every node appends a line to `witness` on the host, so that the test counts
    /// how often each ran. Needs `--isolation none` (under bubblewrap the host is read-only).
    /// With `gated`, b first waits for the file `<witness>.go`, so that an engine killed before that file exists is
    /// always killed while b runs, however slow the machine.
    static func witnessed(_ witness: String, seconds: String, gated: Bool = false) -> String {
        let gate = gated ? "until [ -e \(witness).go ]; do sleep 0.05; done; " : ""
        return """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata:
              generateName: lease-
            spec:
              entrypoint: main
              templates:
                - name: main
                  dag:
                    tasks:
                      - {name: a, template: mark, arguments: {parameters: [{name: label, value: a}]}}
                      - {name: b, template: slow, dependencies: [a]}
                      - {name: c, template: mark, dependencies: [b], arguments: {parameters: [{name: label, value: c}]}}
                - name: mark
                  inputs:
                    parameters:
                      - name: label
                  container:
                    image: alpine
                    command: [sh, -c, "echo {{inputs.parameters.label}} >> \(witness)"]
                - name: slow
                  container:
                    image: alpine
                    command: [sh, -c, "echo b-start >> \(witness); \(gate)sleep \(seconds); echo b >> \(witness)"]
            """
    }

    /// The lines of the witness file.
    static func lines(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// Waits until the witness file holds `line`.
    static func waitFor(_ line: String, in path: String) async throws {
        for _ in 0..<600 {
            if lines(path).contains(line) { return }
            try await Task.sleep(for: .milliseconds(25))
        }
        Issue.record("'\(line)' never appeared in \(path)")
    }

    /// Waits until the engine has recorded a node process of the latest run (it does right after the spawn).
    static func waitForRecordedProcess(_ cli: SluiceCLI) async throws {
        // Up to 30 s: on a busy machine the engine can take seconds to reach its first spawn.
        for _ in 0..<3000 {
            if let store = try? Store(stateDirectory: cli.home), let run = try? store.run(named: "@latest"),
                let recorded = try? store.nodeProcesses(runID: run.id), !recorded.isEmpty
            {
                return
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("the engine never recorded its node's process")
    }

    /// The pids of processes whose command line contains `marker` (like `pgrep -f`, without matching itself).
    static func processes(matching marker: String) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry in
            guard let pid = pid_t(entry), pid != getpid(),
                let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline")
            else { return nil }
            let text = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
            guard text.contains(marker), ProcessStatus.state(of: pid) != "Z" else { return nil }
            return pid
        }
    }

    /// Waits up to 5 s for no process to match `marker`; returns those left.
    static func survivors(of marker: String) async throws -> [pid_t] {
        for _ in 0..<100 {
            if processes(matching: marker).isEmpty { return [] }
            try await Task.sleep(for: .milliseconds(50))
        }
        return processes(matching: marker)
    }

    /// Starts `sluice run --isolation none` on the witnessed workflow, waits for `b` to start, and kills the engine
    /// with SIGKILL.
    static func killedRun(
        _ cli: SluiceCLI, witness: String, seconds: String, reaper: Bool = true, gated: Bool = false
    ) async throws {
        let file = try cli.write(witnessed(witness, seconds: seconds, gated: gated), name: "lease.yaml")
        let engine = try cli.start(["run", "--isolation", "none", file])
        try await waitFor("b-start", in: witness)
        try await waitForRecordedProcess(cli)
        if !reaper {
            // Kill the watchdog first, so that only the resume can clean up after the engine.
            for pid in processes(matching: "sluice-orphan-reaper") where ProcessStatus.parent(of: pid) == engine.pid {
                kill(pid, SIGKILL)
            }
        }
        kill(engine.pid, SIGKILL)
        _ = try await engine.finish()
        if gated { #expect(FileManager.default.createFile(atPath: witness + ".go", contents: Data())) }
    }

    @Test("a second engine on a live run exits 2 naming the holder's pid and since when", .timeLimit(.minutes(2)))
    func secondResumeNamesTheHolder() async throws {
        try await SluiceCLI.withScratch { cli in
            let witness = cli.directory + "/witness"
            // b waits for a go-ahead the test never gives (it stops the run): with a fixed sleep, a loaded machine
            // sometimes let the run end before the second engine asked.
            let seconds = StopResumeTests.marker(base: 30)
            let file = try cli.write(Self.witnessed(witness, seconds: seconds, gated: true), name: "lease.yaml")
            let engine = try cli.start(["run", "--isolation", "none", file])
            try await Self.waitFor("b-start", in: witness)
            let resume = try await cli.start(["resume", "@latest"]).finish()
            #expect(resume.status == 2, "\(resume)")
            let lines = resume.stderr.split(separator: "\n")
            #expect(lines.count == 1, "\(resume)")
            let prefix = "error: run '"
            let holder = "' is being driven by pid \(engine.pid) since "
            #expect(resume.stderr.hasPrefix(prefix) && resume.stderr.contains(holder), "\(resume)")
            #expect(
                resume.stderr.hasSuffix(": wait for it to end, or stop it with 'sluice stop \(Self.runName(cli))'\n"))
            // The live run goes on untouched.
            #expect(try cli.run(["stop", "@latest"]).status == 0)
            _ = try await engine.finish()
            #expect(Self.lines(witness) == ["a", "b-start"])
        }
    }

    @Test(
        "concurrent resumes of a dead run, 10 trials: one drives it, no node runs twice, the store stays consistent",
        .timeLimit(.minutes(6)))
    func concurrentResumes() async throws {
        for trial in 1...10 {
            try await SluiceCLI.withScratch { cli in
                let witness = cli.directory + "/witness"
                // b waits for the test's go-ahead, so the engine is always killed while b runs (with a fixed sleep, a
                // loaded machine sometimes let b finish first, and its process record was gone before the test looked).
                try await Self.killedRun(cli, witness: witness, seconds: StopResumeTests.marker(base: 1), gated: true)
                let first = try cli.start(["resume", "@latest"])
                let second = try cli.start(["resume", "@latest"])
                let results = [try await first.finish(), try await second.finish()]
                let drove = results.filter { $0.status == 0 && !$0.stdout.contains("already Succeeded") }
                let refused = results.filter {
                    ($0.status == 2 && $0.stderr.contains("is being driven by pid"))
                        || ($0.status == 0 && $0.stdout.contains("already Succeeded"))
                }
                #expect(drove.count == 1 && refused.count == 1, "trial \(trial): \(results)")
                // b was killed once mid-run and ran again once; a and c ran exactly once.
                #expect(Self.lines(witness) == ["a", "b-start", "b-start", "b", "c"], "trial \(trial)")
                let verify = try await cli.start(["verify", "@latest"]).finish()
                #expect(verify.status == 0, "trial \(trial): \(verify)")
                let state = try StopResumeTests.nodes(cli)
                #expect(state.phase == "Succeeded", "trial \(trial)")
                #expect(state.nodes.filter { $0.key.count == 1 }.allSatisfy { $0.value["phase"] == "Succeeded" })
                // Nobody holds the run any more, and no node process is left on record.
                let store = try Store(stateDirectory: cli.home)
                let run = try store.run(named: "@latest")
                #expect(try store.runLease(runID: run.id) == nil, "trial \(trial)")
                #expect(try store.nodeProcesses(runID: run.id).isEmpty, "trial \(trial)")
            }
        }
    }

    @Test("a killed --isolation none engine leaves no node process behind", .timeLimit(.minutes(1)))
    func unisolatedNodesDieWithTheEngine() async throws {
        try await SluiceCLI.withScratch { cli in
            let witness = cli.directory + "/witness"
            let seconds = StopResumeTests.marker(base: 300)
            try await Self.killedRun(cli, witness: witness, seconds: seconds)
            let left = try await Self.survivors(of: "sleep \(seconds)")
            #expect(left.isEmpty, "node b's 'sleep \(seconds)' survived its engine: \(left)")
        }
    }

    @Test("resume kills what a dead engine's nodes left running before it runs them again", .timeLimit(.minutes(1)))
    func resumeKillsLeftovers() async throws {
        try await SluiceCLI.withScratch { cli in
            let witness = cli.directory + "/witness"
            let seconds = StopResumeTests.marker(base: 3)
            try await Self.killedRun(cli, witness: witness, seconds: seconds, reaper: false)
            #expect(!Self.processes(matching: "sleep \(seconds)").isEmpty, "the leftover should still run")
            let resume = try await cli.start(["resume", "@latest"]).finish()
            #expect(resume.status == 0, "\(resume)")
            // The leftover b was killed, so only the resumed b wrote its last line.
            #expect(Self.lines(witness) == ["a", "b-start", "b-start", "b", "c"])
        }
    }

    @Test("a resumed run keeps its isolation; a resume asking for another is refused", .timeLimit(.minutes(1)))
    func resumeKeepsIsolation() async throws {
        try await SluiceCLI.withScratch { cli in
            let witness = cli.directory + "/witness"
            try await Self.killedRun(cli, witness: witness, seconds: StopResumeTests.marker(base: 1))
            let name = Self.runName(cli)
            let conflicting = try cli.run(["resume", "--isolation", "bubblewrap", "@latest"])
            #expect(conflicting.status == 2)
            #expect(
                conflicting.stderr
                    == "error: run '\(name)' was submitted with --isolation none, and a resume keeps it: drop "
                    + "--isolation bubblewrap\n")
            let runtime = try cli.run(["resume", "--runtime", "podman", "@latest"])
            #expect(runtime.status == 2)
            #expect(
                runtime.stderr
                    == "error: run '\(name)' was submitted with --runtime process, and a resume keeps it: drop "
                    + "--runtime podman\n")
            // Without flags the run goes on unisolated: its nodes append to the host's witness file (read-only
            // under bubblewrap, where they would fail).
            let resume = try await cli.start(["resume", "@latest"]).finish()
            #expect(resume.status == 0, "\(resume)")
            #expect(Self.lines(witness) == ["a", "b-start", "b-start", "b", "c"])
        }
    }

    @Test(
        "get and list judge a run's engine by its lease: a reused pid with another start time is not the engine",
        .timeLimit(.minutes(1)))
    func engineGoneDespiteReusedPid() async throws {
        try await SluiceCLI.withScratch { cli in
            let witness = cli.directory + "/witness"
            try await Self.killedRun(cli, witness: witness, seconds: StopResumeTests.marker(base: 2))
            let name = Self.runName(cli)
            let store = try Store(stateDirectory: cli.home)
            let run = try store.run(named: name)
            // The dead engine's pid now belongs to a live process (this test's), started at another time.
            let me = ProcessIdentity.current
            func hold(startTime: UInt64?) throws {
                let holder = LeaseHolder(processID: me.processID, startTime: startTime, host: me.host)
                _ = try store.acquireRunLease(
                    RunLease(runID: run.id, holder: holder, acquiredAt: Date()), isAlive: { _ in false })
            }
            try hold(startTime: (me.startTime ?? 2) - 1)
            let gone = try cli.run(["get", name])
            #expect(gone.stdout.contains("Status:     Running (engine gone: sluice resume \(name))\n"), "\(gone)")
            let list = try cli.run(["list"])
            #expect(list.stdout.contains("Running (engine gone: sluice resume \(name))"), "\(list)")
            // The same pid with its own start time is a live engine.
            try hold(startTime: me.startTime)
            let live = try cli.run(["get", name])
            #expect(live.stdout.contains("Status:     Running\n"), "\(live)")
        }
    }

    /// The latest run's name.
    static func runName(_ cli: SluiceCLI) -> String {
        (try? Store(stateDirectory: cli.home).run(named: "@latest").name) ?? ""
    }
}

/// Fields of `/proc/<pid>/stat` the tests look at.
enum ProcessStatus {
    static func fields(of pid: pid_t) -> [Substring] {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/stat") else { return [] }
        let text = String(decoding: data, as: UTF8.self)
        guard let close = text.lastIndex(of: ")") else { return [] }
        return text[text.index(after: close)...].split(separator: " ")
    }

    static func state(of pid: pid_t) -> String? { fields(of: pid).first.map(String.init) }
    static func parent(of pid: pid_t) -> pid_t? { fields(of: pid).dropFirst().first.flatMap { pid_t($0) } }
}

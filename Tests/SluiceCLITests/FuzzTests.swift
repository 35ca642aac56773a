import Foundation
import SluiceTesting
import Testing

/// The fuzz target of issue 16: seeded, mutated workflows through the real `sluice lint` and `sluice run`.
///
/// Every case must end with a documented exit code (lint: 0 or 65; run: 0, 1, 2, 3 or 65), print each problem on one
/// line with no raw control characters, finish within its time bound and stay under 500 MB. The seed is
/// `$SLUICE_FUZZ_SEED` (default 16) and the number of cases `$SLUICE_FUZZ_CASES` (default 320): a failing case is
/// reproduced from the seed and the case index printed with it.
@Suite("Fuzzing lint and run with hostile workflows", .serialized)
struct FuzzTests {
    static let lintCodes: Set<Int32> = [0, 65]
    /// 2 is the usage error of a workflow argument left without a value (a mutation can delete its default).
    static let runCodes: Set<Int32> = [0, 1, 2, 3, 65]
    static let memoryBoundKiB = 500 * 1024

    struct Outcome: Sendable {
        var label: String
        var result: HostProcess.BoundedResult
        var output: String
        var allowed: Set<Int32>
    }

    @Test(
        "hundreds of mutated workflows: no crash, no hang, one-line errors, bounded memory",
        .timeLimit(.minutes(10)))
    func fuzz() async throws {
        let environment = ProcessInfo.processInfo.environment
        let seed = environment["SLUICE_FUZZ_SEED"].flatMap(UInt64.init) ?? 16
        let count = environment["SLUICE_FUZZ_CASES"].flatMap(Int.init) ?? 320
        try await SluiceCLI.withScratch { cli in
            var mutator = WorkflowMutator(seed: seed)
            let cases = (0..<count).map { mutator.next(index: $0) }
            let outcomes = await withTaskGroup(of: [Outcome].self) { group in
                var next = 0
                var all: [Outcome] = []
                func add(_ group: inout TaskGroup<[Outcome]>) {
                    guard next < cases.count else { return }
                    let item = cases[next]
                    next += 1
                    group.addTask { await Self.exercise(item, cli: cli) }
                }
                for _ in 0..<3 { add(&group) }
                while let outcome = await group.next() {
                    all += outcome
                    add(&group)
                }
                return all
            }
            var crashes = 0
            var hangs = 0
            for outcome in outcomes {
                let result = outcome.result
                if result.crashed { crashes += 1 }
                if result.timedOut { hangs += 1 }
                #expect(!result.crashed, "\(outcome.label) crashed (status \(result.status)): \(outcome.output)")
                #expect(!result.timedOut, "\(outcome.label) hung: \(outcome.output.prefix(2000))")
                #expect(result.peakKiB < Self.memoryBoundKiB, "\(outcome.label) peaked at \(result.peakKiB) KiB")
                #expect(
                    outcome.allowed.contains(result.status),
                    "\(outcome.label) exited \(result.status): \(outcome.output.prefix(2000))")
                for problem in Self.problems(in: outcome.output) {
                    Issue.record("\(outcome.label): \(problem)")
                }
            }
            let runs = outcomes.filter { $0.label.contains(" run") }
            let peak = outcomes.map(\.result.peakKiB).max() ?? 0
            let slowest = outcomes.map(\.result.seconds).max() ?? 0
            let codes = Dictionary(
                grouping: outcomes, by: { "\($0.label.contains(" run") ? "run" : "lint")=\($0.result.status)" }
            )
            .mapValues(\.count).sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: " ")
            print(
                "fuzz seed \(seed): \(cases.count) cases, \(outcomes.count - runs.count) lint + \(runs.count) run "
                    + "calls, \(crashes) crashes, \(hangs) hangs, peak \(peak / 1024) MB, slowest "
                    + String(format: "%.2f", slowest) + " s; exit codes \(codes)")
        }
    }

    /// Lints one case, and runs it when lint accepts it (or for one case in five that lint refuses).
    static func exercise(_ item: WorkflowMutator.Case, cli: SluiceCLI) async -> [Outcome] {
        let path = cli.directory + "/case-\(item.index).yaml"
        guard (try? item.bytes.write(to: URL(fileURLWithPath: path))) != nil else { return [] }
        let label = "case \(item.index) [\(item.mutations.joined(separator: ","))]"
        let lint = await invoke(cli, ["lint", path], label: label + " lint", allowed: lintCodes, timeout: .seconds(20))
        guard lint.result.status == 0 || item.index % 5 == 0 else { return [lint] }
        let run = await invoke(
            cli,
            [
                "run", path, "--quiet", "--limit", "loop-items=50", "--limit", "duration-seconds=60", "--limit",
                "retry-limit=3",
            ],
            label: label + " run", allowed: runCodes, timeout: .seconds(60))
        return [lint, run]
    }

    static func invoke(
        _ cli: SluiceCLI, _ arguments: [String], label: String, allowed: Set<Int32>, timeout: Duration
    ) async -> Outcome {
        let id = UUID().uuidString
        let stdout = cli.directory + "/.fuzz-out-\(id)"
        let stderr = cli.directory + "/.fuzz-err-\(id)"
        defer {
            try? FileManager.default.removeItem(atPath: stdout)
            try? FileManager.default.removeItem(atPath: stderr)
        }
        let environment = [
            "SLUICE_HOME": cli.home, "HOME": cli.directory,
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
        ]
        let result =
            (try? await HostProcess.runBounded(
                SluiceCLI.binary, arguments: arguments, environment: environment, directory: cli.directory,
                stdoutPath: stdout, stderrPath: stderr, timeout: timeout))
            ?? HostProcess.BoundedResult(status: -1, crashed: false, timedOut: false, peakKiB: 0, seconds: 0)
        // lint lists problems on stdout; run prints progress there and its errors on stderr.
        let isLint = arguments.first == "lint"
        let text = [isLint ? stdout : nil, stderr].compactMap { $0 }
            .compactMap { FileManager.default.contents(atPath: $0) }
            .map { String(decoding: $0, as: UTF8.self) }.joined()
        return Outcome(label: label, result: result, output: text, allowed: allowed)
    }

    /// What is wrong with the printed messages: raw control characters, or a line longer than any one-line
    /// message should be (the issue saw 300 KB of an offending value echoed).
    static func problems(in output: String) -> [String] {
        var found: [String] = []
        for line in output.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" || $0.value == 0x7F }) {
                found.append("raw control character in: \(line.prefix(300).debugDescription)")
            }
            if line.count > 2_000 { found.append("line of \(line.count) characters: \(line.prefix(200))…") }
        }
        return found
    }
}

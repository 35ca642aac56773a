import Foundation
import SluiceTesting
import Testing

/// Programs the CLI tests drive besides `sluice` (xmllint, chromium, tmux): found on PATH, run to their end.
enum HostTool {
    /// The absolute path of `name` on PATH; the test fails (naming the setup step) when it is missing.
    static func path(_ name: String) throws -> String {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for directory in directories + ["/usr/bin", "/bin"] {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        try #require(Bool(false), "\(name) is not installed: run scripts/setup.sh --test")
        return name
    }

    /// Runs `body` on a thread of its own: a long blocking wait (Chromium, a 1,000-node run) then holds none of the
    /// few threads Swift Testing runs every test on, so other tests are not starved into their time limits.
    static func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    /// Runs `name ARGS...` in `directory` with the test's PATH and HOME, and returns what it printed.
    static func run(_ name: String, _ arguments: [String], in directory: String, environment: [String: String] = [:])
        throws -> CLIResult
    {
        let executable = try path(name)
        let id = UUID().uuidString
        let stdoutPath = directory + "/.tool-out-\(id)"
        let stderrPath = directory + "/.tool-err-\(id)"
        var merged = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": directory]
        merged.merge(environment) { _, new in new }
        let status = try HostProcess.run(
            executable, arguments: arguments, environment: merged, directory: directory, stdoutPath: stdoutPath,
            stderrPath: stderrPath)
        defer {
            try? FileManager.default.removeItem(atPath: stdoutPath)
            try? FileManager.default.removeItem(atPath: stderrPath)
        }
        return CLIResult(
            status: status, stdout: (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "")
    }

    /// A directory kept after the test for what it produced (screenshots, captures):
    /// `$SLUICE_TEST_OUTPUT/NAME`, by default `<repo>/.build/test-output/NAME`.
    static func outputDirectory(_ name: String) throws -> String {
        let root =
            ProcessInfo.processInfo.environment["SLUICE_TEST_OUTPUT"].flatMap { $0.isEmpty ? nil : $0 }
            ?? SluiceCLI.repository + "/.build/test-output"
        let directory = root + "/" + name
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }
}

extension SluiceCLI {
    /// `run(arguments)` on a thread of its own (see ``HostTool/offPool(_:)``).
    func detached(_ arguments: [String]) async throws -> CLIResult {
        let cli = self
        return try await HostTool.offPool { try cli.run(arguments) }
    }
}

/// Workflows of the report, JUnit and progress tests.
enum ReportWorkflows {
    /// Four roots and one consumer: `produce` succeeds (printing markup and a control character), `bad` fails,
    /// `skip` is skipped, and `consume` is refused by the constraint `from-builders`.
    static let mixed = """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: mixed
        spec:
          entrypoint: main
          governance:
            constraints:
              - name: from-builders
                appliesTo: {templates: [consume]}
                inputs: {fromTemplates: [build]}
          templates:
            - name: main
              dag:
                tasks:
                  - {name: produce, template: produce}
                  - {name: bad, template: bad, continueOn: {failed: true}}
                  - {name: skip, template: produce, when: "1 == 2"}
                  - name: consume
                    template: consume
                    depends: produce
                    arguments:
                      parameters:
                        - {name: v, value: "{{tasks.produce.outputs.result}}"}
            - name: produce
              container:
                image: alpine
                command: [sh, -c, "printf '</script><b>&value</b>\\\\001]]>\\\\n'"]
            - name: bad
              container:
                image: alpine
                command: [sh, -c, "echo failing >&2; exit 3"]
            - name: consume
              inputs:
                parameters:
                  - name: v
              container:
                image: alpine
                command: [sh, -c, "echo {{inputs.parameters.v}}"]
        """

    /// A 1 -> WIDTH -> 1 fan-out of trivial nodes, each sleeping `pause` seconds.
    static func fanOut(width: Int, pause: String = "0") -> String {
        """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: fan-out
        spec:
          entrypoint: main
          templates:
            - name: main
              dag:
                tasks:
                  - {name: split, template: work}
                  - name: shard
                    template: work
                    depends: split
                    withSequence: {count: "\(width)"}
                  - {name: join, template: work, depends: shard}
            - name: work
              container:
                image: alpine
                command: [sh, -c, "sleep \(pause); echo done"]
        """
    }
}

import Foundation
import SluiceTesting
import Testing

/// What one `sluice` invocation printed and how it exited.
struct CLIResult: CustomStringConvertible {
    var status: Int32
    var stdout: String
    var stderr: String

    var description: String { "exit \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
}

/// Runs the built `sluice` binary with its own state directory (`SLUICE_HOME`) in a scratch directory.
struct SluiceCLI {
    /// The scratch directory; workflow files are written here.
    let directory: String
    /// `$SLUICE_HOME` of every invocation.
    var home: String { directory + "/home" }

    /// The repository checkout, found from this file's path.
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// `$SLUICE_BIN`, else `<repo>/.build/debug/sluice`.
    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["SLUICE_BIN"], !path.isEmpty { return path }
        return repository + "/.build/debug/sluice"
    }

    /// Runs `body` with a fresh scratch directory, removed afterwards.
    static func withScratch<T>(_ body: (SluiceCLI) async throws -> T) async throws -> T {
        let binary = Self.binary
        try #require(
            FileManager.default.isExecutableFile(atPath: binary),
            "no sluice binary at \(binary): run `swift build` first (or set SLUICE_BIN)")
        let path = try StoreSupport.makeTemporaryDirectory(prefix: "sluice-cli-test")
        defer { StoreSupport.removeStateDirectory(path) }
        return try await body(SluiceCLI(directory: path))
    }

    /// Writes a workflow file into the scratch directory and returns its path.
    func write(_ yaml: String, name: String) throws -> String {
        let path = directory + "/" + name
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Runs `sluice ARGS...` to its end with stdout and stderr captured in files (no pipe can fill up).
    func run(_ arguments: [String]) throws -> CLIResult {
        try start(arguments).finish()
    }

    /// Starts `sluice ARGS...` without waiting for it; ``Started/finish()`` waits and collects what it printed.
    func start(_ arguments: [String]) throws -> Started {
        let id = UUID().uuidString
        let started = Started(stdoutPath: directory + "/.out-\(id)", stderrPath: directory + "/.err-\(id)")
        var environment = ["SLUICE_HOME": home, "HOME": directory]
        environment["PATH"] = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        var running = started
        running.pid = try HostProcess.start(
            Self.binary, arguments: arguments, environment: environment, directory: directory,
            stdoutPath: started.stdoutPath, stderrPath: started.stderrPath)
        return running
    }

    /// A `sluice` process started by ``start(_:)``.
    struct Started {
        var stdoutPath: String
        var stderrPath: String
        var pid: pid_t = 0

        /// Waits for the process and returns what it printed and how it exited.
        func finish() throws -> CLIResult {
            try result(status: HostProcess.wait(pid))
        }

        /// Waits for the process without holding a thread, and returns what it printed and how it exited.
        func finish() async throws -> CLIResult {
            try result(status: await HostProcess.exit(of: pid))
        }

        private func result(status: Int32) throws -> CLIResult {
            defer {
                try? FileManager.default.removeItem(atPath: stdoutPath)
                try? FileManager.default.removeItem(atPath: stderrPath)
            }
            return CLIResult(
                status: status,
                stdout: try String(contentsOfFile: stdoutPath, encoding: .utf8),
                stderr: try String(contentsOfFile: stderrPath, encoding: .utf8))
        }
    }
}

/// Small workflows the CLI tests share.
enum CLIWorkflows {
    static let hello = """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: hello-cli
        spec:
          entrypoint: main
          arguments:
            parameters:
              - name: who
                value: world
          templates:
            - name: main
              steps:
                - - name: greet
                    template: greet
                    arguments:
                      parameters:
                        - {name: who, value: "{{workflow.parameters.who}}"}
                - - name: shout
                    template: shout
                    arguments:
                      parameters:
                        - {name: text, value: "{{steps.greet.outputs.parameters.greeting}}"}
            - name: greet
              inputs:
                parameters:
                  - name: who
              container:
                image: alpine
                command: [sh, -c]
                args: ["printf 'hello {{inputs.parameters.who}}' > /tmp/greeting; echo 'line one'; echo 'line two'"]
              outputs:
                parameters:
                  - name: greeting
                    valueFrom: {path: /tmp/greeting}
            - name: shout
              inputs:
                parameters:
                  - name: text
              container:
                image: alpine
                command: [sh, -c, "echo '{{inputs.parameters.text}}!'"]
        """

    static let failing = """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: failing-cli
        spec:
          entrypoint: main
          templates:
            - name: main
              container:
                image: alpine
                command: [sh, -c, "exit 4"]
        """

    static let invalid = """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: invalid-cli
        spec:
          entrypoint: main
          templates:
            - name: main
              steps:
                - - name: a
                    template: ecko
        """

    /// A producer and consumer under authorities that do not include the run's key.
    /// A producer and a consumer under `governance` (indented as under `spec:`).
    static func governed(_ governance: String) -> String {
        """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: governed-cli
        spec:
          entrypoint: main
        \(governance)
          templates:
            - name: main
              steps:
                - - name: produce
                    template: produce
                - - name: consume
                    template: consume
                    arguments:
                      parameters:
                        - {name: v, value: "{{steps.produce.outputs.result}}"}
            - name: produce
              container:
                image: alpine
                command: [sh, -c, "echo value"]
            - name: consume
              inputs:
                parameters:
                  - name: v
              container:
                image: alpine
                command: [sh, -c, "echo {{inputs.parameters.v}}"]
        """
    }
}

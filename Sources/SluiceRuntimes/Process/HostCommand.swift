import Foundation
import Subprocess
import SystemPackage

/// Runs a helper program of the engine on the host (`curl`, `git`) to its end and collects its output.
///
/// Through swift-subprocess rather than Foundation's `Process`, whose `run()` has crashed (a bad pointer in its
/// `memcpy`) while other threads of the engine opened files or spawned nodes.
package enum HostCommand {
    /// What a finished program printed and how it ended.
    package struct Output: Sendable, Equatable {
        /// The exit status, 128 + N for a signal N.
        package var status: Int32
        package var standardOutput: String
        package var standardError: String

        /// The last line of standard error, for one-line messages.
        package var lastErrorLine: String {
            standardError.split(whereSeparator: \.isNewline).last.map(String.init) ?? "no error output"
        }
    }

    /// Runs `tool` (looked up on the engine's PATH) with `arguments` in `directory` (the engine's when nil), with
    /// the engine's environment plus `environment`, standard input from /dev/null; each output stream is kept up
    /// to `limit` bytes.
    ///
    /// - Throws: a one-line reason when the program cannot start or prints more than `limit` bytes.
    package static func run(
        _ tool: String, _ arguments: [String], in directory: String? = nil, environment: [String: String] = [:],
        limit: Int = 4 << 20
    ) async throws(HostCommandError) -> Output {
        var updates: [Environment.Key: String?] = [:]
        for (name, value) in environment { updates[Environment.Key(stringLiteral: name)] = value }
        return try await run(
            .name(tool), arguments, in: directory, environment: .inherit.updating(updates), limit: limit)
    }

    /// Runs `executable` as ``run(_:_:in:environment:limit:)`` does, with exactly `environment`.
    static func run(
        _ executable: Executable, _ arguments: [String], in directory: String? = nil, environment: Environment,
        limit: Int
    ) async throws(HostCommandError) -> Output {
        let tool = executable.description
        do {
            let result = try await Subprocess.run(
                executable, arguments: Arguments(arguments), environment: environment,
                workingDirectory: directory.map { FilePath($0) }, input: .none, output: .string(limit: limit),
                error: .string(limit: limit))
            let status: Int32
            switch result.terminationStatus {
            case .exited(let value): status = value
            case .signaled(let signal): status = 128 + signal
            }
            return Output(status: status, standardOutput: result.standardOutput, standardError: result.standardError)
        } catch let error as SubprocessError {
            let reason = error.underlyingError.map { HostFiles.errorText($0.rawValue) } ?? error.description
            throw HostCommandError(tool: tool, reason: reason)
        } catch {
            throw HostCommandError(tool: tool, reason: "\(error)")
        }
    }
}

/// A helper program that could not be run to its end.
package struct HostCommandError: Error, Sendable, CustomStringConvertible {
    package var tool: String
    package var reason: String
    package var description: String { "cannot run '\(tool)': \(reason)" }
}

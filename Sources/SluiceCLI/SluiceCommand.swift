import ArgumentParser
import Foundation
import SluiceEngine
import SluiceExpressions

#if canImport(Glibc)
    import Glibc
#endif

/// `sluice`: run Argo Workflows locally, governed.
struct SluiceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice",
        abstract: "Run Argo Workflows YAML locally, with every transition signed and verified.",
        discussion: """
            Exit codes: 0 Succeeded, 1 Failed or Errored, 2 usage error, 3 governance refused a node, \
            65 invalid workflow file.
            State lives in $SLUICE_HOME (default: $XDG_STATE_HOME/sluice or ~/.local/state/sluice).
            """,
        subcommands: [
            RunCommand.self, LintCommand.self, ListCommand.self, GetCommand.self, LogsCommand.self,
            RevokeCommand.self, RevocationsCommand.self, ExportCommand.self, ConformanceCommand.self,
            VerifyCommand.self, ReplayCommand.self, StopCommand.self, ResumeCommand.self, KeygenCommand.self,
            KeyCommand.self, TemplateCommand.self, DigestCommand.self, ReportCommand.self,
            RetryCommand.self, ResubmitCommand.self, DeleteCommand.self, PruneCommand.self,
            KubeCommand.self, WrapCommand.self, SignerCommand.self,
        ]
    )
}

/// Options shared by commands that use the state directory.
struct StateOptions: ParsableArguments {
    @Option(name: .long, help: "State directory (default: $SLUICE_HOME, else the XDG state directory).")
    var stateDir: String?

    /// The state directory in force: --state-dir, $SLUICE_HOME, $XDG_STATE_HOME/sluice, ~/.local/state/sluice.
    var resolved: String {
        let environment = ProcessInfo.processInfo.environment
        if let stateDir, !stateDir.isEmpty { return absolute(stateDir) }
        if let home = environment["SLUICE_HOME"], !home.isEmpty { return absolute(home) }
        if let xdg = environment["XDG_STATE_HOME"], !xdg.isEmpty { return absolute(xdg) + "/sluice" }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + "/.local/state/sluice"
    }

    private func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}

/// A command that reads or drives runs in a state directory: before it runs, the containers of runs whose engine
/// died are removed (``OrphanContainers``).
protocol UsesRunState {
    var state: StateOptions { get }
}

extension RunCommand: UsesRunState {}
extension ResumeCommand: UsesRunState {}
extension ListCommand: UsesRunState {}
extension GetCommand: UsesRunState {}
extension LogsCommand: UsesRunState {}
extension StopCommand: UsesRunState {}
extension VerifyCommand: UsesRunState {}
extension ExportCommand: UsesRunState {}
extension ReplayCommand: UsesRunState {}

/// A command that could not do its job: what it says on standard error (lines starting `error:`, escaped by
/// ``printError(_:)``) and the documented exit status. Commands throw it; ``SluiceMain`` prints it and exits, so
/// that every error reaches the user the same way.
struct CommandFailure: Error, LocalizedError, CustomStringConvertible {
    /// One of ``ExitStatus``'s codes.
    let status: Int32
    /// The whole message, one problem per line.
    let message: String

    init(_ status: Int32, _ message: String) {
        self.status = status
        self.message = message
    }

    /// The message without its leading `error: `, for a caller that wraps it in a message of its own.
    var description: String { message.hasPrefix("error: ") ? String(message.dropFirst(7)) : message }
    var errorDescription: String? { description }
}

/// Writes a line to standard error.
///
/// Each line is escaped (control characters, NUL), so that no value a workflow or a node wrote reaches the terminal
/// raw; a message of several problems keeps one line per problem.
func printError(_ text: String) {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
        escapingControlCharacters(String($0))
    }
    writeUnbuffered(lines.joined(separator: "\n") + "\n", to: STDERR_FILENO)
}

/// Writes `text` to a file descriptor at once (no stdio buffer); a closed pipe (`sluice run | head`) or a full
/// disk loses the text instead of crashing, as `FileHandle.write` would.
func writeUnbuffered(_ text: String, to descriptor: Int32 = STDOUT_FILENO) {
    fflush(nil)  // what print() buffered goes first
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        if written < 0 && errno == EINTR { continue }
        guard written > 0 else { return }
        bytes = bytes.dropFirst(written)
    }
}

/// The CLI's entry point: parses, runs, and maps every outcome to an exit code.
package enum SluiceMain {
    package static func main() async {
        signal(SIGPIPE, SIG_IGN)
        do {
            var command = try SluiceCommand.parseAsRoot()
            if let command = command as? any UsesRunState {
                await OrphanContainers.sweep(stateDirectory: command.state.resolved)
            }
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            exit(ExitStatus.succeeded)
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch let failure as CommandFailure {
            printError(failure.message)
            exit(failure.status)
        } catch {
            let code = SluiceCommand.exitCode(for: error)
            if code == .success {
                print(SluiceCommand.fullMessage(for: error))
                exit(ExitStatus.succeeded)
            }
            var message = SluiceCommand.fullMessage(for: error)
            // One style for every error line: "error: ...".
            if message.hasPrefix("Error: ") { message = "error: " + message.dropFirst(7) }
            if !message.isEmpty { printError(message) }
            // ArgumentParser reports usage errors as 64 (EX_USAGE); our interface promises 2.
            exit(code == .validationFailure ? ExitStatus.usage : code.rawValue == 64 ? ExitStatus.usage : code.rawValue)
        }
    }
}

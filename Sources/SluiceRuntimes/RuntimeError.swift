/// Something that went wrong around a node's process: it could not be prepared, launched or supervised.
///
/// A node that runs and exits non-zero is not an error; it is a ``NodeOutcome``. Every case names the node and
/// the offending value; `description` is one sentence a user can act on.
package enum RuntimeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The executable has no `/` and is in no directory of the node's `PATH` (`searchPath` is `nil` when the
    /// node's environment has no `PATH`), or it has a `/` and names no executable file.
    case executableNotFound(node: String, executable: String, searchPath: String?)
    /// The kernel refused to start the process (or bubblewrap could not exec the command); `reason` is the errno
    /// text or bubblewrap's message.
    case launchFailed(node: String, executable: String, reason: String)
    /// A sandbox path could not be prepared (a host directory not created, a read-only bind source missing,
    /// bubblewrap refusing a mount).
    case sandboxSetupFailed(node: String, path: String, reason: String)
    /// A path in the ``SandboxLayout`` or the working directory is not absolute, is `/`, or contains `..`.
    case invalidSandboxPath(node: String, path: String)
    /// The working directory does not exist in the node's view of the filesystem and is not under a private path.
    case workingDirectoryMissing(node: String, path: String)
    /// A log file given as `stdoutPath` or `stderrPath` could not be opened for writing.
    case logFileUnwritable(node: String, path: String, reason: String)
    /// `bwrap` exited before running the command (a mount it could not make, a command it could not exec);
    /// `message` is its own `bwrap: …` line, which is also left in the node's stderr log.
    case bubblewrapFailed(node: String, message: String)
    /// `.bubblewrap` isolation was asked for explicitly but `bwrap` is missing or cannot create namespaces here.
    case isolationUnavailable(reason: String)
    /// The task running the node was cancelled; the node's process group was terminated.
    case cancelled(node: String)
    /// A container runtime could not run the node (see ``ContainerProblem``); `runtime` is `podman` or `docker`.
    case container(node: String, runtime: String, image: String, problem: ContainerProblem)

    package var description: String {
        switch self {
        case .executableNotFound(let node, let executable, let searchPath):
            if executable.contains("/") {
                return "node '\(node)': executable '\(executable)' does not exist or is not an executable file"
            }
            guard let searchPath else {
                return "node '\(node)': executable '\(executable)' not found: the node's environment has no PATH"
            }
            return "node '\(node)': executable '\(executable)' not found in PATH '\(searchPath)'"
        case .launchFailed(let node, let executable, let reason):
            return "node '\(node)': could not launch '\(executable)': \(reason)"
        case .sandboxSetupFailed(let node, let path, let reason):
            return "node '\(node)': could not set up sandbox path '\(path)': \(reason)"
        case .invalidSandboxPath(let node, let path):
            return "node '\(node)': sandbox path '\(path)' must be absolute, must not be '/' and must not contain '..'"
        case .workingDirectoryMissing(let node, let path):
            return "node '\(node)': working directory '\(path)' does not exist in the node's filesystem"
        case .logFileUnwritable(let node, let path, let reason):
            return "node '\(node)': cannot open log file '\(path)' for writing: \(reason)"
        case .bubblewrapFailed(let node, let message):
            return "node '\(node)': bubblewrap could not start the command: \(message)"
        case .isolationUnavailable(let reason):
            return "bubblewrap isolation is unavailable on this host: \(reason)"
        case .cancelled(let node):
            return "node '\(node)' was cancelled and its process group killed"
        case .container(let node, let runtime, let image, let problem):
            let context = image.isEmpty ? runtime : "\(runtime), image \(image)"
            return "node '\(node)' (\(context)): \(problem.text(image: image))"
        }
    }
}

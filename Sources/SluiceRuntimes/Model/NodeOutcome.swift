package import Foundation

/// How a node's process ended; a non-zero exit is an outcome, not an error.
package struct NodeOutcome: Sendable, Equatable {
    /// How the leader process terminated.
    ///
    /// Under bubblewrap the command's death by signal N is reported by `bwrap` as exit code 128 + N; the runtime
    /// maps exit codes 129...192 back to `.signaled(N)`, so a command that itself exits with such a code is reported
    /// as signaled too.
    package enum Termination: Sendable, Equatable {
        /// The process exited with this code.
        case exited(Int32)
        /// The process was killed by this signal number.
        case signaled(Int32)
    }

    /// How the node ended.
    package var termination: Termination
    /// Whether the runtime killed the node because its timeout expired.
    package var timedOut: Bool
    /// The process ID of the leader: the command itself, or the outer `bwrap` process under bubblewrap.
    package var processID: Int32
    /// Just before the spawn.
    package var startedAt: Date
    /// After the leader exited and its process group was killed.
    package var finishedAt: Date
    /// The image ID the runtime resolved by its own inspection (container runtimes), for lineage.
    package var imageID: String?
    /// Whether the container engine reports that the kernel killed the node for exceeding its memory limit
    /// (`.State.OOMKilled`; container runtimes only, and only where the engine can tell).
    package var oomKilled: Bool

    /// Creates an outcome.
    package init(
        termination: Termination, timedOut: Bool, processID: Int32, startedAt: Date, finishedAt: Date,
        imageID: String? = nil, oomKilled: Bool = false
    ) {
        self.imageID = imageID
        self.oomKilled = oomKilled
        self.termination = termination
        self.timedOut = timedOut
        self.processID = processID
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }

    /// Whether the node exited with code 0 in time.
    package var isSuccess: Bool { termination == .exited(0) && !timedOut }
}

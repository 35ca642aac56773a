package import Foundation

/// One execution attempt of a node (Argo retries make several); keyed by run, node and attempt number.
///
/// The node must already exist in the store (or in the same ``Transition``). Dates are truncated to milliseconds.
package struct AttemptRecord: Sendable, Equatable, Codable {
    /// The run the attempt belongs to.
    package var runID: String
    /// The node the attempt executes.
    package var nodeID: String
    /// The attempt number within the node, starting at 1 by convention.
    package var number: Int
    /// The child process (or container client) id while it runs.
    package var processID: Int32?
    /// When the attempt started.
    package var startedAt: Date
    /// When the attempt finished.
    package var finishedAt: Date?
    /// The exit code, when the process exited normally.
    package var exitCode: Int32?
    /// The terminating signal, when the process was killed.
    package var signal: Int32?
    /// Where the attempt's standard output was captured.
    package var stdoutPath: String?
    /// Where the attempt's standard error was captured.
    package var stderrPath: String?
    /// `succeeded`, `failed`, `error`, `timeout` or `refused`; nil while running.
    package var outcome: String?

    /// Creates an attempt record; dates are truncated to whole milliseconds so they round-trip through the store.
    package init(
        runID: String,
        nodeID: String,
        number: Int,
        processID: Int32? = nil,
        startedAt: Date,
        finishedAt: Date? = nil,
        exitCode: Int32? = nil,
        signal: Int32? = nil,
        stdoutPath: String? = nil,
        stderrPath: String? = nil,
        outcome: String? = nil
    ) {
        self.runID = runID
        self.nodeID = nodeID
        self.number = number
        self.processID = processID
        self.startedAt = StoreTimestamp.truncated(startedAt)
        self.finishedAt = finishedAt.map(StoreTimestamp.truncated)
        self.exitCode = exitCode
        self.signal = signal
        self.stdoutPath = stdoutPath
        self.stderrPath = stderrPath
        self.outcome = outcome
    }
}

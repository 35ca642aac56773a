import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// A node's stdout and stderr while it runs: the descriptors its process writes to, and what to do once it ended.
struct NodeLogs: Sendable {
    /// The node's standard output (close it once the node's process has it).
    let output: FileDescriptor
    /// The node's standard error (the same pipe or file as `output`, duplicated, when both logs are one path).
    let error: FileDescriptor
    private let sinks: [LogPump.Sink]

    init(output: FileDescriptor, error: FileDescriptor, sinks: [LogPump.Sink] = []) {
        self.output = output
        self.error = error
        self.sinks = sinks
    }

    /// Moves the rest of what the node wrote into its log files and stops; call it once the node's processes
    /// have ended, before reading a log (idempotent).
    ///
    /// - Returns: the log that could not be written (what the node wrote to it is lost) and why, or nil.
    @discardableResult
    func finish() -> (path: String, reason: String)? {
        var failure: (path: String, reason: String)?
        for sink in sinks {
            if let reason = sink.finish(), failure == nil { failure = (sink.path, reason) }
            LogPump.shared.forget(sink)
        }
        return failure
    }
}

extension NodeInvocation {
    /// The node's stdout and stderr as pipes that ``LogPump`` drains into the log files at `stdoutPath` and
    /// `stderrPath`, each created (with its directory) only when the node writes to it: a silent node leaves no
    /// file. One pipe serves both when they are the same path. Used by the process runtime.
    func openLogPipes() throws(RuntimeError) -> NodeLogs {
        let output: (writeEnd: Int32, sink: LogPump.Sink)
        switch LogPump.shared.pipe(to: stdoutPath) {
        case .success(let opened): output = opened
        case .failure(let failure): throw .logFileUnwritable(node: nodeName, path: stdoutPath, reason: failure.text)
        }
        let standardOutput = FileDescriptor(rawValue: output.writeEnd)
        if stderrPath == stdoutPath {
            let duplicate = fcntl(output.writeEnd, F_DUPFD_CLOEXEC, 0)
            guard duplicate >= 0 else {
                let reason = HostFiles.errorText(errno)
                try? standardOutput.close()
                NodeLogs(output: standardOutput, error: standardOutput, sinks: [output.sink]).finish()
                throw .logFileUnwritable(node: nodeName, path: stderrPath, reason: reason)
            }
            return NodeLogs(
                output: standardOutput, error: FileDescriptor(rawValue: duplicate), sinks: [output.sink])
        }
        switch LogPump.shared.pipe(to: stderrPath) {
        case .success(let error):
            return NodeLogs(
                output: standardOutput, error: FileDescriptor(rawValue: error.writeEnd),
                sinks: [output.sink, error.sink])
        case .failure(let failure):
            try? standardOutput.close()
            NodeLogs(output: standardOutput, error: standardOutput, sinks: [output.sink]).finish()
            throw .logFileUnwritable(node: nodeName, path: stderrPath, reason: failure.text)
        }
    }

    /// Opens the node's stdout and stderr log files for the child to write directly (one descriptor duplicated
    /// when both are the same path), creating the node's directory when missing. Used by the container runtimes,
    /// whose CLI works in that directory anyway; ``removeEmptyLogs()`` drops the files nothing was written to.
    func openLogs() throws(RuntimeError) -> (FileDescriptor, FileDescriptor) {
        if let failure = HostFiles.makePrivateDirectory(SandboxPath.parent(stdoutPath)) {
            throw .logFileUnwritable(node: nodeName, path: stdoutPath, reason: failure)
        }
        let standardOutput: FileDescriptor
        switch HostFiles.openLog(stdoutPath) {
        case .success(let descriptor): standardOutput = descriptor
        case .failure(let failure):
            throw .logFileUnwritable(node: nodeName, path: stdoutPath, reason: failure.text)
        }
        if stderrPath == stdoutPath {
            let duplicate = fcntl(standardOutput.rawValue, F_DUPFD_CLOEXEC, 0)
            guard duplicate >= 0 else {
                let reason = HostFiles.errorText(errno)
                try? standardOutput.close()
                throw .logFileUnwritable(node: nodeName, path: stderrPath, reason: reason)
            }
            return (standardOutput, FileDescriptor(rawValue: duplicate))
        }
        switch HostFiles.openLog(stderrPath) {
        case .success(let descriptor): return (standardOutput, descriptor)
        case .failure(let failure):
            try? standardOutput.close()
            throw .logFileUnwritable(node: nodeName, path: stderrPath, reason: failure.text)
        }
    }

    /// Removes the log files ``openLogs()`` made that stayed empty.
    func removeEmptyLogs() {
        HostFiles.removeIfEmpty(stdoutPath)
        if stderrPath != stdoutPath { HostFiles.removeIfEmpty(stderrPath) }
    }
}

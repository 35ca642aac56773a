import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

extension NodeInvocation {
    /// Opens the node's stdout and stderr log files for the child to write directly (one descriptor duplicated
    /// when both are the same path). Shared by the process and the container runtimes.
    func openLogs() throws(RuntimeError) -> (FileDescriptor, FileDescriptor) {
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
}

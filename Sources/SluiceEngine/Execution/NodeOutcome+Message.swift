package import SluiceRuntimes

extension NodeOutcome {
    /// The node's message when it did not exit 0, in Argo's words; nil when it did.
    ///
    /// `memoryLimit` is the container's `resources.limits.memory` as written (`16Mi`), if any. A container the
    /// engine reports as OOM-killed gives Argo's `OOMKilled (exit code 137)` with the limit; a container with a
    /// memory limit killed by SIGKILL without that report (Podman on cgroup v1 hosts cannot always tell) says the
    /// limit was probably exceeded. The timeout's message is the caller's.
    package func failureMessage(memoryLimit: String?) -> String? {
        let limit = memoryLimit.map { " \($0)" } ?? ""
        switch termination {
        case .exited(0):
            return nil
        case _ where oomKilled:
            return "OOMKilled (exit code 137): the container exceeded its memory limit\(limit)"
        case .exited(let code):
            return "Error (exit code \(code))"
        case .signaled(let signal) where signal == 9 && memoryLimit != nil && !timedOut:
            return "terminated by signal 9 (exit code 137): probably OOMKilled, the memory limit\(limit) was "
                + "likely exceeded (the container engine did not report it)"
        case .signaled(let signal):
            // Kubernetes reports a container killed by signal N as exit code 128 + N.
            return "Error (exit code \(128 + signal)): terminated by signal \(signal)"
        }
    }
}

import SluiceRuntimes
import SluiceSpec

extension WorkflowExecutor {
    /// The readiness check of a pod's main container, if its template declares a `readinessProbe`.
    ///
    /// `httpGet` and `tcpSocket` probe the pod's own `address` (a container's IP), else `127.0.0.1` (local
    /// processes share the host's network), unless the probe names a host; `exec` runs through the runtime
    /// (`podman exec` for containers, the host for processes). A named port (`port: http`) cannot be resolved
    /// without the container's `ports`: such a probe is not run.
    func readinessCheck(
        of template: Template, invocation: NodeInvocation, address: String?
    ) -> (check: ReadinessCheck, probe: Probe)? {
        guard let probe = template.container?.readinessProbe ?? template.script?.readinessProbe else { return nil }
        let podHost = address ?? "127.0.0.1"
        if let http = probe.httpGet, let port = Int(http.port.value) {
            return (.http(host: http.host ?? podHost, port: port, path: http.path ?? "/"), probe)
        }
        if let tcp = probe.tcpSocket, let port = Int(tcp.port.value) {
            return (.tcp(host: tcp.host ?? podHost, port: port), probe)
        }
        if let exec = probe.exec, !exec.command.isEmpty {
            return (.exec(argv: runtime.probeArgv(exec.command, for: invocation)), probe)
        }
        return nil
    }

    /// Waits until a started daemon's container runs and returns its own IP address; nil when the node shares the
    /// host's network, ends first, or the run stops.
    func awaitAddress(of nodeID: String, invocation: NodeInvocation) async -> String? {
        while !Task.isCancelled {
            switch await runtime.address(of: invocation) {
            case .host:
                return nil
            case .own(let address):
                return address
            case .pending:
                if let recorded = await coordinator.node(nodeID), recorded.phase != .running { return nil }
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
        return nil
    }

    /// Waits until a started daemon passes its readiness check, as Kubernetes marks its pod Ready: after
    /// `initialDelaySeconds`, probing every `periodSeconds` (default 1 s; Kubernetes' 10 s only delays a local run)
    /// with `timeoutSeconds` (default 1 s) per attempt.
    ///
    /// - Returns: the daemon's node as recorded when it ended before becoming ready (its dependents then see how it
    ///   ended), nil once it is ready or the run stops.
    func awaitReadiness(of nodeID: String, check: ReadinessCheck, probe: Probe) async -> NodeState? {
        let period = Duration.seconds(max(probe.periodSeconds ?? 1, 1))
        let timeout = Duration.seconds(max(probe.timeoutSeconds ?? 1, 1))
        if let delay = probe.initialDelaySeconds, delay > 0 {
            try? await Task.sleep(for: .seconds(delay))
        }
        while !Task.isCancelled {
            if let recorded = await coordinator.node(nodeID), recorded.phase != .running { return recorded }
            if await check.passes(timeout: timeout) { return nil }
            try? await Task.sleep(for: period)
        }
        return nil
    }
}

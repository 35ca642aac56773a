/// A pod's processes as Kubernetes runs them: its init containers one at a time (the first that does not succeed ends
/// the pod: main never starts), then its main work with every sidecar started alongside, the sidecars cancelled once
/// the main work ends.
package enum PodProcesses {
    /// Runs the pod on `runtime`; `work` runs its main container (or a containerSet's containers).
    ///
    /// - Returns: the first init container's outcome that is not a success, else `work`'s; and whether `work`
    ///   ran (not when an init container ended the pod).
    /// - Throws: ``RuntimeError`` when a process could not be launched (a sidecar's failure stops the pod) or the
    ///   task was cancelled.
    package static func run(
        initContainers: [NodeInvocation], sidecars: [NodeInvocation], main: NodeInvocation,
        on runtime: any NodeRuntime, _ work: @escaping @Sendable () async throws(RuntimeError) -> NodeOutcome
    ) async throws(RuntimeError) -> (outcome: NodeOutcome, mainStarted: Bool) {
        for initContainer in initContainers {
            let outcome = try await runtime.run(initContainer)
            if outcome.termination != .exited(0) || outcome.timedOut { return (outcome, false) }
        }
        if sidecars.isEmpty { return (try await work(), true) }
        let result = await withSidecars(sidecars, main: main, on: runtime, work)
        // The sidecars are gone: now the main container can be removed, if the sidecars had kept it.
        await runtime.release(main)
        return (try result.get(), true)
    }

    private enum Event: Sendable {
        case main(Result<NodeOutcome, RuntimeError>)
        case sidecar(RuntimeError?)
    }

    /// Runs `work` with every sidecar started alongside; sidecars are killed (cancelled) once `work` ends. A sidecar
    /// that exits on its own is left alone; one that cannot be launched stops the pod with its error.
    private static func withSidecars(
        _ sidecars: [NodeInvocation], main: NodeInvocation, on runtime: any NodeRuntime,
        _ work: @escaping @Sendable () async throws(RuntimeError) -> NodeOutcome
    ) async -> Result<NodeOutcome, RuntimeError> {
        await withTaskGroup(of: Event.self) { group in
            group.addTask {
                do throws(RuntimeError) {
                    return .main(.success(try await work()))
                } catch {
                    return .main(.failure(error))
                }
            }
            for sidecar in sidecars {
                group.addTask {
                    do throws(RuntimeError) {
                        _ = try await runtime.run(sidecar)
                        return .sidecar(nil)
                    } catch {
                        return .sidecar(error)
                    }
                }
            }
            var result: Result<NodeOutcome, RuntimeError>?
            while let event = await group.next() {
                switch event {
                case .main(let outcome):
                    if result == nil { result = outcome }
                    group.cancelAll()
                case .sidecar(let error?):
                    // A sidecar that found the main container already ended has nothing to do: main's outcome wins.
                    if result == nil, !error.isCancellation, !isNetworkOwnerGone(error) {
                        result = .failure(error)
                        group.cancelAll()
                    }
                case .sidecar(nil):
                    continue
                }
            }
            return result ?? .failure(.cancelled(node: main.nodeName))
        }
    }

    private static func isNetworkOwnerGone(_ error: RuntimeError) -> Bool {
        if case .container(_, _, _, .networkOwnerGone) = error { return true }
        return false
    }
}

extension RuntimeError {
    /// The task running the process was cancelled (a stop, a deadline, the pod's end for a sidecar).
    package var isCancellation: Bool {
        if case .cancelled = self { return true }
        return false
    }
}

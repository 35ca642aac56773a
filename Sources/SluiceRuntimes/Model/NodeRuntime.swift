/// Runs one node's command on some host mechanism (processes, containers).
///
/// Implementations are value types safe to share between concurrently running nodes.
package protocol NodeRuntime: Sendable {
    /// A short name of the mechanism, e.g. `"process"`.
    var kind: String { get }
    /// The filesystem isolation this runtime gives on this host.
    var isolation: Isolation { get }
    /// The node's own directories as it saw them, for collecting its outputs after it ended: what the node wrote
    /// at an in-sandbox path is read through this view, never by resolving the path on the host.
    func fileView(of layout: SandboxLayout) -> NodeFileView
    /// Runs the node to completion and returns how it ended.
    ///
    /// - Throws: ``RuntimeError`` when the node could not be prepared or launched, or was cancelled. A non-zero
    ///   exit is returned as a ``NodeOutcome``, not thrown.
    func run(_ invocation: NodeInvocation) async throws(RuntimeError) -> NodeOutcome
    /// Removes what a node left behind once its whole pod ended: a container kept after it exited because other
    /// containers of its pod joined its network namespace. Never throws; safe to call for any node.
    func release(_ invocation: NodeInvocation) async
    /// The argv that runs a readiness probe's `exec` command inside `invocation`'s running node.
    func probeArgv(_ command: [String], for invocation: NodeInvocation) -> [String]
    /// Where other nodes reach the running node: the host's network, or its own address (a container on a bridge
    /// network), which is ``NodeAddress/pending`` until it runs.
    func address(of invocation: NodeInvocation) async -> NodeAddress
    /// Kills what a node of a dead engine left running (reported through ``NodeInvocation/onSpawn``): the process
    /// group when its leader is still the recorded process, the container by name. Never throws.
    ///
    /// - Returns: whether something was still running and was killed.
    func killLeftover(_ spawned: SpawnedNode) async -> Bool
}

extension NodeRuntime {
    /// Nothing is left behind by default.
    package func release(_ invocation: NodeInvocation) async {}

    /// Nodes share the host's network by default.
    package func address(of invocation: NodeInvocation) async -> NodeAddress { .host }

    /// Process groups are killed the same way whatever the runtime; containers by a container runtime only.
    package func killLeftover(_ spawned: SpawnedNode) async -> Bool {
        guard case .processGroup(let leader) = spawned else { return false }
        return ProcessRuntime.killLeftoverGroup(of: leader)
    }
}

/// Something a runtime started for a node, as ``NodeInvocation/onSpawn`` reports it.
package enum SpawnedNode: Sendable, Equatable {
    /// A process group on this host, named by its leader (pgid == the leader's pid).
    case processGroup(ProcessIdentity)
    /// A container, by name.
    case container(name: String)
}

/// Where other nodes reach a running node (Argo's pod IP).
package enum NodeAddress: Sendable, Equatable {
    /// The host's network, reached at `127.0.0.1`: processes, and containers run with `--network host`.
    case host
    /// Not known yet: the node's container does not run yet.
    case pending
    /// The node's own IP address.
    case own(String)
}

/// The filesystem isolation a runtime gives a node.
package enum Isolation: String, Sendable {
    /// Each node runs in a bubblewrap sandbox: read-only host, private writable paths, own PID namespace.
    case bubblewrap
    /// The node runs directly on the host, sharing its filesystem with everything else.
    case none
    /// Each node runs in its own container (``ContainerRuntime``): own root filesystem, `/tmp` and PIDs.
    case container
}

/// `containerSet`: several containers run in one pod, ordered by their `dependencies`, sharing its volumes.
///
/// Argo runs each container as a node of type `Container` under the template's Pod node; the container named
/// `main` (if any) gives the Pod node its `outputs.result`. `volumeMounts` apply to every container.
package struct ContainerSetTemplate: Sendable, Decodable {
    /// The containers, each with its own `name` and optional `dependencies` (names of other containers).
    package var containers: [Container]
    /// Mounts added to every container of the set.
    package var volumeMounts: [VolumeMount]?
    /// How often a failed container is run again inside the pod.
    package var retryStrategy: ContainerSetRetryStrategy?
}

/// `containerSet.retryStrategy`: retries of one failed container, inside the same pod.
package struct ContainerSetRetryStrategy: Sendable, Decodable, Equatable {
    /// Further attempts after the first one (Argo's `retries`, an int or a string).
    package var retries: ArgoString?
    /// The pause before each new attempt, as a Go duration (`10s`); nil means none.
    package var duration: String?
}

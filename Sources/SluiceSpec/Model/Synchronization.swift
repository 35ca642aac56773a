/// `synchronization` of a workflow or template: mutexes and semaphores that must be held while it runs.
///
/// Argo 3.6 lists them (`mutexes`, `semaphores`); the singular `mutex` and `semaphore` of earlier versions are
/// accepted too. Locks are held across every `sluice run` process sharing a state directory.
package struct Synchronization: Sendable, Decodable, Equatable {
    package var mutex: MutexReference?
    package var mutexes: [MutexReference]?
    package var semaphore: SemaphoreReference?
    package var semaphores: [SemaphoreReference]?

    /// Every mutex, singular field first.
    package var allMutexes: [MutexReference] { (mutex.map { [$0] } ?? []) + (mutexes ?? []) }
    /// Every semaphore, singular field first.
    package var allSemaphores: [SemaphoreReference] { (semaphore.map { [$0] } ?? []) + (semaphores ?? []) }
}

/// A named mutex (Argo's `Mutex`): at most one holder at a time.
package struct MutexReference: Sendable, Decodable, Equatable {
    package var name: String
    package var namespace: String?
}

/// A semaphore whose limit Argo reads from a ConfigMap key; here from the state directory's `synchronization.yaml`.
package struct SemaphoreReference: Sendable, Decodable, Equatable {
    package var configMapKeyRef: ConfigMapKeySelector?
    package var namespace: String?
}

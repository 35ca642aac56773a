import Synchronization

/// The daemons (`daemon: true` steps and tasks) started inside one steps or DAG template, killed when it ends.
///
/// ``run(_:)`` runs the template's body with the scope as ``current``; a daemon pod hands its supervision to
/// ``launch(_:)`` and its step returns at once, still Running. The jobs run as child tasks of the scope, so they
/// are structured: when the body returns, the scope is marked closing and its jobs are cancelled (the runtime then
/// kills each daemon's process group or container) and awaited before ``run(_:)`` returns. Argo's behaviour:
/// "the daemon is terminated when the enclosing template's scope exits".
final class DaemonScope: Sendable {
    typealias Job = @Sendable () async -> Void

    /// The innermost scope of the calling task, if any (a pod run outside any steps or DAG is not daemoned).
    @TaskLocal static var current: DaemonScope?

    private let jobs: AsyncStream<Job>
    private let continuation: AsyncStream<Job>.Continuation
    private let closing = Mutex(false)

    private init() {
        (jobs, continuation) = AsyncStream.makeStream(of: Job.self)
    }

    /// Whether the enclosing template has ended, so a cancelled daemon was stopped on purpose (it Succeeded).
    var isClosing: Bool { closing.withLock { $0 } }

    /// Runs `job` (a daemon's supervision) until it ends or the scope closes; a job launched after that is dropped.
    func launch(_ job: @escaping Job) {
        continuation.yield(job)
    }

    /// Runs `body` with a fresh scope as ``current``, then stops and awaits every daemon it launched.
    ///
    /// - Throws: what `body` throws, after the daemons were stopped.
    static func run<T: Sendable>(_ body: () async throws(EngineError) -> T) async throws(EngineError) -> T {
        let scope = DaemonScope()
        let result: Result<T, EngineError> = await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withTaskGroup(of: Void.self) { daemons in
                    for await job in scope.jobs { daemons.addTask { await job() } }
                }
            }
            let result = await $current.withValue(scope) { await capture(body) }
            scope.closing.withLock { $0 = true }
            scope.continuation.finish()
            group.cancelAll()
            await group.waitForAll()
            return result
        }
        return try result.get()
    }

    private static func capture<T>(_ body: () async throws(EngineError) -> T) async -> Result<T, EngineError> {
        do {
            return .success(try await body())
        } catch {
            return .failure(error)
        }
    }
}

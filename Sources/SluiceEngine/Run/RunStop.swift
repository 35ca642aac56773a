import Synchronization

/// Why a run is being stopped early (Ctrl-C, `sluice stop`, the workflow's deadline), shared by the engine and the
/// code that cancels it. The first reason given wins.
package final class RunStop: Sendable {
    private let state = Mutex<String?>(nil)

    package init() {}

    /// The reason, once a stop was requested.
    package var reason: String? { state.withLock { $0 } }

    /// Records why the run stops; later calls keep the first reason.
    package func request(_ reason: String) {
        state.withLock { current in
            if current == nil { current = reason }
        }
    }
}

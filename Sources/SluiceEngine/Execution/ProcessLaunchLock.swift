import Foundation

/// Serializes the engine's launches through Foundation's `Process` (curl and git for fetched artifacts, tar for
/// bundles): `Process.run()` has crashed here (a bad pointer in its `memcpy`) when several launched at once.
/// Only the launch is serialized; waiting for the programs still happens in parallel.
enum ProcessLaunchLock {
    private static let lock = NSLock()

    /// Runs `process.run()` while no other engine launch through Foundation is in progress.
    static func run(_ process: Process) throws {
        lock.lock()
        defer { lock.unlock() }
        try process.run()
    }
}

package import Foundation

/// Serializes Sluice's launches through Foundation's `Process` (curl and git for fetched artifacts, tar for
/// bundles in SluiceAudit): `Process.run()` has crashed here (a bad pointer in its `memcpy`) when several launched at once.
/// Only the launch is serialized; waiting for the programs still happens in parallel.
package enum ProcessLaunchLock {
    private static let lock = NSLock()

    /// Runs `process.run()` while no other engine launch through Foundation is in progress.
    package static func run(_ process: Process) throws {
        lock.lock()
        defer { lock.unlock() }
        try process.run()
    }
}

import Foundation
import SluiceEngine
import Synchronization

/// The temporary directories bundles are unpacked into: each is removed by its owner on every return and throw,
/// and ``removeAllAndExit(status:)`` removes those still present when the process is interrupted (the CLI calls it from its
/// SIGINT/SIGTERM handler), so that a killed `sluice verify` leaves nothing in `/tmp`.
package enum ScratchDirectories {
    private static let live = Mutex<Set<String>>([])

    /// Creates a fresh directory (mode 0700) under the temporary directory and registers it.
    ///
    /// - Throws: ``ExportError/bundleUnreadable(path:reason:)`` naming `bundle` when it cannot be created.
    static func make(prefix: String, for bundle: String) throws(ExportError) -> String {
        let path = NSTemporaryDirectory() + "/\(prefix)-\(UUID().uuidString)"
        // Registered before it exists: a signal between creating and registering would leave it behind.
        live.withLock { _ = $0.insert(path) }
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        } catch {
            live.withLock { _ = $0.remove(path) }
            throw .bundleUnreadable(path: bundle, reason: "cannot create '\(path)': \(error.localizedDescription)")
        }
        return path
    }

    /// Removes `path` (read-only entries too) and forgets it.
    ///
    /// Under the registry's lock: once a signal handler is in ``removeAllAndExit(status:)``, an owner returning
    /// waits here until the process has exited with the signal's status, instead of finishing on its own.
    static func remove(_ path: String) {
        live.withLock { paths in
            BundleFiles.removeTree(path)
            _ = paths.remove(path)
        }
    }

    /// For signal handlers: removes every directory still registered and ends the process with `status`, holding
    /// the registry's lock throughout, so that no thread unpacking meanwhile (whose work the removal makes fail)
    /// can end the process first with a status of its own.
    package static func removeAllAndExit(status: Int32) -> Never {
        live.withLock { paths in
            for path in paths { BundleFiles.removeTree(path) }
            fflush(nil)
            _exit(status)
        }
    }

    /// The directories registered now (tests).
    package static var present: Set<String> { live.withLock { $0 } }
}

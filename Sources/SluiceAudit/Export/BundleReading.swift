import Foundation
import SluiceEngine

/// Opens an export bundle for reading: a directory as it is, a `.tar.gz` archive unpacked into a scratch directory
/// that is removed afterwards (with the verifier's limits and rules, ``BundleUnpacker``).
package enum BundleReading {
    /// Calls `body` with the bundle's root directory.
    ///
    /// - Throws: `ExportError.bundleUnreadable` when the path is neither a directory nor an archive, or the archive
    ///   cannot be unpacked; whatever `body` throws.
    package static func read<T>(_ path: String, _ body: (String) throws -> T) throws -> T {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ExportError.bundleUnreadable(path: path, reason: "no such file or directory")
        }
        if isDirectory.boolValue { return try body(path) }
        guard BundleLayout.isArchive(path) else {
            throw ExportError.bundleUnreadable(path: path, reason: "it is neither a directory nor a .tar.gz archive")
        }
        let scratch = try ScratchDirectories.make(prefix: "sluice-bundle", for: path)
        defer { ScratchDirectories.remove(scratch) }
        try BundleUnpacker.extract(path, into: scratch)
        return try body(scratch)
    }
}

import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Content-addressed, read-only artifact storage under `<stateDirectory>/artifacts`.
///
/// Files live at `artifacts/sha256/<first 2 hex>/<hex>` (mode 0444) and directory trees at
/// `artifacts/tree/<first 2 hex>/<hex>` (directories 0555, files 0444). The store trusts the digest its caller
/// computed (SluiceGovernance hashes; this module does not). Copies are written to a temporary name and renamed
/// into place, so a reader never sees a half-copied artifact and concurrent `put`s of the same digest are safe.
package struct ArtifactStore: Sendable {
    /// `<stateDirectory>/artifacts`.
    package let root: String

    /// Opens (creating with mode 0700 if needed) the artifact store of a state directory.
    /// - Throws: `StoreError.stateDirectoryUnusable` when the directories cannot be created or written.
    package init(stateDirectory: String) throws(StoreError) {
        try StateDirectory.prepare(stateDirectory)
        root = stateDirectory.hasSuffix("/") ? stateDirectory + "artifacts" : stateDirectory + "/artifacts"
        for directory in [root, root + "/sha256", root + "/tree"] {
            try StateDirectory.makePrivateDirectory(directory) { reason in
                .stateDirectoryUnusable(path: stateDirectory, reason: "artifacts: \(reason)")
            }
        }
    }

    // MARK: - Paths

    /// Where a file with this sha256 hex digest is (or would be) stored; does not check that it exists.
    package func path(forFile hex: String) -> String {
        "\(root)/sha256/\(hex.prefix(2))/\(hex)"
    }

    /// Where a directory tree with this digest is (or would be) stored; does not check that it exists.
    package func path(forDirectory hex: String) -> String {
        "\(root)/tree/\(hex.prefix(2))/\(hex)"
    }

    /// Whether a file with this digest is stored (false for a malformed digest).
    package func contains(file hex: String) -> Bool {
        Self.isDigest(hex) && Self.fileType(at: path(forFile: hex)) == S_IFREG
    }

    /// Whether a directory tree with this digest is stored (false for a malformed digest).
    package func contains(directory hex: String) -> Bool {
        Self.isDigest(hex) && Self.fileType(at: path(forDirectory: hex)) == S_IFDIR
    }

    /// The path of a stored file.
    /// - Throws: `StoreError.artifactDigestInvalid` for a malformed digest, `.artifactMissing` when not stored.
    package func existingPath(forFile hex: String) throws(StoreError) -> String {
        try Self.requireDigest(hex)
        guard contains(file: hex) else { throw .artifactMissing(hex) }
        return path(forFile: hex)
    }

    /// The path of a stored directory tree.
    /// - Throws: `StoreError.artifactDigestInvalid` for a malformed digest, `.artifactMissing` when not stored.
    package func existingPath(forDirectory hex: String) throws(StoreError) -> String {
        try Self.requireDigest(hex)
        guard contains(directory: hex) else { throw .artifactMissing(hex) }
        return path(forDirectory: hex)
    }

    // MARK: - Storing

    /// Copies a regular file into the store under its sha256 hex digest and makes the copy read-only (0444).
    ///
    /// Idempotent: when the digest is already stored, nothing is copied. The copy is streamed and synced to disk
    /// before it is renamed into place.
    /// - Returns: the stored path.
    /// - Throws: `StoreError.artifactDigestInvalid`, `.artifactSymlinkRefused` when `source` is a symbolic link,
    ///   `.artifactSourceUnusable` when it is missing or not a regular file, `.artifactWriteFailed` on I/O errors.
    @discardableResult
    package func put(fileAt source: String, digest hex: String) throws(StoreError) -> String {
        try Self.requireDigest(hex)
        try Self.requireSource(source, type: S_IFREG, named: "a regular file")
        let destination = path(forFile: hex)
        if contains(file: hex) { return destination }
        let shard = (destination as NSString).deletingLastPathComponent
        try makeShard(shard)
        let temporary = shard + "/.tmp-" + UUID().uuidString
        do throws(StoreError) {
            try ArtifactCopier.copyFile(from: source, to: temporary)
            try Self.rename(temporary, to: destination)
        } catch {
            _ = unlink(temporary)
            throw error
        }
        return destination
    }

    /// Copies a directory tree into the store under its digest; files become 0444 and directories 0555.
    ///
    /// Idempotent: when the digest is already stored, nothing is copied. Symbolic links anywhere in the tree are
    /// refused (never followed), as are FIFOs, sockets and devices; nothing is stored then.
    /// - Returns: the stored path.
    /// - Throws: `StoreError.artifactDigestInvalid`, `.artifactSymlinkRefused`, `.artifactSourceUnusable`,
    ///   `.artifactWriteFailed`.
    @discardableResult
    package func put(directoryAt source: String, digest hex: String) throws(StoreError) -> String {
        try Self.requireDigest(hex)
        try Self.requireSource(source, type: S_IFDIR, named: "a directory")
        let destination = path(forDirectory: hex)
        if contains(directory: hex) { return destination }
        let shard = (destination as NSString).deletingLastPathComponent
        try makeShard(shard)
        let temporary = shard + "/.tmp-" + UUID().uuidString
        do throws(StoreError) {
            guard mkdir(temporary, 0o700) == 0 else {
                throw .artifactWriteFailed(path: temporary, reason: StateDirectory.errnoText())
            }
            try ArtifactCopier.copyTree(from: source, to: temporary)
            guard chmod(temporary, 0o555) == 0 else {
                throw .artifactWriteFailed(path: temporary, reason: StateDirectory.errnoText())
            }
            if Foundation.rename(temporary, destination) != 0 {
                let code = errno
                // A concurrent put of the same digest won the race: its tree is identical, keep it.
                guard (code == EEXIST || code == ENOTEMPTY) && contains(directory: hex) else {
                    throw .artifactWriteFailed(path: destination, reason: StateDirectory.errnoText(code))
                }
                ArtifactCopier.removeTree(temporary)
            }
        } catch {
            ArtifactCopier.removeTree(temporary)
            throw error
        }
        return destination
    }

    // MARK: - Plumbing

    private func makeShard(_ shard: String) throws(StoreError) {
        try StateDirectory.makePrivateDirectory(shard) { reason in .artifactWriteFailed(path: shard, reason: reason) }
    }

    private static func rename(_ source: String, to destination: String) throws(StoreError) {
        guard Foundation.rename(source, destination) == 0 else {
            throw .artifactWriteFailed(path: destination, reason: StateDirectory.errnoText())
        }
    }

    static func isDigest(_ hex: String) -> Bool {
        hex.utf8.count == 64 && hex.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    private static func requireDigest(_ hex: String) throws(StoreError) {
        guard isDigest(hex) else { throw .artifactDigestInvalid(hex) }
    }

    /// The `S_IFMT` bits of what is at `path` (not following links), or nil when nothing is there.
    static func fileType(at path: String) -> mode_t? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return info.st_mode & S_IFMT
    }

    private static func requireSource(_ source: String, type: mode_t, named kind: String) throws(StoreError) {
        var info = stat()
        guard lstat(source, &info) == 0 else {
            throw .artifactSourceUnusable(path: source, reason: StateDirectory.errnoText())
        }
        let actual = info.st_mode & S_IFMT
        if actual == S_IFLNK { throw .artifactSymlinkRefused(path: source) }
        guard actual == type else { throw .artifactSourceUnusable(path: source, reason: "it is not \(kind)") }
    }
}

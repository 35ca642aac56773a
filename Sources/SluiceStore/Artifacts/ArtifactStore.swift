import Foundation
package import SluiceGovernance

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Content-addressed, read-only artifact storage under `<stateDirectory>/artifacts`.
///
/// Files live at `artifacts/sha256/<first 2 hex>/<hex>` (mode 0444) and directory trees at
/// `artifacts/tree/<first 2 hex>/<hex>` (directories 0555, files 0444, links kept as links). The store hashes the
/// bytes it writes while it copies them, so an entry's name is the digest of what is stored, never a digest a caller
/// claims; an entry already present under that digest is re-hashed before it is trusted, and replaced when it no
/// longer matches. Copies are written to a temporary name, synced and renamed into place, so a reader never sees a
/// half-copied artifact and concurrent ingests of the same content are safe.
package struct ArtifactStore: Sendable {
    /// `<stateDirectory>/artifacts`.
    package let root: String

    /// Opens (creating with mode 0700 if needed) the artifact store of a state directory.
    /// - Throws: `StoreError.stateDirectoryUnusable` when the directories cannot be created or written.
    package init(stateDirectory: String) throws(StoreError) {
        try StateDirectory.prepare(stateDirectory)
        root = StateLayout.entry("artifacts", in: stateDirectory)
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

    /// What was stored: the digest of the bytes written and where they are.
    package struct Stored: Sendable, Equatable {
        /// The SHA-256 of the file, or the tree's ``DirectoryHashBuilder`` digest.
        package var digest: Digest
        /// The stored file or directory.
        package var path: String
    }

    /// Copies the regular file open at `descriptor` into the store, hashing while it copies.
    ///
    /// The descriptor is read from its current offset to its end; `displayPath` names it in messages.
    /// - Throws: `.artifactSourceUnusable` when it is not a regular file or cannot be read, `.artifactWriteFailed`.
    package func ingest(fileDescriptor descriptor: Int32, displayPath: String) throws(StoreError) -> Stored {
        let temporary = try temporaryPath()
        do throws(StoreError) {
            let digest = try ArtifactCopier.copyFile(descriptor: descriptor, displayPath: displayPath, to: temporary)
            let destination = path(forFile: digest.hex)
            try place(temporary, at: destination, isCurrent: { Self.fileDigest(at: destination) == digest })
            return Stored(digest: digest, path: destination)
        } catch {
            ArtifactCopier.removeTree(temporary)
            throw error
        }
    }

    /// Copies the directory tree open at `descriptor` into the store, hashing while it copies; links inside are
    /// stored as links (never followed), special files are refused.
    /// - Throws: `.artifactSourceUnusable`, `.artifactWriteFailed`.
    package func ingest(directoryDescriptor descriptor: Int32, displayPath: String) throws(StoreError) -> Stored {
        let temporary = try temporaryPath()
        do throws(StoreError) {
            guard mkdir(temporary, 0o700) == 0 else {
                throw .artifactWriteFailed(path: temporary, reason: StateDirectory.errnoText())
            }
            let digest = try ArtifactCopier.copyTree(descriptor: descriptor, displayPath: displayPath, to: temporary)
            guard chmod(temporary, 0o555) == 0 else {
                throw .artifactWriteFailed(path: temporary, reason: StateDirectory.errnoText())
            }
            let destination = path(forDirectory: digest.hex)
            try place(temporary, at: destination, isCurrent: { Self.treeDigest(at: destination) == digest })
            return Stored(digest: digest, path: destination)
        } catch {
            ArtifactCopier.removeTree(temporary)
            throw error
        }
    }

    /// Copies the regular file at `source` (not a link) into the store and checks it hashes to `hex`.
    ///
    /// - Returns: the stored path.
    /// - Throws: `StoreError.artifactDigestInvalid`, `.artifactSymlinkRefused` when `source` is a symbolic link,
    ///   `.artifactSourceUnusable`, `.artifactDigestMismatch` when the bytes copied hash to another digest (the
    ///   copy is stored under its own digest all the same), `.artifactWriteFailed`.
    @discardableResult
    package func put(fileAt source: String, digest hex: String) throws(StoreError) -> String {
        try Self.requireDigest(hex)
        try Self.requireSource(source, type: S_IFREG, named: "a regular file")
        let descriptor = try Self.openSource(source, flags: O_RDONLY | O_NONBLOCK)
        defer { close(descriptor) }
        let stored = try ingest(fileDescriptor: descriptor, displayPath: source)
        guard stored.digest.hex == hex else {
            throw .artifactDigestMismatch(path: source, expected: hex, actual: stored.digest.hex)
        }
        return stored.path
    }

    /// Copies the directory tree at `source` (not a link) into the store and checks it hashes to `hex`.
    ///
    /// - Returns: the stored path.
    /// - Throws: as ``put(fileAt:digest:)``.
    @discardableResult
    package func put(directoryAt source: String, digest hex: String) throws(StoreError) -> String {
        try Self.requireDigest(hex)
        try Self.requireSource(source, type: S_IFDIR, named: "a directory")
        let descriptor = try Self.openSource(source, flags: O_RDONLY | O_DIRECTORY)
        defer { close(descriptor) }
        let stored = try ingest(directoryDescriptor: descriptor, displayPath: source)
        guard stored.digest.hex == hex else {
            throw .artifactDigestMismatch(path: source, expected: hex, actual: stored.digest.hex)
        }
        return stored.path
    }

    /// Renames the finished copy `temporary` to `destination`; an entry already there is kept when `isCurrent`
    /// (re-hashing it) says it still matches, and replaced otherwise.
    private func place(_ temporary: String, at destination: String, isCurrent: () -> Bool) throws(StoreError) {
        try makeShard((destination as NSString).deletingLastPathComponent)
        if Self.fileType(at: destination) != nil {
            if isCurrent() {
                ArtifactCopier.removeTree(temporary)
                return
            }
            // Corrupt (edited, truncated, or of the wrong type): move it aside and put the verified copy in place.
            let aside = root + "/incoming/.corrupt-" + UUID().uuidString
            guard Foundation.rename(destination, aside) == 0 else {
                throw .artifactWriteFailed(path: destination, reason: StateDirectory.errnoText())
            }
            ArtifactCopier.removeTree(aside)
        }
        if Foundation.rename(temporary, destination) != 0 {
            let code = errno
            // A concurrent ingest of the same content won the race: keep its entry when it verifies.
            guard code == EEXIST || code == ENOTEMPTY, isCurrent() else {
                throw .artifactWriteFailed(path: destination, reason: StateDirectory.errnoText(code))
            }
            ArtifactCopier.removeTree(temporary)
        }
    }

    /// A fresh name in `artifacts/incoming`, on the store's filesystem so a rename can move it into place.
    private func temporaryPath() throws(StoreError) -> String {
        let incoming = root + "/incoming"
        try StateDirectory.makePrivateDirectory(incoming) { reason in
            .artifactWriteFailed(path: incoming, reason: reason)
        }
        return incoming + "/.tmp-" + UUID().uuidString
    }

    private static func fileDigest(at path: String) -> Digest? {
        guard fileType(at: path) == S_IFREG else { return nil }
        return try? Digest.sha256(fileAt: path)
    }

    private static func treeDigest(at path: String) -> Digest? {
        guard fileType(at: path) == S_IFDIR else { return nil }
        return try? Digest.directoryHash(at: path)
    }

    /// Opens `source` for copying without following a final link.
    private static func openSource(_ source: String, flags: Int32) throws(StoreError) -> Int32 {
        let descriptor = open(source, flags | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            if code == ELOOP { throw .artifactSymlinkRefused(path: source) }
            if code == ENOTDIR, fileType(at: source) == S_IFLNK { throw .artifactSymlinkRefused(path: source) }
            if code == ENOTDIR { throw .artifactSourceUnusable(path: source, reason: "it is not a directory") }
            throw .artifactSourceUnusable(path: source, reason: StateDirectory.errnoText(code))
        }
        return descriptor
    }

    // MARK: - Plumbing

    private func makeShard(_ shard: String) throws(StoreError) {
        try StateDirectory.makePrivateDirectory(shard) { reason in .artifactWriteFailed(path: shard, reason: reason) }
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

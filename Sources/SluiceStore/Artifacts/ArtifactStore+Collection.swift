import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension ArtifactStore {
    /// One stored artifact: a file (`sha256/`) or a directory tree (`tree/`) and the bytes it takes.
    package struct StoredArtifact: Sendable, Equatable {
        package var hex: String
        package var isDirectory: Bool
        package var path: String
        package var bytes: Int64
    }

    /// Every artifact in the store; entries whose name is not a digest (copies in progress) are left out.
    package func storedArtifacts() -> [StoredArtifact] {
        var found: [StoredArtifact] = []
        let manager = FileManager.default
        for (kind, isDirectory) in [("sha256", false), ("tree", true)] {
            let base = root + "/" + kind
            for prefix in (try? manager.contentsOfDirectory(atPath: base)) ?? [] where prefix.count == 2 {
                for name in (try? manager.contentsOfDirectory(atPath: base + "/" + prefix)) ?? []
                where Self.isDigest(name) && name.hasPrefix(prefix) {
                    let path = base + "/" + prefix + "/" + name
                    found.append(
                        StoredArtifact(
                            hex: name, isDirectory: isDirectory, path: path, bytes: Self.size(of: path)))
                }
            }
        }
        return found
    }

    /// Removes a stored artifact (making its read-only tree writable first).
    ///
    /// - Throws: `StoreError.artifactWriteFailed` when it cannot be removed.
    package func remove(_ artifact: StoredArtifact) throws(StoreError) {
        do {
            try Self.removeTree(artifact.path)
        } catch {
            throw .artifactWriteFailed(path: artifact.path, reason: error.localizedDescription)
        }
    }

    /// Removes a file or a directory tree whose directories may be read-only (stored trees are 0555).
    package static func removeTree(_ path: String) throws {
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        if status.st_mode & S_IFMT == S_IFDIR {
            chmod(path, 0o700)
            for name in try FileManager.default.contentsOfDirectory(atPath: path) {
                try removeTree(path + "/" + name)
            }
        }
        try FileManager.default.removeItem(atPath: path)
    }

    /// Bytes of a file, or of every file under a directory (symbolic links are not followed).
    static func size(of path: String) -> Int64 {
        var status = stat()
        guard lstat(path, &status) == 0 else { return 0 }
        guard status.st_mode & S_IFMT == S_IFDIR else { return Int64(status.st_size) }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.reduce(0) { $0 + size(of: path + "/" + $1) }
    }
}

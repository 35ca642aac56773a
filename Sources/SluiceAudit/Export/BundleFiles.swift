package import Foundation
import SluiceEngine
import SluiceGovernance

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// File plumbing of a bundle tree: writing, copying without following links, listing, hashing, removing.
package struct BundleFiles {
    /// One regular file of the bundle, as the manifest lists it.
    package struct Entry: Equatable {
        package var path: String
        package var sha256: String
        package var size: Int64
    }

    /// The bundle directory.
    package let root: String

    package init(root: String) { self.root = root }

    /// Writes `data` to `relative` (mode 0644), creating parent directories.
    package func write(_ relative: String, _ data: Data) throws(ExportError) {
        let full = root + "/" + relative
        do {
            try FileManager.default.createDirectory(
                atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try data.write(to: URL(fileURLWithPath: full))
            _ = chmod(full, 0o644)
        } catch {
            throw .bundleWriteFailed(path: full, reason: error.localizedDescription)
        }
    }

    /// Copies a regular file or a directory tree into the bundle. Inside a tree, symbolic links are copied as links
    /// (a stored artifact keeps the producer's links; its `dirHash` covers them); anywhere else, and special files
    /// everywhere, are refused. Links are never followed.
    package func copy(from source: String, to relative: String, isDirectory: Bool, insideTree: Bool = false)
        throws(ExportError)
    {
        var info = stat()
        guard lstat(source, &info) == 0 else {
            throw .bundleWriteFailed(path: source, reason: "it does not exist or cannot be read")
        }
        let type = info.st_mode & S_IFMT
        if isDirectory {
            guard type == S_IFDIR else { throw .bundleWriteFailed(path: source, reason: "it is not a directory") }
            let full = root + "/" + relative
            do {
                try FileManager.default.createDirectory(atPath: full, withIntermediateDirectories: true)
            } catch {
                throw .bundleWriteFailed(path: full, reason: error.localizedDescription)
            }
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: source).sorted()
            } catch {
                throw .bundleWriteFailed(path: source, reason: error.localizedDescription)
            }
            for name in names {
                var child = stat()
                let path = source + "/" + name
                guard lstat(path, &child) == 0 else {
                    throw .bundleWriteFailed(path: path, reason: "it cannot be read")
                }
                try copy(
                    from: path, to: relative + "/" + name, isDirectory: child.st_mode & S_IFMT == S_IFDIR,
                    insideTree: true)
            }
        } else if type == S_IFLNK && insideTree {
            try copyLink(from: source, to: relative)
        } else {
            guard type == S_IFREG else {
                throw .bundleWriteFailed(path: source, reason: "it is not a regular file (links are never followed)")
            }
            guard let data = FileManager.default.contents(atPath: source) else {
                throw .bundleWriteFailed(path: source, reason: "it cannot be read")
            }
            try write(relative, data)
        }
    }

    /// Recreates the link at `source` at `relative`, with the same target text.
    private func copyLink(from source: String, to relative: String) throws(ExportError) {
        var bytes = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(source, &bytes, bytes.count - 1)
        guard count >= 0 else { throw .bundleWriteFailed(path: source, reason: "its link cannot be read") }
        bytes[count] = 0
        let full = root + "/" + relative
        guard symlink(bytes, full) == 0 else {
            throw .bundleWriteFailed(path: full, reason: String(cString: strerror(errno)))
        }
    }

    /// Whether `relative` lies inside a stored directory artifact (`artifacts/tree/<hex>/…`), where links are part
    /// of the content and covered by the tree's `dirHash`.
    static func isInsideTree(_ relative: String) -> Bool {
        let prefix = BundleLayout.treeArtifacts + "/"
        guard relative.hasPrefix(prefix) else { return false }
        return relative.dropFirst(prefix.count).contains("/")
    }

    /// Every regular file below the root except the manifest, sorted by path bytes, with its SHA-256 and size.
    ///
    /// - Throws: `ExportError.bundleUnreadable` when a file cannot be hashed or is a link or special file.
    package func manifestEntries() throws(ExportError) -> [Entry] {
        var entries: [Entry] = []
        for relative in try relativePaths() where relative != BundleLayout.manifest {
            let full = root + "/" + relative
            do {
                let digest = try Digest.sha256(fileAt: full)
                let size = (try? FileManager.default.attributesOfItem(atPath: full)[.size] as? Int64) ?? 0
                entries.append(Entry(path: relative, sha256: digest.hex, size: size))
            } catch {
                throw .bundleUnreadable(path: root, reason: error.description)
            }
        }
        return entries
    }

    /// Relative paths of every regular file below the root, sorted by their UTF-8 bytes. Links inside a directory
    /// artifact are passed over (the tree's `dirHash`, checked against its signed subject, covers them).
    ///
    /// - Throws: `ExportError.bundleUnreadable` naming any other symbolic link or special file (never followed).
    func relativePaths() throws(ExportError) -> [String] {
        var out: [String] = []
        try collect("", into: &out)
        return out.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    private func collect(_ relative: String, into out: inout [String]) throws(ExportError) {
        let directory = relative.isEmpty ? root : root + "/" + relative
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw .bundleUnreadable(path: root, reason: "cannot list '\(directory)': \(error.localizedDescription)")
        }
        for name in names {
            let child = relative.isEmpty ? name : relative + "/" + name
            var info = stat()
            guard lstat(root + "/" + child, &info) == 0 else {
                throw .bundleUnreadable(path: root, reason: "cannot read '\(child)'")
            }
            switch info.st_mode & S_IFMT {
            case S_IFDIR: try collect(child, into: &out)
            case S_IFREG: out.append(child)
            case S_IFLNK where Self.isInsideTree(child): continue
            default: throw .bundleUnreadable(path: root, reason: "'\(child)' is a link or special file")
            }
        }
    }

    /// Removes a tree, first making its directories writable (artifact copies may be read-only).
    static func removeTree(_ path: String) {
        if let enumerator = FileManager.default.enumerator(atPath: path) {
            for case let relative as String in enumerator {
                var info = stat()
                let full = path + "/" + relative
                if lstat(full, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { _ = chmod(full, 0o755) }
            }
        }
        _ = chmod(path, 0o755)
        try? FileManager.default.removeItem(atPath: path)
    }
}

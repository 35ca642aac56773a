import Foundation
import SluiceGovernance

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// File plumbing of a bundle tree: writing, copying without following links, listing, hashing, removing.
struct BundleFiles {
    /// One regular file of the bundle, as the manifest lists it.
    struct Entry: Equatable {
        var path: String
        var sha256: String
        var size: Int64
    }

    /// The bundle directory.
    let root: String

    /// Writes `data` to `relative` (mode 0644), creating parent directories.
    func write(_ relative: String, _ data: Data) throws(ExportError) {
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

    /// Copies a regular file or a directory tree into the bundle; symbolic links and special files are refused.
    func copy(from source: String, to relative: String, isDirectory: Bool) throws(ExportError) {
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
                try copy(from: path, to: relative + "/" + name, isDirectory: child.st_mode & S_IFMT == S_IFDIR)
            }
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

    /// Every regular file below the root except the manifest, sorted by path bytes, with its SHA-256 and size.
    ///
    /// - Throws: `ExportError.bundleUnreadable` when a file cannot be hashed or is a link or special file.
    func manifestEntries() throws(ExportError) -> [Entry] {
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

    /// Relative paths of every regular file below the root, sorted by their UTF-8 bytes.
    ///
    /// - Throws: `ExportError.bundleUnreadable` naming a symbolic link or special file (never followed).
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

/// Builds the digest of a directory tree from its entries, in whatever order they are met.
///
/// The layout is Go's `dirhash` "h1" (without its base64 and prefix): SHA-256 over one line per entry, sorted by the
/// UTF-8 bytes of the entry's relative path (`/` separators):
/// - a regular file: `"<sha256 hex of its bytes>  <relative path>\n"`, exactly as `dirhash` and in-toto's `dirHash`;
/// - a symbolic link (kept as a link, never followed): `"symlink <sha256 hex of its target>  <relative path>\n"`.
///   The line cannot be mistaken for a file's, whose first character is a hex digit.
///
/// Empty directories contribute nothing. A tree without links hashes as in-toto's `dirHash`.
package struct DirectoryHashBuilder: Sendable {
    private var lines: [(path: [UInt8], line: String)] = []

    /// An empty tree.
    package init() {}

    /// Adds a regular file at `relativePath` whose bytes hash to `digest`.
    package mutating func addFile(_ relativePath: String, digest: Digest) {
        lines.append((Array(relativePath.utf8), "\(digest.hex)  \(relativePath)\n"))
    }

    /// Adds a symbolic link at `relativePath` pointing at `target` (the link's text, not what it names).
    package mutating func addSymlink(_ relativePath: String, target: String) {
        lines.append((Array(relativePath.utf8), "symlink \(Digest.sha256(utf8: target).hex)  \(relativePath)\n"))
    }

    /// The tree's digest.
    package func finalize() -> Digest {
        var summary = SHA256Hasher()
        for entry in lines.sorted(by: { $0.path.lexicographicallyPrecedes($1.path) }) {
            summary.update(Array(entry.line.utf8))
        }
        return Digest(bytes: summary.finalize())
    }

    /// Whether an entry name can appear in a tree's digest lines: valid UTF-8 is checked by the caller; a newline
    /// would let one entry forge another line.
    package static func isRepresentable(_ name: String) -> Bool {
        !name.contains("\n")
    }
}

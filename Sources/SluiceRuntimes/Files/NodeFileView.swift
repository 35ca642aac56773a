import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What a node wrote, as the node sees it: in-sandbox paths resolved against the node's own directories only.
///
/// The roots are the directories a node owns in its view (private paths such as `/tmp`, its working directory,
/// `emptyDir` volumes, its inputs), each backed by a host directory. A path is resolved one component at a time
/// with `openat(…, O_NOFOLLOW)` from the descriptor of the root holding it: a symbolic link is followed only while
/// it stays inside that root (an absolute target is read in the node's view), `..` never climbs above the root,
/// and FIFOs, sockets and devices are never opened. Nothing the node names is resolved on the host, and a file
/// swapped for a link between two steps is met as a link, since every step works on descriptors.
package struct NodeFileView: Sendable {
    /// A directory of the node's view and the host directory (or file) behind it.
    package struct Root: Sendable, Equatable {
        /// Where the node sees it (normalized, absolute).
        package var sandboxPath: String
        /// Where it is on the host.
        package var hostPath: String

        package init(sandboxPath: String, hostPath: String) {
            self.sandboxPath = sandboxPath
            self.hostPath = hostPath
        }
    }

    /// An opened entry: a readable descriptor the caller closes with ``close()``.
    package struct Opened: Sendable {
        /// Whether it is a regular file or a directory.
        package enum Kind: Sendable, Equatable { case file, directory }
        package var kind: Kind
        /// Open for reading (`O_RDONLY`; a directory with `O_DIRECTORY`).
        package var descriptor: Int32
        /// Its size in bytes (files).
        package var size: Int64

        /// Closes the descriptor.
        package func close() { _ = Glibc.close(descriptor) }
    }

    /// The most symbolic links followed while resolving one path (Linux's own limit is 40).
    package static let maximumLinks = 40

    /// The roots, deepest last so the deepest root holding a path wins.
    package let roots: [Root]
    /// Whether links inside a root are followed. Without isolation the node's paths are the host's own (its `/tmp`
    /// is everyone's), so no link is followed at all.
    package let followsLinks: Bool

    /// A view of `roots` (in any order; invalid sandbox paths are dropped).
    package init(roots: [Root], followsLinks: Bool = true) {
        self.followsLinks = followsLinks
        self.roots = roots.compactMap { root in
            SandboxPath.normalized(root.sandboxPath).map { Root(sandboxPath: $0, hostPath: root.hostPath) }
        }
        .sorted { SandboxPath.depth($0.sandboxPath) < SandboxPath.depth($1.sandboxPath) }
    }

    /// The host path behind `path` as a plain mapping through the deepest root holding it, without looking at the
    /// filesystem; `nil` outside the roots. For messages and tests: reading goes through ``open(_:)``.
    package func hostPath(of path: String) -> String? {
        guard let normalized = SandboxPath.normalized(path),
            let root = roots.last(where: { SandboxPath.isWithin(normalized, $0.sandboxPath) })
        else { return nil }
        return SandboxPath.join(root.hostPath, SandboxPath.relative(normalized, to: root.sandboxPath))
    }

    /// Opens what the node left at `path`, or `nil` when nothing is there.
    ///
    /// - Throws: ``ConfinementError`` when the path is not plain and absolute, lies outside the node's roots,
    ///   meets a link leading out of its root or a loop, or names a special file.
    package func open(_ path: String) throws(ConfinementError) -> Opened? {
        guard path.hasPrefix("/"), !path.split(separator: "/").contains("..") else {
            throw .notPlainAbsolute(path: path)
        }
        guard let normalized = SandboxPath.normalized(path),
            let root = roots.last(where: { SandboxPath.isWithin(normalized, $0.sandboxPath) })
        else { throw .outsideNodeFiles(path: path) }
        var walk = ConfinedWalk(path: path, root: root, followsLinks: followsLinks)
        defer { walk.closeAll() }
        return try walk.resolve(SandboxPath.relative(normalized, to: root.sandboxPath))
    }

    /// What kind of entry is at `path`, for choosing between candidate paths; an entry that cannot be opened
    /// safely counts as present, so reading it reports why.
    package enum EntryKind: Sendable, Equatable { case missing, file, emptyDirectory, nonEmptyDirectory }

    /// What kind of entry is at `path` (see ``EntryKind``).
    package func entryKind(_ path: String) -> EntryKind {
        let opened: Opened?
        do {
            opened = try open(path)
        } catch {
            return .file
        }
        guard let opened else { return .missing }
        defer { opened.close() }
        guard opened.kind == .directory else { return .file }
        let copy = dup(opened.descriptor)
        guard copy >= 0, let handle = fdopendir(copy) else { return .nonEmptyDirectory }
        defer { closedir(handle) }
        while let entry = readdir(handle) {
            let isDot = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                (bytes[0] == 0x2E && bytes[1] == 0) || (bytes[0] == 0x2E && bytes[1] == 0x2E && bytes[2] == 0)
            }
            if !isDot { return .nonEmptyDirectory }
        }
        return .emptyDirectory
    }

    /// Reads the regular file at `path`: its last `limit` bytes and whether anything before them was left out;
    /// `nil` when nothing is there.
    /// - Throws: ``ConfinementError``, also `.unsupportedType` when `path` is a directory.
    package func readTail(_ path: String, limit: Int) throws(ConfinementError) -> (bytes: [UInt8], truncated: Bool)? {
        guard let opened = try open(path) else { return nil }
        defer { opened.close() }
        guard opened.kind == .file else { throw .unsupportedType(path: path, type: "directory") }
        return try Self.readTail(descriptor: opened.descriptor, size: opened.size, limit: limit, path: path)
    }

    /// The last `limit` bytes of the file open at `descriptor`, read with `pread` (the offset is not moved).
    package static func readTail(descriptor: Int32, size: Int64, limit: Int, path: String)
        throws(ConfinementError) -> (bytes: [UInt8], truncated: Bool)
    {
        let start = max(0, size - Int64(limit))
        var bytes = [UInt8](repeating: 0, count: Int(size - start))
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes { buffer in
                guard let base = buffer.baseAddress else { return 0 }
                return pread(descriptor, base + filled, buffer.count - filled, off_t(start) + off_t(filled))
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path: path, reason: String(cString: strerror(errno)))
            }
            if count == 0 { break }
            filled += count
        }
        bytes.removeSubrange(filled...)
        return (bytes, start > 0)
    }
}

/// One resolution: the stack of directory descriptors from the root down, and the links followed so far.
private struct ConfinedWalk {
    /// `O_PATH` (not exported by Swift's Glibc module): a descriptor naming a file without opening it.
    static let openPathOnly = O_PATH_FLAG

    let path: String
    let root: NodeFileView.Root
    let followsLinks: Bool
    var stack: [Int32] = []
    var links = 0

    init(path: String, root: NodeFileView.Root, followsLinks: Bool) {
        self.path = path
        self.root = root
        self.followsLinks = followsLinks
    }

    mutating func closeAll() {
        for descriptor in stack { _ = close(descriptor) }
        stack.removeAll()
    }

    /// Resolves `relative` below the root; see ``NodeFileView/open(_:)``.
    mutating func resolve(_ relative: String) throws(ConfinementError) -> NodeFileView.Opened? {
        let rootDescriptor = Glibc.open(root.hostPath, Self.openPathOnly | O_NOFOLLOW | O_CLOEXEC)
        guard rootDescriptor >= 0 else {
            if errno == ENOENT { return nil }
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        stack = [rootDescriptor]
        var rootInfo = stat()
        guard fstat(rootDescriptor, &rootInfo) == 0 else {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        switch rootInfo.st_mode & S_IFMT {
        case S_IFDIR: break
        case S_IFREG where relative.isEmpty:
            stack.removeAll()
            return try reopen(rootDescriptor, kind: .file, size: Int64(rootInfo.st_size))
        case S_IFREG: throw .notADirectory(path: path, component: root.sandboxPath)
        case S_IFLNK: throw .linkLeavesNodeFiles(path: path, link: root.sandboxPath, target: "?")
        default: throw .unsupportedType(path: path, type: Self.typeName(rootInfo.st_mode))
        }
        var pending = relative.split(separator: "/").map(String.init)
        var walked: [String] = []
        var lastLink = (link: root.sandboxPath, target: "")
        while !pending.isEmpty {
            let name = pending.removeFirst()
            if name.isEmpty || name == "." { continue }
            if name == ".." {
                // Only a link's target can hold `..` (declared paths are refused with one).
                guard stack.count > 1 else {
                    throw .linkLeavesNodeFiles(path: path, link: lastLink.link, target: lastLink.target)
                }
                _ = close(stack.removeLast())
                walked.removeLast()
                continue
            }
            let parent = stack[stack.count - 1]
            let descriptor = openat(parent, name, Self.openPathOnly | O_NOFOLLOW | O_CLOEXEC)
            guard descriptor >= 0 else {
                let code = errno
                if code == ENOENT { return nil }
                if code == ENOTDIR { throw .notADirectory(path: path, component: display(walked)) }
                throw .unreadable(path: path, reason: String(cString: strerror(code)))
            }
            var info = stat()
            guard fstat(descriptor, &info) == 0 else {
                _ = close(descriptor)
                throw .unreadable(path: path, reason: String(cString: strerror(errno)))
            }
            switch info.st_mode & S_IFMT {
            case S_IFLNK:
                let target = try linkTarget(name, in: parent)
                _ = close(descriptor)
                links += 1
                guard links <= NodeFileView.maximumLinks else { throw .tooManyLinks(path: path) }
                let link = display(walked + [name])
                guard followsLinks else { throw .linkNotFollowed(path: path, link: link, target: target) }
                lastLink = (link, target)
                if target.hasPrefix("/") {
                    // An absolute target is a path in the node's view: it must lie inside this same root.
                    let components = target.split(separator: "/").map(String.init).filter { !$0.isEmpty && $0 != "." }
                    let rootComponents = root.sandboxPath.split(separator: "/").map(String.init)
                    guard components.count >= rootComponents.count,
                        Array(components.prefix(rootComponents.count)) == rootComponents
                    else { throw .linkLeavesNodeFiles(path: path, link: link, target: target) }
                    for descriptor in stack.dropFirst() { _ = close(descriptor) }
                    stack.removeSubrange(1...)
                    walked = []
                    pending = Array(components.dropFirst(rootComponents.count)) + pending
                } else {
                    pending = target.split(separator: "/").map(String.init) + pending
                }
            case S_IFDIR:
                stack.append(descriptor)
                walked.append(name)
            case S_IFREG:
                guard pending.allSatisfy({ $0.isEmpty || $0 == "." }) else {
                    _ = close(descriptor)
                    throw .notADirectory(path: path, component: display(walked + [name]))
                }
                return try reopen(descriptor, kind: .file, size: Int64(info.st_size))
            default:
                _ = close(descriptor)
                throw .unsupportedType(path: path, type: Self.typeName(info.st_mode))
            }
        }
        let last = stack.removeLast()
        return try reopen(last, kind: .directory, size: 0)
    }

    /// Opens the file an `O_PATH` descriptor names for reading, through `/proc/self/fd` (the same inode, so
    /// nothing can be swapped in between), and closes the `O_PATH` descriptor.
    private func reopen(_ descriptor: Int32, kind: NodeFileView.Opened.Kind, size: Int64)
        throws(ConfinementError) -> NodeFileView.Opened
    {
        defer { _ = close(descriptor) }
        let flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | (kind == .directory ? O_DIRECTORY : 0)
        let readable = Glibc.open("/proc/self/fd/\(descriptor)", flags)
        guard readable >= 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        return NodeFileView.Opened(kind: kind, descriptor: readable, size: size)
    }

    private func linkTarget(_ name: String, in directory: Int32) throws(ConfinementError) -> String {
        var bytes = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlinkat(directory, name, &bytes, bytes.count - 1)
        guard count >= 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        return String(decoding: bytes[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The sandbox path of the components walked so far.
    private func display(_ components: [String]) -> String {
        SandboxPath.join(root.sandboxPath, components.joined(separator: "/"))
    }

    static func typeName(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: "FIFO"
        case S_IFSOCK: "socket"
        case S_IFCHR: "character device"
        case S_IFBLK: "block device"
        default: "special file"
        }
    }
}

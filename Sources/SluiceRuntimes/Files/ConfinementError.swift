/// Why the engine refused to read a path a node (or its template) named.
package enum ConfinementError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The path is relative or has a `..` segment; declared paths are absolute and plain.
    case notPlainAbsolute(path: String)
    /// The path is not inside any of the node's own directories (its private paths, working directory, volumes
    /// and inputs), so reading it would read the host.
    case outsideNodeFiles(path: String)
    /// A symbolic link on the way leads out of the node directory holding the path.
    case linkLeavesNodeFiles(path: String, link: String, target: String)
    /// A symbolic link met where links are not followed (a node without isolation).
    case linkNotFollowed(path: String, link: String, target: String)
    /// More than ``NodeFileView/maximumLinks`` symbolic links, or a loop.
    case tooManyLinks(path: String)
    /// A component on the way is a file, not a directory.
    case notADirectory(path: String, component: String)
    /// The entry is a FIFO, socket or device: only regular files and directories are collected.
    case unsupportedType(path: String, type: String)
    /// The operating system refused (permissions, descriptors exhausted...).
    case unreadable(path: String, reason: String)

    /// One line naming the path and the reason.
    package var description: String {
        switch self {
        case .notPlainAbsolute(let path):
            "path '\(path)' must be absolute without '..' segments"
        case .outsideNodeFiles(let path):
            "path '\(path)' is outside the node's own directories (outputs are read only from the node's private "
                + "paths, working directory, volumes and inputs)"
        case .linkLeavesNodeFiles(let path, let link, let target):
            "path '\(path)': the symbolic link '\(link)' -> '\(target)' leads outside the node's directory; links "
                + "are followed only inside it"
        case .linkNotFollowed(let path, let link, let target):
            "path '\(path)': '\(link)' is a symbolic link (-> '\(target)'); without isolation the node's paths are "
                + "the host's own, and links are not followed"
        case .tooManyLinks(let path):
            "path '\(path)': too many symbolic links (a loop?)"
        case .notADirectory(let path, let component):
            "path '\(path)': '\(component)' is not a directory"
        case .unsupportedType(let path, let type):
            "path '\(path)' is a \(type); only regular files and directories are collected"
        case .unreadable(let path, let reason):
            "path '\(path)' cannot be read: \(reason)"
        }
    }
}

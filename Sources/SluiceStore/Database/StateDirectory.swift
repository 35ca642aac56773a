import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// File-system chores of a state directory: private directories and files, and the initialization lock.
enum StateDirectory {
    /// Ensures `path` is a usable directory, creating it (and missing parents) with mode 0700 when absent.
    ///
    /// An existing directory keeps its mode; it must be writable and searchable by this process.
    static func prepare(_ path: String) throws(StoreError) {
        guard !path.isEmpty else {
            throw .stateDirectoryUnusable(path: path, reason: "the path is empty")
        }
        try makePrivateDirectory(path) { reason in .stateDirectoryUnusable(path: path, reason: reason) }
        guard access(path, W_OK | X_OK) == 0 else {
            throw .stateDirectoryUnusable(path: path, reason: "it is not writable (\(errnoText()))")
        }
    }

    /// Creates a directory with mode 0700 (umask-independent) unless a directory is already there.
    static func makePrivateDirectory(
        _ path: String,
        failure: (String) -> StoreError
    ) throws(StoreError) {
        var info = stat()
        if lstat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw failure(info.st_mode & S_IFMT == S_IFLNK ? "it is a symbolic link" : "it is not a directory")
            }
            return
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != path, lstat(parent, &info) != 0 {
            try makePrivateDirectory(parent, failure: failure)
        }
        if mkdir(path, 0o700) != 0 {
            let code = errno
            // Another process may have created it in the meantime; that is fine if it is a directory.
            if code == EEXIST, lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { return }
            throw failure("cannot create directory '\(path)' (\(errnoText(code)))")
        }
        guard chmod(path, 0o700) == 0 else {
            throw failure("cannot set mode 0700 on '\(path)' (\(errnoText()))")
        }
    }

    /// Creates an empty file with mode 0600 (umask-independent) if nothing exists at `path`.
    ///
    /// SQLite creates the `-wal` and `-shm` files with the mode of the database file, so they are private too.
    static func createPrivateFileIfMissing(_ path: String, failure: (String) -> StoreError) throws(StoreError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        if descriptor < 0 {
            if errno == EEXIST { return }
            throw failure("cannot create '\(path)' (\(errnoText()))")
        }
        defer { close(descriptor) }
        guard fchmod(descriptor, 0o600) == 0 else {
            throw failure("cannot set mode 0600 on '\(path)' (\(errnoText()))")
        }
    }

    /// Holds an exclusive `flock` on `<directory>/sluice.lock` while `body` runs (across processes and instances).
    ///
    /// Used only around opening and migrating the database, so that two processes never migrate at once.
    static func withInitializationLock<T>(
        in directory: String,
        _ body: () throws(StoreError) -> T
    ) throws(StoreError) -> T {
        let path = directory + "/sluice.lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else {
            throw .stateDirectoryUnusable(path: directory, reason: "cannot open lock file '\(path)' (\(errnoText()))")
        }
        defer { close(descriptor) }
        _ = fchmod(descriptor, 0o600)
        while flock(descriptor, LOCK_EX) != 0 {
            let code = errno
            guard code == EINTR else {
                throw .stateDirectoryUnusable(path: directory, reason: "cannot lock '\(path)' (\(errnoText(code)))")
            }
        }
        defer { _ = flock(descriptor, LOCK_UN) }
        return try body()
    }

    /// The text of an errno value, e.g. `Permission denied`.
    static func errnoText(_ code: Int32 = errno) -> String {
        String(cString: strerror(code))
    }
}

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A connected Unix stream socket carrying newline-terminated messages (the wrapper/signer session).
///
/// Messages are bounded (``maximumLine``): a peer that sends more without a newline is cut off, so neither side can
/// be made to buffer without limit.
package final class UnixSocket: @unchecked Sendable {
    // @unchecked: one descriptor, used by one task at a time (the session is strictly request/response).
    private let descriptor: Int32
    private var buffer: [UInt8] = []

    /// The longest message accepted: 16 MiB (a node's inputs and outputs, with digests, fit many times over).
    package static let maximumLine = 16 << 20

    private init(descriptor: Int32) { self.descriptor = descriptor }

    deinit { close(descriptor) }

    /// Connects to the socket at `path`, retrying until `timeout` (the signer may start after the main container).
    ///
    /// - Throws: ``KubeError/session(reason:)`` when no connection succeeds in time.
    package static func connect(path: String, timeout: Duration) throws(KubeError) -> UnixSocket {
        let deadline = ContinuousClock.now + timeout
        var lastError = "no socket"
        repeat {
            let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard descriptor >= 0 else { throw .session(reason: "socket(): \(String(cString: strerror(errno)))") }
            let result = withAddress(path) { address, length in Glibc.connect(descriptor, address, length) }
            if result == 0 { return UnixSocket(descriptor: descriptor) }
            lastError = String(cString: strerror(errno))
            close(descriptor)
            usleep(50_000)
        } while ContinuousClock.now < deadline
        throw .session(reason: "cannot connect to the signer at '\(path)': \(lastError)")
    }

    /// Listens at `path` (mode 0600, any stale socket removed) and accepts exactly one connection; the listening
    /// socket is closed and its path removed before this returns, so no second session can be opened.
    ///
    /// - Throws: ``KubeError/session(reason:)``.
    package static func acceptOne(path: String) throws(KubeError) -> UnixSocket {
        unlink(path)
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard listener >= 0 else { throw .session(reason: "socket(): \(String(cString: strerror(errno)))") }
        defer {
            close(listener)
            unlink(path)
        }
        let previous = umask(0o177)
        let bound = withAddress(path) { address, length in bind(listener, address, length) }
        umask(previous)
        guard bound == 0 else {
            throw .session(reason: "cannot listen at '\(path)': \(String(cString: strerror(errno)))")
        }
        guard listen(listener, 1) == 0 else {
            throw .session(reason: "listen(): \(String(cString: strerror(errno)))")
        }
        var connection: Int32
        repeat {
            connection = accept(listener, nil, nil)
        } while connection < 0 && errno == EINTR
        guard connection >= 0 else { throw .session(reason: "accept(): \(String(cString: strerror(errno)))") }
        _ = fcntl(connection, F_SETFD, FD_CLOEXEC)
        return UnixSocket(descriptor: connection)
    }

    /// Sends one message (a newline is appended).
    package func send(_ message: [UInt8]) throws(KubeError) {
        var bytes = (message + [0x0A])[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw .session(reason: "the peer closed the session") }
            bytes = bytes.dropFirst(written)
        }
    }

    /// Receives one message (without its newline); nil when the peer closed the session.
    package func receive() throws(KubeError) -> [UInt8]? {
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = Array(buffer[..<newline])
                buffer.removeFirst(newline + 1)
                return line
            }
            guard buffer.count <= Self.maximumLine else {
                throw .session(reason: "a message is longer than \(Self.maximumLine) bytes")
            }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return nil }
            buffer += chunk[..<count]
        }
    }

    private static func withAddress<T>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8.prefix(MemoryLayout.size(ofValue: address.sun_path) - 1))
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                body($0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
    }
}

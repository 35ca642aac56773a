import Foundation
import Subprocess
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// One readiness check of a running node, as Kubernetes' probe handlers do it (`httpGet`, `tcpSocket`, `exec`).
package enum ReadinessCheck: Sendable, Equatable {
    /// A GET of `path` on `host:port` that answers with a status from 200 to 399.
    case http(host: String, port: Int, path: String)
    /// A TCP connection to `host:port` that is accepted.
    case tcp(host: String, port: Int)
    /// A command (already wrapped for the runtime, e.g. `podman exec NAME …`) that exits 0.
    case exec(argv: [String])

    /// Whether the check passes now; each attempt gives up after `timeout`.
    package func passes(timeout: Duration) async -> Bool {
        switch self {
        case .http(let host, let port, let path):
            return Self.httpStatus(host: host, port: port, path: path, timeout: timeout).map {
                (200..<400).contains($0)
            }
                ?? false
        case .tcp(let host, let port):
            guard let socket = Self.connect(host: host, port: port, timeout: timeout) else { return false }
            close(socket)
            return true
        case .exec(let argv):
            guard let executable = argv.first else { return false }
            let path = executable.contains("/") ? executable : (Self.search(executable) ?? executable)
            let result = try? await Subprocess.run(
                .path(FilePath(path)), arguments: Arguments(Array(argv.dropFirst())), input: .none,
                output: .discarded, error: .discarded)
            if case .exited(0) = result?.terminationStatus { return true }
            return false
        }
    }

    /// The host's PATH lookup of `name`, or nil.
    private static func search(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    /// Sends `GET path HTTP/1.0` and returns the status code of the answer, or nil.
    private static func httpStatus(host: String, port: Int, path: String, timeout: Duration) -> Int? {
        guard let socket = connect(host: host, port: port, timeout: timeout) else { return nil }
        defer { close(socket) }
        let request =
            "GET \(path.hasPrefix("/") ? path : "/" + path) HTTP/1.0\r\nHost: \(host)\r\nUser-Agent: sluice-probe\r\n\r\n"
        let sent = request.utf8CString.withUnsafeBufferPointer { buffer in
            send(socket, buffer.baseAddress, buffer.count - 1, Int32(MSG_NOSIGNAL))
        }
        guard sent > 0 else { return nil }
        var answer = [UInt8](repeating: 0, count: 64)
        let received = recv(socket, &answer, answer.count, 0)
        guard received > 12 else { return nil }
        // "HTTP/1.1 200 OK": the status is the second word.
        let line = String(decoding: answer[0..<received], as: UTF8.self)
        let words = line.split(separator: " ", maxSplits: 2)
        guard words.count >= 2 else { return nil }
        return Int(words[1])
    }

    /// A connected TCP socket to `host:port`, or nil; sends and receives give up after `timeout`.
    private static func connect(host: String, port: Int, timeout: Duration) -> Int32? {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else { return nil }
        defer { freeaddrinfo(list) }
        var seconds = timeout.components.seconds
        if seconds < 1 { seconds = 1 }
        var limit = timeval(tv_sec: Int(seconds), tv_usec: 0)
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            let socket = Glibc.socket(
                current.pointee.ai_family, current.pointee.ai_socktype, current.pointee.ai_protocol)
            if socket >= 0 {
                setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
                setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
                if Glibc.connect(socket, current.pointee.ai_addr, current.pointee.ai_addrlen) == 0 { return socket }
                close(socket)
            }
            entry = current.pointee.ai_next
        }
        return nil
    }
}

extension NodeRuntime {
    /// On the host by default: a process node shares the host's filesystem view and network.
    package func probeArgv(_ command: [String], for invocation: NodeInvocation) -> [String] { command }
}

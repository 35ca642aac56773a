import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The pieces `sluice logs` streams node logs with: fixed-size chunks (a 2 GB log uses the memory of one chunk),
/// bytes passed through unchanged with a prefix at the start of every line, written straight to standard output.
enum LogStream {
    static let chunkSize = 256 * 1024

    /// `chunk` with `prefix` before every line start (none when `prefix` is empty); `atLineStart` carries over.
    static func prefixed(_ chunk: ArraySlice<UInt8>, prefix: [UInt8], atLineStart: inout Bool) -> [UInt8] {
        guard let last = chunk.last else { return [] }
        defer { atLineStart = last == UInt8(ascii: "\n") }
        guard !prefix.isEmpty else { return Array(chunk) }
        var output: [UInt8] = []
        output.reserveCapacity(chunk.count + prefix.count * 16)
        var start = chunk.startIndex
        if atLineStart { output += prefix }
        while let newline = chunk[start...].firstIndex(of: UInt8(ascii: "\n")) {
            output += chunk[start...newline]
            start = newline + 1
            if start < chunk.endIndex { output += prefix }
        }
        output += chunk[start...]
        return output
    }

    /// Writes all of `bytes` to standard output; false when it is closed (`sluice logs | head`).
    static func write(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                Glibc.write(STDOUT_FILENO, raw.baseAddress.map { $0 + offset }, bytes.count - offset)
            }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }
}

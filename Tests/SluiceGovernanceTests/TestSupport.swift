import Foundation
import SluiceGovernance
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs `body` with a fresh private directory that is removed afterwards.
func withGovernanceScratch<Result>(_ body: (String) throws -> Result) throws -> Result {
    var base = NSTemporaryDirectory()
    while base.count > 1 && base.hasSuffix("/") { base.removeLast() }
    var template = Array((base + "/sluice-gov-XXXXXX").utf8CString)
    let path: String = try template.withUnsafeMutableBufferPointer { buffer in
        guard let base = buffer.baseAddress, let result = mkdtemp(base) else {
            throw CocoaError(.fileWriteUnknown)
        }
        return String(cString: result)
    }
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

/// Writes `text` to `path` as UTF-8.
func writeFile(_ path: String, _ text: String) throws {
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
}

/// The bytes of `hex`, for test literals.
func bytes(hex: String) -> [UInt8] {
    var out: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex {
        let next = hex.index(index, offsetBy: 2)
        out.append(UInt8(hex[index..<next], radix: 16) ?? 0)
        index = next
    }
    return out
}

/// The bytes of standard base64 text, for test literals.
func bytes(base64: String) -> [UInt8] {
    Array(Data(base64Encoded: base64) ?? Data())
}

/// The `GovernanceError` thrown by `body`, or nil when it does not throw (any other error is recorded as an issue).
func governanceError<T>(_ body: () throws -> T) -> GovernanceError? {
    do {
        _ = try body()
        return nil
    } catch let error as GovernanceError {
        return error
    } catch {
        Issue.record("expected a GovernanceError, got \(error)")
        return nil
    }
}

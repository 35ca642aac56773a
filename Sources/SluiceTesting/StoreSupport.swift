package import Foundation
import SluiceSpec
package import SluiceStore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Test helpers for SluiceStore: fresh state directories and small, valid records.
package enum StoreSupport {
    /// Creates a fresh, empty directory under the system temporary directory and returns its path.
    ///
    /// Pair with ``removeStateDirectory(_:)``; `Store(stateDirectory:)` may be pointed at the path itself or at a
    /// subdirectory that does not exist yet.
    package static func makeTemporaryDirectory(prefix: String = "sluice-store-test") throws -> String {
        let path = FileManager.default.temporaryDirectory.path + "/\(prefix)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Runs `body` with a fresh temporary directory, removing it (read-only artifact trees included) afterwards.
    package static func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
        let path = try makeTemporaryDirectory()
        defer { removeStateDirectory(path) }
        return try body(path)
    }

    /// Runs async `body` with a fresh temporary directory, removing it afterwards.
    package static func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
        let path = try makeTemporaryDirectory()
        defer { removeStateDirectory(path) }
        return try await body(path)
    }

    /// Removes a directory tree even when the artifact store made parts of it read-only.
    package static func removeStateDirectory(_ path: String) {
        if let enumerator = FileManager.default.enumerator(atPath: path) {
            for case let relative as String in enumerator {
                var info = stat()
                let full = path + "/" + relative
                if lstat(full, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { _ = chmod(full, 0o700) }
            }
        }
        _ = chmod(path, 0o700)
        try? FileManager.default.removeItem(atPath: path)
    }

    /// A fixed instant with whole milliseconds (2025-03-01T09:30:00.125Z) plus `seconds`.
    package static func instant(_ seconds: Double = 0) -> Date {
        Date(timeIntervalSince1970: 1_740_821_400.125 + seconds)
    }

    /// A valid pending run record; every field can be changed afterwards.
    package static func run(
        id: String = UUID().uuidString.lowercased(),
        name: String? = nil,
        createdAt: Date = instant()
    ) -> RunRecord {
        RunRecord(
            id: id,
            name: name ?? "wf-\(id.prefix(8))",
            sourcePath: "examples/hello.yaml",
            workflowYAML: "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\n",
            parametersJSON: #"{"message":"hello"}"#,
            workflowDigest: String(repeating: "a", count: 64),
            governanceDigest: String(repeating: "b", count: 64),
            runtime: "process",
            signerKeyID: "key-1",
            createdAt: createdAt
        )
    }

    /// A valid pending Pod node record of run `runID`.
    package static func node(runID: String, id: String, sequence: Int) -> NodeRecord {
        NodeRecord(
            runID: runID,
            id: id,
            name: "wf.\(id)",
            displayName: id,
            type: .pod,
            templateName: "main",
            phase: .pending,
            sequence: sequence
        )
    }
}

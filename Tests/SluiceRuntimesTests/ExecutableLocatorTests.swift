import Foundation
import SluiceTesting
import Testing

@testable import SluiceRuntimes

#if canImport(Glibc)
    import Glibc
#endif

/// Looking a node's program up on its `PATH`, with the lookups kept for later nodes: a kept lookup never gives a
/// node another program than its own view would find first.
@Suite("ExecutableLocator finds a node's program as execvp would, caching only what every node sees alike")
struct ExecutableLocatorTests {
    /// Host directories `first` and `second` on a `PATH`, a program `tool` in `second`, and a private directory
    /// that a node may mount over `first`.
    struct Fixture {
        let first: String
        let second: String
        let privateFirst: String
        var searchPath: String { first + ":" + second }

        init(directory: String) throws {
            first = directory + "/first"
            second = directory + "/second"
            privateFirst = directory + "/node/root/first"
            for path in [first, second, privateFirst] {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            }
            try Self.makeProgram(second + "/tool")
        }

        static func makeProgram(_ path: String) throws {
            try Data("#!/bin/sh\n".utf8).write(to: URL(fileURLWithPath: path))
            #expect(chmod(path, 0o755) == 0)
        }

        /// Looks `tool` up for a node whose view maps `mounted` (an in-sandbox directory) to `hostDirectory`.
        func locate(cache: ExecutableCache, mounting mounted: String? = nil, at hostDirectory: String? = nil)
            throws(RuntimeError) -> String
        {
            try ExecutableLocator.locate(
                "tool", searchPath: searchPath, workingDirectory: "/", node: "n",
                hostPath: { path in
                    guard let mounted, let hostDirectory, path.hasPrefix(mounted + "/") else { return path }
                    return hostDirectory + path.dropFirst(mounted.count)
                }, cache: cache)
        }
    }

    @Test("a lookup through the host is kept and gives the same program to the next node")
    func keptLookup() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let fixture = try Fixture(directory: directory)
            let cache = ExecutableCache()
            #expect(try fixture.locate(cache: cache) == fixture.second + "/tool")
            #expect(cache.count == 1)
            #expect(try fixture.locate(cache: cache) == fixture.second + "/tool")
        }
    }

    @Test("a node whose own mount holds the program in an earlier PATH entry gets its own, not the kept one")
    func privateMountShadowsKeptLookup() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let fixture = try Fixture(directory: directory)
            let cache = ExecutableCache()
            _ = try fixture.locate(cache: cache)
            try Fixture.makeProgram(fixture.privateFirst + "/tool")
            let found = try fixture.locate(cache: cache, mounting: fixture.first, at: fixture.privateFirst)
            #expect(found == fixture.first + "/tool")
            // And that node's lookup went through its own mount: it is not kept for others.
            let other = ExecutableCache()
            _ = try fixture.locate(cache: other, mounting: fixture.first, at: fixture.privateFirst)
            #expect(other.count == 0)
        }
    }

    @Test("a kept program that is gone is looked up again")
    func removedProgram() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let fixture = try Fixture(directory: directory)
            let cache = ExecutableCache()
            _ = try fixture.locate(cache: cache)
            #expect(unlink(fixture.second + "/tool") == 0)
            #expect(throws: RuntimeError.self) { try fixture.locate(cache: cache) }
            try Fixture.makeProgram(fixture.first + "/tool")
            #expect(try fixture.locate(cache: cache) == fixture.first + "/tool")
        }
    }
}

import Foundation
import SluiceGovernance
import SluiceStore
import SluiceTesting
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite("ArtifactStore")
struct ArtifactStoreTests {
    private let digest = "ab" + String(repeating: "0123456789abcdef", count: 4).dropFirst(2)

    @Test("a stored file lands under sha256/<2 hex>/<hex>, read-only, with the same bytes")
    func putFile() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let source = directory + "/out.bin"
            let bytes = Data((0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            try bytes.write(to: URL(fileURLWithPath: source))
            let store = try ArtifactStore(stateDirectory: directory + "/state")
            let digest = Digest.sha256(bytes).hex
            #expect(store.contains(file: digest) == false)

            let stored = try store.put(fileAt: source, digest: digest)
            #expect(stored == directory + "/state/artifacts/sha256/\(digest.prefix(2))/\(digest)")
            #expect(stored == store.path(forFile: digest))
            #expect(try Data(contentsOf: URL(fileURLWithPath: stored)) == bytes)
            #expect(try mode(of: stored) == 0o444)
            #expect(store.contains(file: digest))
            #expect(store.contains(directory: digest) == false)
            #expect(try store.existingPath(forFile: digest) == stored)
            #expect(try mode(of: directory + "/state") == 0o700)
            #expect(try mode(of: directory + "/state/artifacts") == 0o700)
        }
    }

    @Test("an entry is named by the digest of the bytes written: a claimed digest that does not match is refused")
    func claimedDigestChecked() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let store = try ArtifactStore(stateDirectory: directory)
            let source = directory + "/a.txt"
            try Data("first".utf8).write(to: URL(fileURLWithPath: source))
            let first = try store.put(fileAt: source, digest: Digest.sha256(utf8: "first").hex)
            #expect(try store.put(fileAt: source, digest: Digest.sha256(utf8: "first").hex) == first)
            try FileManager.default.removeItem(atPath: source)
            try Data("second".utf8).write(to: URL(fileURLWithPath: source))
            let claimed = Digest.sha256(utf8: "first").hex
            let error = #expect(throws: StoreError.self) { try store.put(fileAt: source, digest: claimed) }
            #expect(
                error?.description
                    == "artifact '\(source)' changed while it was stored: expected sha256:\(claimed), the bytes "
                    + "copied hash to sha256:\(Digest.sha256(utf8: "second").hex)")
            #expect(try String(contentsOfFile: first, encoding: .utf8) == "first")
        }
    }

    @Test("an existing entry that no longer matches its digest is replaced, not reused; no temporary file is left")
    func corruptEntryReplaced() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let store = try ArtifactStore(stateDirectory: directory)
            let source = directory + "/a.txt"
            try Data("genuine".utf8).write(to: URL(fileURLWithPath: source))
            let digest = Digest.sha256(utf8: "genuine").hex
            let stored = try store.put(fileAt: source, digest: digest)
            // Someone truncates the stored entry (the zero-byte file of the issue).
            #expect(chmod(stored, 0o644) == 0)
            #expect(truncate(stored, 0) == 0)
            #expect(try store.put(fileAt: source, digest: digest) == stored)
            #expect(try String(contentsOfFile: stored, encoding: .utf8) == "genuine")
            #expect(try mode(of: stored) == 0o444)

            // The same for a tree whose file was edited.
            try FileManager.default.createDirectory(atPath: directory + "/tree", withIntermediateDirectories: true)
            try Data("x".utf8).write(to: URL(fileURLWithPath: directory + "/tree/x"))
            let treeDigest = try Digest.directoryHash(at: directory + "/tree").hex
            let tree = try store.put(directoryAt: directory + "/tree", digest: treeDigest)
            #expect(chmod(tree, 0o755) == 0 && chmod(tree + "/x", 0o644) == 0)
            try Data("edited".utf8).write(to: URL(fileURLWithPath: tree + "/x"))
            #expect(try store.put(directoryAt: directory + "/tree", digest: treeDigest) == tree)
            #expect(try Digest.directoryHash(at: tree).hex == treeDigest)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/artifacts/incoming") == [])
        }
    }

    @Test("ingesting from a descriptor hashes exactly the bytes copied")
    func ingestDescriptor() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let store = try ArtifactStore(stateDirectory: directory + "/state")
            let source = directory + "/data"
            let bytes = Data((0..<1_500_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
            try bytes.write(to: URL(fileURLWithPath: source))
            let descriptor = open(source, O_RDONLY)
            defer { close(descriptor) }
            let stored = try store.ingest(fileDescriptor: descriptor, displayPath: source)
            #expect(stored.digest == Digest.sha256(bytes))
            #expect(stored.path == store.path(forFile: stored.digest.hex))
            #expect(try Data(contentsOf: URL(fileURLWithPath: stored.path)) == bytes)
        }
    }

    @Test("a directory tree is copied whole: files 0444, directories 0555, empty directories kept")
    func putDirectory() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let source = directory + "/model"
            try FileManager.default.createDirectory(
                atPath: source + "/weights/layer1", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: source + "/empty", withIntermediateDirectories: true)
            try Data("config".utf8).write(to: URL(fileURLWithPath: source + "/config.json"))
            try Data("w1".utf8).write(to: URL(fileURLWithPath: source + "/weights/layer1/w.bin"))
            try Data("hidden".utf8).write(to: URL(fileURLWithPath: source + "/.meta"))
            let store = try ArtifactStore(stateDirectory: directory + "/state")
            let digest = try Digest.directoryHash(at: source).hex

            let stored = try store.put(directoryAt: source, digest: digest)
            #expect(stored == directory + "/state/artifacts/tree/\(digest.prefix(2))/\(digest)")
            #expect(store.contains(directory: digest))
            #expect(store.contains(file: digest) == false)
            let files = try FileManager.default.subpathsOfDirectory(atPath: stored).sorted()
            #expect(files == [".meta", "config.json", "empty", "weights", "weights/layer1", "weights/layer1/w.bin"])
            #expect(try String(contentsOfFile: stored + "/weights/layer1/w.bin", encoding: .utf8) == "w1")
            #expect(try mode(of: stored) == 0o555)
            #expect(try mode(of: stored + "/empty") == 0o555)
            #expect(try mode(of: stored + "/weights/layer1") == 0o555)
            #expect(try mode(of: stored + "/config.json") == 0o444)
            #expect(try mode(of: stored + "/weights/layer1/w.bin") == 0o444)
            #expect(try store.put(directoryAt: source, digest: digest) == stored)
            #expect(try store.existingPath(forDirectory: digest) == stored)
        }
    }

    @Test("a symbolic link as the source file is refused, even when its digest is already stored")
    func symlinkFileRefused() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let store = try ArtifactStore(stateDirectory: directory + "/state")
            let link = directory + "/link"
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "/etc/hostname")
            let error = #expect(throws: StoreError.self) { try store.put(fileAt: link, digest: digest) }
            #expect(error == .artifactSymlinkRefused(path: link))
            #expect(
                error?.description
                    == "refusing to store artifact: '\(link)' is a symbolic link, and links are never followed")
            #expect(store.contains(file: digest) == false)

            let real = directory + "/real.txt"
            try Data("real".utf8).write(to: URL(fileURLWithPath: real))
            try store.put(fileAt: real, digest: Digest.sha256(utf8: "real").hex)
            let again = #expect(throws: StoreError.self) { try store.put(fileAt: link, digest: digest) }
            #expect(again == .artifactSymlinkRefused(path: link))
        }
    }

    @Test("a symbolic link inside a directory tree is stored as a link, never followed, and hashed as a link")
    func symlinkInTreeKept() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let source = directory + "/out"
            try FileManager.default.createDirectory(atPath: source + "/sub", withIntermediateDirectories: true)
            try Data("ok".utf8).write(to: URL(fileURLWithPath: source + "/a.txt"))
            try FileManager.default.createSymbolicLink(atPath: source + "/sub/secret", withDestinationPath: "/etc")
            let store = try ArtifactStore(stateDirectory: directory + "/state")
            let digest = try Digest.directoryHash(at: source).hex
            let stored = try store.put(directoryAt: source, digest: digest)
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: stored + "/sub/secret") == "/etc")
            #expect(
                try FileManager.default.subpathsOfDirectory(atPath: stored).sorted() == ["a.txt", "sub", "sub/secret"])
            #expect(try Digest.directoryHash(at: stored).hex == digest)

            // A FIFO is refused and nothing is stored.
            #expect(mkfifo(source + "/pipe", 0o600) == 0)
            let error = #expect(throws: StoreError.self) { try store.put(directoryAt: source, digest: digest) }
            #expect(
                error
                    == .artifactSourceUnusable(
                        path: source + "/pipe", reason: "it is not a regular file, directory or link"))
        }
    }

    @Test("a directory passed as a file, and a missing source, are refused with their reasons")
    func wrongSourceKind() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let store = try ArtifactStore(stateDirectory: directory + "/state")
            let asFile = #expect(throws: StoreError.self) { try store.put(fileAt: directory, digest: digest) }
            #expect(asFile?.description == "cannot store artifact from '\(directory)': it is not a regular file")
            let missing = directory + "/missing"
            let absent = #expect(throws: StoreError.self) { try store.put(directoryAt: missing, digest: digest) }
            #expect(absent?.description == "cannot store artifact from '\(missing)': No such file or directory")
        }
    }

    @Test(
        "malformed digests are refused before anything is touched",
        arguments: ["", "ABCDEF", "../../etc", "g" + String(repeating: "0", count: 63)])
    func malformedDigest(_ hex: String) throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let store = try ArtifactStore(stateDirectory: directory)
            let error = #expect(throws: StoreError.self) { try store.put(fileAt: "/etc/hostname", digest: hex) }
            #expect(error == .artifactDigestInvalid(hex))
            #expect(
                error?.description
                    == "artifact digest '\(hex)' is not a sha256 hex digest (64 lowercase hex characters)")
            #expect(store.contains(file: hex) == false)
        }
    }

    @Test("asking for the path of an artifact that is not stored throws artifactMissing")
    func missingArtifact() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let store = try ArtifactStore(stateDirectory: directory)
            let error = #expect(throws: StoreError.self) { try store.existingPath(forFile: digest) }
            #expect(error == .artifactMissing(digest))
            #expect(error?.description == "artifact '\(digest)' is not in the artifact store")
        }
    }
}

@Suite("validateRelativeName")
struct RelativeNameTests {
    @Test(
        "safe relative names pass unchanged", arguments: ["result.txt", "out/report.json", "a.b/c-d_e", "..x", "x.."])
    func safeNames(_ name: String) throws {
        #expect(try validateRelativeName(name) == name)
    }

    @Test(
        "unsafe names are refused with the exact reason",
        arguments: [
            ("../x", "it contains a '..' component"),
            ("/etc/passwd", "it is an absolute path"),
            ("a/../../b", "it contains a '..' component"),
            ("..", "it contains a '..' component"),
            ("", "it is empty"),
            ("a\0b", "it contains a NUL character"),
            ("a//b", "it contains an empty or '.' component"),
            ("./a", "it contains an empty or '.' component"),
            ("dir/", "it contains an empty or '.' component"),
        ])
    func unsafeNames(_ name: String, _ reason: String) {
        let error = #expect(throws: StoreError.self) { try validateRelativeName(name) }
        #expect(error == .artifactNameUnsafe(name))
        let printable = name.replacingOccurrences(of: "\0", with: "\\0")
        #expect(
            error?.description
                == "artifact name '\(printable)' is unsafe: \(reason); use a relative path that stays inside the "
                + "node's directory")
    }

    @Test("'../x' is refused with the exact full message")
    func parentEscape() {
        let error = #expect(throws: StoreError.self) { try validateRelativeName("../x") }
        #expect(
            error?.description
                == "artifact name '../x' is unsafe: it contains a '..' component; use a relative path that stays "
                + "inside the node's directory")
    }
}

import Foundation
import SluiceGovernance
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite("Digests")
struct DigestTests {
    @Test("SHA-256 of bytes, Data and UTF-8 text match the FIPS 180-2 values")
    func knownValues() {
        let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        #expect(Digest.sha256([UInt8]()).hex == empty)
        #expect(Digest.sha256(Array("abc".utf8)).hex == abc)
        #expect(Digest.sha256(Data("abc".utf8)).hex == abc)
        #expect(Digest.sha256(utf8: "abc").hex == abc)
        #expect(Digest.sha256("abc".utf8).hex == abc)
        #expect(Digest.sha256(utf8: "abc").description == "sha256:" + abc)
    }

    @Test("hex must be 64 lowercase hex characters")
    func hexValidation() throws {
        #expect(try Digest(hex: String(repeating: "a", count: 64)).hex.count == 64)
        for bad in ["", "abc", String(repeating: "A", count: 64), String(repeating: "g", count: 64)] {
            #expect(governanceError { try Digest(hex: bad) } == .invalidDigest(value: bad))
        }
        let encoded = try JSONEncoder().encode(Digest.sha256(utf8: "abc"))
        #expect(
            String(decoding: encoded, as: UTF8.self)
                == #""ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad""#)
        #expect(try JSONDecoder().decode(Digest.self, from: encoded) == Digest.sha256(utf8: "abc"))
    }

    @Test("a file is hashed in chunks to the same digest as its bytes in memory")
    func fileDigest() throws {
        try withGovernanceScratch { directory in
            let path = directory + "/big.bin"
            // 2.5 MiB so that reading crosses the 1 MiB chunk boundary twice.
            let contents = (0..<(5 << 19)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            try Data(contents).write(to: URL(fileURLWithPath: path))
            #expect(try Digest.sha256(fileAt: path) == Digest.sha256(contents))

            try writeFile(directory + "/alpha", "alpha\n")
            #expect(
                try Digest.sha256(fileAt: directory + "/alpha").hex
                    == "b6a98d9ce9a2d9149288fa3df42d377c3e42737afdcdaf714e33c0a100b51060")
        }
    }

    @Test("files of 0 bytes, exactly one read chunk, and one byte more hash like their bytes in memory")
    func fileChunkBoundaries() throws {
        try withGovernanceScratch { directory in
            for size in [0, 1 << 20, (1 << 20) + 1] {
                let path = directory + "/file-\(size)"
                let contents = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
                try Data(contents).write(to: URL(fileURLWithPath: path))
                #expect(try Digest.sha256(fileAt: path) == Digest.sha256(contents), "\(size) bytes")
            }
            #expect(
                try Digest.sha256(fileAt: directory + "/file-0").hex
                    == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        }
    }

    @Test("file hashing refuses missing files, symlinks, directories and FIFOs")
    func fileRefusals() throws {
        try withGovernanceScratch { directory in
            let missing = directory + "/missing"
            #expect(
                governanceError { try Digest.sha256(fileAt: missing) }
                    == .fileUnreadable(path: missing, reason: "No such file or directory"))
            try writeFile(directory + "/target", "x")
            #expect(symlink(directory + "/target", directory + "/link") == 0)
            #expect(
                governanceError { try Digest.sha256(fileAt: directory + "/link") }
                    == .symlinkRefused(path: directory + "/link"))
            #expect(
                governanceError { try Digest.sha256(fileAt: directory) }
                    == .unsupportedFileType(path: directory, type: "directory"))
            #expect(mkfifo(directory + "/pipe", 0o600) == 0)
            #expect(
                governanceError { try Digest.sha256(fileAt: directory + "/pipe") }
                    == .unsupportedFileType(path: directory + "/pipe", type: "FIFO"))
        }
    }

    /// Builds the tree a.txt, sub/b.bin, sub/deeper/c (empty) and an empty directory.
    private func makeTree(at root: String) throws {
        try FileManager.default.createDirectory(atPath: root + "/sub/deeper", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/empty", withIntermediateDirectories: true)
        try writeFile(root + "/a.txt", "alpha\n")
        try writeFile(root + "/sub/b.bin", "beta")
        try writeFile(root + "/sub/deeper/c", "")
    }

    @Test("directoryHash is sha256 over sorted '<sha256>  <path>' lines (value computed independently with Python)")
    func directoryHashValue() throws {
        try withGovernanceScratch { directory in
            let root = directory + "/tree"
            try makeTree(at: root)
            let expected = "804415ce5ad8d748d338c7f5518c4fdb8e4318cbeb6ddbe8e7d998a6aaf08d56"
            #expect(try Digest.directoryHash(at: root).hex == expected)
            let summary = """
                b6a98d9ce9a2d9149288fa3df42d377c3e42737afdcdaf714e33c0a100b51060  a.txt
                f44e64e75f3948e9f73f8dfa94721c4ce8cbb4f265c4790c702b2d41cfbf2753  sub/b.bin
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  sub/deeper/c

                """
            #expect(Digest.sha256(utf8: summary).hex == expected)
            // Stable: hashing again, or a copy elsewhere, gives the same value.
            #expect(try Digest.directoryHash(at: root).hex == expected)
            let copy = directory + "/copy"
            try makeTree(at: copy)
            #expect(try Digest.directoryHash(at: copy).hex == expected)
        }
    }

    @Test("directoryHash changes with a file's content, a file's name, or an added file, but not an empty directory")
    func directoryHashSensitivity() throws {
        try withGovernanceScratch { directory in
            let root = directory + "/tree"
            try makeTree(at: root)
            let original = try Digest.directoryHash(at: root)

            try writeFile(root + "/sub/b.bin", "betA")
            let edited = try Digest.directoryHash(at: root)
            #expect(edited != original)
            try writeFile(root + "/sub/b.bin", "beta")
            #expect(try Digest.directoryHash(at: root) == original)

            try FileManager.default.moveItem(atPath: root + "/a.txt", toPath: root + "/A.txt")
            #expect(try Digest.directoryHash(at: root) != original)
            try FileManager.default.moveItem(atPath: root + "/A.txt", toPath: root + "/a.txt")

            try FileManager.default.createDirectory(atPath: root + "/empty/more", withIntermediateDirectories: true)
            #expect(try Digest.directoryHash(at: root) == original)
            try writeFile(root + "/empty/new", "")
            #expect(try Digest.directoryHash(at: root) != original)
        }
    }

    @Test(
        "directoryHash hashes links inside as links (never followed); refuses a linked root, non-directories, newlines")
    func directoryHashRefusals() throws {
        try withGovernanceScratch { directory in
            let root = directory + "/tree"
            try makeTree(at: root)
            let withoutLink = try Digest.directoryHash(at: root)
            #expect(symlink("/etc/hostname", root + "/sub/link") == 0)
            let withLink = try Digest.directoryHash(at: root)
            #expect(withLink != withoutLink)
            // The link's line: "symlink <sha256 of the target text>  <path>", sorted with the files' lines.
            var builder = DirectoryHashBuilder()
            for file in try FileManager.default.subpathsOfDirectory(atPath: root) {
                var info = stat()
                #expect(lstat(root + "/" + file, &info) == 0)
                if info.st_mode & S_IFMT == S_IFREG {
                    builder.addFile(file, digest: try Digest.sha256(fileAt: root + "/" + file))
                }
            }
            builder.addSymlink("sub/link", target: "/etc/hostname")
            #expect(builder.finalize() == withLink)
            #expect(unlink(root + "/sub/link") == 0)
            #expect(symlink("/etc/passwd", root + "/sub/link") == 0)
            #expect(try Digest.directoryHash(at: root) != withLink)
            #expect(unlink(root + "/sub/link") == 0)

            #expect(symlink(root, directory + "/rootlink") == 0)
            #expect(
                governanceError { try Digest.directoryHash(at: directory + "/rootlink") }
                    == .symlinkRefused(path: directory + "/rootlink"))
            #expect(
                governanceError { try Digest.directoryHash(at: root + "/a.txt") }
                    == .notADirectory(path: root + "/a.txt"))

            try writeFile(root + "/bad\nname", "")
            let error = governanceError { try Digest.directoryHash(at: root) }
            #expect(error == .unsupportedFileName(path: root + "/bad\nname", reason: "the name contains a newline"))
        }
    }
}

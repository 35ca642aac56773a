import Foundation
import SluiceTesting
import Testing

@testable import SluiceRuntimes

#if canImport(Glibc)
    import Glibc
#endif

/// The node's view of its own files, with a table of hostile paths: nothing a node writes can make the engine read
/// a host file outside the node's directories.
@Suite("NodeFileView confines what the engine reads to the node's own directories")
struct NodeFileViewTests {
    /// A node directory `<tmp>/node/root/tmp` seen at `/tmp`, a secret beside it on the host, and the view.
    struct Fixture {
        let directory: String
        let rootTmp: String
        let secret: String
        let view: NodeFileView

        init(directory: String) throws {
            self.directory = directory
            rootTmp = directory + "/node/root/tmp"
            try FileManager.default.createDirectory(atPath: rootTmp + "/o/sub", withIntermediateDirectories: true)
            secret = directory + "/keys/signing-key.pem"
            try FileManager.default.createDirectory(atPath: directory + "/keys", withIntermediateDirectories: true)
            try Data("SECRET KEY".utf8).write(to: URL(fileURLWithPath: secret))
            try Data("inside\n".utf8).write(to: URL(fileURLWithPath: rootTmp + "/o/sub/data.txt"))
            view = NodeFileView(roots: [.init(sandboxPath: "/out", hostPath: rootTmp)])
        }

        func link(_ target: String, at sandboxPath: String) {
            #expect(symlink(target, rootTmp + sandboxPath.dropFirst("/out".count)) == 0)
        }

        func read(_ path: String) throws -> String? {
            try readTyped(path)
        }

        func readTyped(_ path: String) throws(ConfinementError) -> String? {
            guard let tail = try view.readTail(path, limit: 1 << 20) else { return nil }
            return String(decoding: tail.bytes, as: UTF8.self)
        }
    }

    static func withFixture(_ body: (Fixture) throws -> Void) throws {
        let directory = try StoreSupport.makeTemporaryDirectory(prefix: "sluice-view-test")
        defer { StoreSupport.removeStateDirectory(directory) }
        try body(try Fixture(directory: directory))
    }

    static func refusal(_ body: () throws -> String?) -> ConfinementError? {
        do {
            _ = try body()
            return nil
        } catch {
            return error as? ConfinementError
        }
    }

    static func makeDirectories(_ relative: String, below root: String) throws {
        try LinkFreePath.makeDirectories(relative, below: root)
    }

    @Test("reads a plain file, and follows links that stay inside the node's directory (relative and absolute)")
    func followsInsideLinks() throws {
        try Self.withFixture { (fixture: Fixture) throws in
            #expect(try fixture.read("/out/o/sub/data.txt") == "inside\n")
            fixture.link("sub/data.txt", at: "/out/o/relative")
            fixture.link("/out/o/sub/data.txt", at: "/out/o/absolute")
            fixture.link("sub", at: "/out/o/dirlink")
            fixture.link("../o/./sub/../sub/data.txt", at: "/out/o/roundabout")
            #expect(try fixture.read("/out/o/relative") == "inside\n")
            #expect(try fixture.read("/out/o/absolute") == "inside\n")
            #expect(try fixture.read("/out/o/dirlink/data.txt") == "inside\n")
            #expect(try fixture.read("/out/o/roundabout") == "inside\n")
            #expect(try fixture.read("/out/o/missing") == nil)
            #expect(try fixture.read("/out/nothing/here") == nil)
        }
    }

    @Test("refuses every hostile path with a one-line reason")
    func hostilePaths() throws {
        try Self.withFixture { (fixture: Fixture) throws in
            let climb = "../../../keys/signing-key.pem"
            fixture.link(climb, at: "/out/o/climb")
            fixture.link(fixture.secret, at: "/out/o/hostabsolute")
            fixture.link("/proc/self/root" + fixture.secret, at: "/out/o/procroot")
            fixture.link("/proc/self/root", at: "/out/o/procdir")
            fixture.link("/etc", at: "/out/o/etc")
            fixture.link("loop-b", at: "/out/o/loop-a")
            fixture.link("loop-a", at: "/out/o/loop-b")
            fixture.link("../../../keys", at: "/out/o/keysdir")
            #expect(mkfifo(fixture.rootTmp + "/o/fifo", 0o600) == 0)
            let socketPath = fixture.rootTmp + "/o/socket"
            let socketDescriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(socketDescriptor) }
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { buffer in
                for (index, byte) in socketPath.utf8.prefix(buffer.count - 1).enumerated() { buffer[index] = byte }
            }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            #expect(bound == 0)

            let expectations: [(String, ConfinementError)] = [
                ("/out/../keys/signing-key.pem", .notPlainAbsolute(path: "/out/../keys/signing-key.pem")),
                ("relative.txt", .notPlainAbsolute(path: "relative.txt")),
                (fixture.secret, .outsideNodeFiles(path: fixture.secret)),
                ("/etc/hostname", .outsideNodeFiles(path: "/etc/hostname")),
                ("/out/o/climb", .linkLeavesNodeFiles(path: "/out/o/climb", link: "/out/o/climb", target: climb)),
                (
                    "/out/o/hostabsolute",
                    .linkLeavesNodeFiles(
                        path: "/out/o/hostabsolute", link: "/out/o/hostabsolute", target: fixture.secret)
                ),
                (
                    "/out/o/procroot",
                    .linkLeavesNodeFiles(
                        path: "/out/o/procroot", link: "/out/o/procroot", target: "/proc/self/root" + fixture.secret)
                ),
                (
                    "/out/o/procdir/etc/hostname",
                    .linkLeavesNodeFiles(
                        path: "/out/o/procdir/etc/hostname", link: "/out/o/procdir", target: "/proc/self/root")
                ),
                (
                    "/out/o/etc/passwd",
                    .linkLeavesNodeFiles(path: "/out/o/etc/passwd", link: "/out/o/etc", target: "/etc")
                ),
                (
                    "/out/o/keysdir/signing-key.pem",
                    .linkLeavesNodeFiles(
                        path: "/out/o/keysdir/signing-key.pem", link: "/out/o/keysdir", target: "../../../keys")
                ),
                ("/out/o/loop-a", .tooManyLinks(path: "/out/o/loop-a")),
                ("/out/o/fifo", .unsupportedType(path: "/out/o/fifo", type: "FIFO")),
                ("/out/o/socket", .unsupportedType(path: "/out/o/socket", type: "socket")),
                (
                    "/out/o/sub/data.txt/x",
                    .notADirectory(path: "/out/o/sub/data.txt/x", component: "/out/o/sub/data.txt")
                ),
                ("/out/o/sub", .unsupportedType(path: "/out/o/sub", type: "directory")),
            ]
            for (path, expected) in expectations {
                #expect(Self.refusal { try fixture.read(path) } == expected, "\(path)")
            }
            #expect(
                ConfinementError.linkLeavesNodeFiles(path: "/out/o/climb", link: "/out/o/climb", target: climb)
                    .description == "path '/out/o/climb': the symbolic link '/out/o/climb' -> '\(climb)' leads outside "
                    + "the node's directory; links are followed only inside it")
        }
    }

    @Test("a device node is never opened")
    func deviceRefused() throws {
        try Self.withFixture { (fixture: Fixture) throws in
            // Creating a device node needs CAP_MKNOD; the test machines run as root.
            guard mknod(fixture.rootTmp + "/o/null", S_IFCHR | 0o600, dev_t(0x103)) == 0 else { return }
            #expect(
                Self.refusal { try fixture.read("/out/o/null") }
                    == .unsupportedType(path: "/out/o/null", type: "character device"))
        }
    }

    @Test("the root itself replaced by a link is refused; a descriptor keeps reading the file it opened")
    func swappedEntries() throws {
        try Self.withFixture { (fixture: Fixture) throws in
            let opened = try #require(try fixture.view.open("/out/o/sub/data.txt"))
            defer { opened.close() }
            // The file is swapped for a link to the secret after it was opened: the descriptor still names the file.
            #expect(rename(fixture.rootTmp + "/o/sub/data.txt", fixture.rootTmp + "/o/sub/old.txt") == 0)
            fixture.link(fixture.secret, at: "/out/o/sub/data.txt")
            let tail = try NodeFileView.readTail(
                descriptor: opened.descriptor, size: opened.size, limit: 100, path: "/out/o/sub/data.txt")
            #expect(String(decoding: tail.bytes, as: UTF8.self) == "inside\n")
            #expect(Self.refusal { try fixture.read("/out/o/sub/data.txt") } != nil)

            #expect(rename(fixture.rootTmp, fixture.rootTmp + ".moved") == 0)
            #expect(symlink(fixture.directory + "/keys", fixture.rootTmp) == 0)
            #expect(
                Self.refusal { try fixture.read("/out/signing-key.pem") }
                    == .linkLeavesNodeFiles(path: "/out/signing-key.pem", link: "/out", target: "?"))
        }
    }

    @Test("reads only the tail of a large file")
    func readsTail() throws {
        try Self.withFixture { (fixture: Fixture) throws in
            let path = fixture.rootTmp + "/o/big"
            try Data((String(repeating: "a", count: 5000) + "END").utf8).write(to: URL(fileURLWithPath: path))
            let tail = try #require(try fixture.view.readTail("/out/o/big", limit: 10))
            #expect(String(decoding: tail.bytes, as: UTF8.self) == "aaaaaaaEND")
            #expect(tail.truncated)
        }
    }

    @Test("links are never followed below an engine-owned directory (subPath, volume subPath)")
    func linkFreePaths() throws {
        try Self.withFixture { (fixture: Fixture) throws in
            let root = fixture.rootTmp + "/o"
            fixture.link("/etc", at: "/out/o/etc")
            #expect(try LinkFreePath.kind(of: "sub/data.txt", below: root) == .file)
            #expect(try LinkFreePath.kind(of: "sub", below: root) == .directory)
            #expect(try LinkFreePath.kind(of: "sub/none", below: root) == nil)
            #expect(throws: ConfinementError.self) { _ = try LinkFreePath.kind(of: "etc/passwd", below: root) as Any }
            #expect(throws: ConfinementError.self) { _ = try LinkFreePath.kind(of: "../keys", below: root) as Any }
            #expect(throws: ConfinementError.self) { try Self.makeDirectories("etc/new", below: root) }
            try LinkFreePath.makeDirectories("made/deep", below: root)
            #expect(try LinkFreePath.kind(of: "made/deep", below: root) == .directory)
        }
    }
}

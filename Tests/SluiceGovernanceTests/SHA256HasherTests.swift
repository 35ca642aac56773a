import Foundation
import Testing

@testable import SluiceGovernance

/// The SHA-256 backend itself: published vectors, block-boundary lengths, and streaming in uneven chunks.
@Suite("SHA-256 hasher")
struct SHA256HasherTests {
    /// The examples of FIPS 180-2 appendix B and the NIST CAVS "long message" of one million 'a'.
    static let nistVectors: [(message: String, hex: String)] = [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
        (
            "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
        ),
        (String(repeating: "a", count: 1_000_000), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
    ]

    /// Runs of 'a' around the 64-byte block and the 55/56-byte padding boundary (values from Python's hashlib).
    static let boundaryVectors: [(count: Int, hex: String)] = [
        (55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"),
        (56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"),
        (63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"),
        (64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"),
        (65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"),
        (119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"),
        (120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"),
    ]

    @Test("the FIPS 180-2 examples and the million-'a' message hash to their published digests")
    func nist() {
        for vector in Self.nistVectors {
            #expect(
                Digest.sha256(utf8: vector.message).hex == vector.hex, "message of \(vector.message.utf8.count) bytes")
            #expect(Digest.sha256(Array(vector.message.utf8)).hex == vector.hex)
        }
    }

    @Test("messages around the block and padding boundaries hash to the reference values")
    func boundaries() {
        for vector in Self.boundaryVectors {
            let message = [UInt8](repeating: UInt8(ascii: "a"), count: vector.count)
            #expect(Digest.sha256(message).hex == vector.hex, "\(vector.count) x 'a'")
        }
    }

    @Test("the million 'a' fed one byte, then 1000 bytes at a time gives the published digest")
    func millionStreamed() {
        let block = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        var bytewise = SHA256Hasher()
        for _ in 0..<1_000_000 { [UInt8(ascii: "a")].withUnsafeBytes { bytewise.update($0) } }
        #expect(Hex.encode(bytewise.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")

        var blockwise = SHA256Hasher()
        for _ in 0..<1000 { blockwise.update(block) }
        #expect(Hex.encode(blockwise.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test(
        "streaming in odd chunk sizes equals hashing in one call",
        arguments: [1, 3, 7, 55, 63, 64, 65, 127, 4099, 65_537])
    func oddChunks(chunkSize: Int) {
        // 200_003 bytes of a pattern that is not periodic in 64.
        let message = (0..<200_003).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 13) }
        let oneShot = Digest.sha256(message)

        var hasher = SHA256Hasher()
        message.withUnsafeBytes { all in
            var offset = 0
            while offset < all.count {
                let end = min(offset + chunkSize, all.count)
                hasher.update(UnsafeRawBufferPointer(rebasing: all[offset..<end]))
                offset = end
            }
        }
        #expect(Digest(bytes: hasher.finalize()) == oneShot)
    }

    @Test("chunk sizes that change along the stream, empty updates and non-contiguous sequences change nothing")
    func mixedUpdates() {
        let message = (0..<70_001).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 17) }
        let oneShot = Digest.sha256(message)

        var hasher = SHA256Hasher()
        var offset = 0
        var sizes = [0, 1, 64, 5, 0, 1000, 63, 4096, 2].makeIterator()
        while offset < message.count {
            guard let size = sizes.next() else {
                sizes = [0, 1, 64, 5, 0, 1000, 63, 4096, 2].makeIterator()
                continue
            }
            let end = min(offset + size, message.count)
            hasher.update(message[offset..<end])
            offset = end
        }
        #expect(Digest(bytes: hasher.finalize()) == oneShot)

        // A lazy sequence has no contiguous storage: the hasher copies it first.
        #expect(Digest.sha256(message.lazy.map { $0 }) == oneShot)
        #expect(Digest.sha256(Data(message)) == oneShot)
    }

    @Test("hashers in flight on many threads at once do not disturb each other")
    func concurrent() async {
        await withTaskGroup(of: Bool.self) { group in
            for round in 0..<32 {
                let vector = Self.nistVectors[round % Self.nistVectors.count]
                group.addTask { Digest.sha256(utf8: vector.message).hex == vector.hex }
            }
            for await matched in group { #expect(matched) }
        }
    }
}

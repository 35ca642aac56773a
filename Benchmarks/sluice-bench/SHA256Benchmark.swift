import ArgumentParser
import CSodium
import SluiceGovernance

/// `sluice-bench sha256`: in-memory SHA-256 of Sluice's `Digest` (OpenSSL libcrypto) against libsodium's
/// `crypto_hash_sha256`, the implementation it replaced: throughput on a large buffer, and the cost of one call on
/// small messages (parameter values, canonical JSON) where per-call setup dominates.
struct SHA256Benchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sha256", abstract: "In-memory SHA-256: Sluice's Digest (libcrypto) against libsodium.")

    @Option(help: "Size of the large buffer in MiB.")
    var mebibytes = 256

    @Option(help: "Measured rounds (after one warm-up); the median is reported.")
    var rounds = 5

    @Option(help: "Calls per round for the small messages.")
    var calls = 100_000

    func validate() throws {
        guard mebibytes > 0, rounds > 0, calls > 0 else {
            throw ValidationError("--mebibytes, --rounds and --calls must be positive")
        }
    }

    func run() throws {
        guard sodium_init() >= 0 else { throw ValidationError("libsodium failed to initialise") }
        let size = mebibytes << 20
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        let buffer = (0..<size).map { _ in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return UInt8(truncatingIfNeeded: state)
        }
        guard Digest.sha256(buffer).bytes == sodiumDigest(buffer) else {
            throw ValidationError("libcrypto and libsodium disagree on the test buffer")
        }

        print(
            Report.left("implementation", 34) + Report.right(Report.size(size) + " GB/s", 14)
                + Report.right("64 B ns/call", 14) + Report.right("1 KiB ns/call", 15))
        let contenders: [(name: String, hash: ([UInt8]) -> [UInt8])] = [
            ("Digest.sha256 (OpenSSL libcrypto)", { Digest.sha256($0).bytes }),
            ("crypto_hash_sha256 (libsodium)", sodiumDigest),
        ]
        for contender in contenders {
            let large = median { _ = contender.hash(buffer) }
            let small = [64, 1024].map { length in
                let message = Array(buffer.prefix(length))
                return median { for _ in 0..<calls { _ = contender.hash(message) } } / Double(calls)
            }
            print(
                Report.left(contender.name, 34) + Report.right(Report.gigabytesPerSecond(size, large), 14)
                    + Report.right(Report.fixed(small[0], decimals: 0), 14)
                    + Report.right(Report.fixed(small[1], decimals: 0), 15))
        }
    }

    /// The median time of `rounds` runs of `body` after one warm-up, in nanoseconds.
    private func median(_ body: () -> Void) -> Double {
        body()
        var samples = Samples()
        for _ in 0..<rounds { samples.time(body) }
        return samples.median
    }
}

/// libsodium's SHA-256 of `bytes`.
private func sodiumDigest(_ bytes: [UInt8]) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: Int(crypto_hash_sha256_BYTES))
    bytes.withUnsafeBufferPointer { input in
        _ = crypto_hash_sha256(&out, input.baseAddress, UInt64(input.count))
    }
    return out
}

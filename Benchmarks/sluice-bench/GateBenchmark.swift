import ArgumentParser
import Foundation
import SluiceGovernance
import SluiceTesting

/// `sluice-bench gate`: what the gate costs per input, split into re-hashing the bytes and verifying the envelope.
///
/// For each size it writes a file of that many bytes, signs a lineage envelope over it with a fresh key (the
/// fixture predicate of `SluiceTesting`, three subjects), then repeats what `InputGate` does for one input:
/// `Digest.sha256(fileAt:)` followed by `LineageVerifier.verifyInput`. The file stays in the page cache, so
/// hashing is measured without disk reads. One warm-up round, then the median of the rounds.
struct GateBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gate", abstract: "Median cost of one input at the gate (hash + envelope check) per input size.")

    @Option(help: "Input sizes, comma-separated, with an optional KiB/MiB/GiB suffix.")
    var sizes = "1KiB,1MiB,100MiB"

    @Option(help: "Rounds per size (default: 256 MiB worth of hashing, at least 11, at most 2001).")
    var iterations: Int?

    @Option(help: "Directory for the input files (default: $TMPDIR, else /tmp).")
    var scratch: String?

    func validate() throws {
        _ = try parsedSizes()
        if let iterations, iterations < 1 {
            throw ValidationError("--iterations must be at least 1, not \(iterations)")
        }
    }

    func run() throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let key = SigningKey.generate()
        let spec = GovernanceFixtures.specDigest()
        let gate = LineageVerifier(trustedKeys: [key.publicKey], runID: "run-1", workflowSpecDigest: spec)
        let subjectName = "outputs/artifacts/data"

        print(
            Report.left("input", 9) + Report.right("rounds", 7) + Report.right("hash µs", 12)
                + Report.right("verify µs", 11) + Report.right("gate µs", 12) + Report.right("hash GB/s", 11)
                + Report.right("envelope B", 12))
        var signatureOnly = Samples()
        for size in try parsedSizes() {
            let path = directory + "/input-\(size)"
            try writeInput(size: size, to: path)
            let envelope = GovernanceFixtures.signedLineage(
                subjects: [
                    .init(name: subjectName, sha256: try Digest.sha256(fileAt: path)),
                    .init(name: "outputs/parameters/rows", sha256: .sha256(utf8: "1000")),
                    .init(name: "outputs/parameters/checksum", sha256: .sha256(utf8: "ok")),
                ],
                predicate: GovernanceFixtures.lineagePredicate(signer: key.publicKey),
                key: key
            )
            let bytes = envelope.jsonBytes()
            let recorded = envelope.payloadDigest

            let rounds = iterations ?? min(2001, max(11, (256 << 20) / max(size, 1)))
            var hashing = Samples()
            var verifying = Samples()
            var gateTotal = Samples()
            for round in 0...rounds {
                let (digest, hashTime) = try measure { try Digest.sha256(fileAt: path) }
                let (_, verifyTime) = try measure {
                    try gate.verifyInput(
                        envelope: bytes, recordedPayloadDigest: recorded, producerNode: "train",
                        subjectName: subjectName, actualDigest: digest)
                }
                let parsed = try Envelope(jsonBytes: bytes)
                let (_, signatureTime) = try measure { try parsed.verify(trustedKeys: [key.publicKey], node: "train") }
                guard round > 0 else { continue }  // warm-up
                hashing.record(hashTime)
                verifying.record(verifyTime)
                gateTotal.record(hashTime + verifyTime)
                signatureOnly.record(signatureTime)
            }
            print(
                Report.left(Report.size(size), 9) + Report.right(String(rounds), 7)
                    + Report.right(Report.micros(hashing.median), 12)
                    + Report.right(Report.micros(verifying.median), 11)
                    + Report.right(Report.micros(gateTotal.median), 12)
                    + Report.right(Report.gigabytesPerSecond(size, hashing.median), 11)
                    + Report.right(String(bytes.count), 12))
            try FileManager.default.removeItem(atPath: path)
        }
        print(
            "Ed25519 signature check alone (Envelope.verify on a parsed envelope): "
                + "\(Report.micros(signatureOnly.median)) µs median of \(signatureOnly.nanoseconds.count)")
    }

    /// The sizes of `--sizes` in bytes.
    private func parsedSizes() throws -> [Int] {
        try sizes.split(separator: ",").map { item in
            let text = item.trimmingCharacters(in: .whitespaces)
            for (suffix, scale) in [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10), ("B", 1)]
            where text.hasSuffix(suffix) {
                if let count = Int(text.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)), count >= 0 {
                    return count * scale
                }
            }
            if let count = Int(text), count >= 0 { return count }
            throw ValidationError("--sizes: '\(text)' is not a size like 1024, 1KiB, 1MiB or 100MiB")
        }
    }

    private func makeScratchDirectory() throws -> String {
        let base = scratch ?? ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        let path = base + "/sluice-bench-gate-\(getpid())"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Writes `size` bytes of a non-repeating-looking pattern to `path`, 1 MiB at a time.
    private func writeInput(size: Int, to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw ValidationError("cannot create \(path)")
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let chunk = Data(
            (0..<min(size, 1 << 20)).map { _ in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return UInt8(truncatingIfNeeded: state >> 56)
            })
        var written = 0
        while written < size {
            let count = min(chunk.count, size - written)
            try handle.write(contentsOf: chunk.prefix(count))
            written += count
        }
    }
}

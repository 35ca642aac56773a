import ArgumentParser

/// `sluice-bench`: in-process measurements behind `Benchmarks/hashing.sh` (not shipped, not a test).
///
/// A target of the main package rather than a separate `Benchmarks/Package.swift`: Sluice's module API is
/// `package`, which a separate package cannot see, and exporting library products only for a benchmark would make
/// that API public. Being an executable target also keeps the measurement out of the `sluice` product.
struct SluiceBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice-bench",
        abstract: "Measure the gate's per-input cost and SHA-256 throughput (medians; build with -c release).",
        subcommands: [GateBenchmark.self, SHA256Benchmark.self]
    )
}

SluiceBench.main()

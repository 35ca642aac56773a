// swift-tools-version: 6.2
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Sluice",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "sluice", targets: ["sluice"])
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"]), .brew(["libsodium"])]
        ),
        .systemLibrary(
            name: "CArchive",
            pkgConfig: "libarchive",
            providers: [.apt(["libarchive-dev"]), .brew(["libarchive"])]
        ),
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]
        ),
        .target(name: "SluiceExpressions", swiftSettings: strictSettings),
        .target(
            name: "SluiceSpec",
            dependencies: ["SluiceExpressions", .product(name: "Yams", package: "Yams")],
            swiftSettings: strictSettings
        ),
        // Governance reads `require` expressions (SluiceExpressions, itself without dependencies): the lineage policy
        // decides constraints with no engine, store or runtime.
        .target(
            name: "SluiceGovernance", dependencies: ["CSodium", "COpenSSL", "SluiceExpressions"],
            swiftSettings: strictSettings
        ),
        // One SQLite call Swift cannot make (a variadic function), for SluiceStore.
        .target(name: "CStoreShims"),
        .target(
            name: "SluiceStore",
            dependencies: [
                "SluiceGovernance", "SluiceSpec", "SluiceExpressions", "CStoreShims",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
        // The Linux calls SluiceRuntimes' log pump makes that Swift's Glibc module does not export (epoll, splice).
        .target(name: "CRuntimeShims"),
        .target(
            name: "SluiceRuntimes",
            dependencies: [
                "CRuntimeShims",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: strictSettings
        ),
        // What a run plans without effects: rendering, loop expansion, DAG scheduling, node state, engine errors.
        // Pure functions of the spec and a scope, tested without processes, files or a store.
        .target(
            name: "SluicePlan", dependencies: ["SluiceSpec", "SluiceExpressions"], swiftSettings: strictSettings
        ),
        // A run's governance: submission admission, the live input gate, signing lineage, the signed outcome.
        .target(
            name: "SluiceLineage",
            dependencies: ["SluicePlan", "SluiceSpec", "SluiceExpressions", "SluiceGovernance", "SluiceStore"],
            swiftSettings: strictSettings
        ),
        // Argo's Workflow object of a run (ArgoWorkflow): get -o json/yaml, export, the report, verify BUNDLE, replay.
        .target(
            name: "SluiceStatus",
            dependencies: ["SluiceStore", "SluiceSpec", "SluicePlan", "SluiceExpressions", "SluiceGovernance"],
            swiftSettings: strictSettings),
        // Bounded concurrency for starting node tasks (no dependencies): the parallelism limiter, the start queue.
        .target(name: "SluiceConcurrency", swiftSettings: strictSettings),
        .target(
            name: "SluiceEngine",
            dependencies: [
                "SluiceConcurrency", "SluiceLineage", "SluiceStatus", "SluicePlan", "SluiceSpec", "SluiceExpressions",
                "SluiceGovernance",
                "SluiceStore", "SluiceRuntimes",
            ],
            swiftSettings: strictSettings
        ),
        // Auditing a run afterwards: export bundles, their offline verification, replay, `verify RUN`, envelope
        // conformance. Every decision is SluiceGovernance's LineagePolicy; this target gathers the facts.
        .target(
            name: "SluiceAudit",
            dependencies: ["SluiceEngine", "SluiceSpec", "SluiceGovernance", "SluiceStore", "CArchive"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SluiceCLI",
            dependencies: [
                "SluiceAudit", "SluiceEngine", "SluiceSpec", "SluiceGovernance", "SluiceStore", "SluiceRuntimes",
                "SluiceKube",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        // `sluice kube render|…`, `sluice wrap`, `sluice signer`: governed pods on Argo (issue 11).
        .target(name: "CKubeShims"),
        .target(
            name: "SluiceKube",
            dependencies: [
                "SluiceAudit", "SluiceEngine", "SluiceSpec", "SluiceExpressions", "SluiceGovernance", "SluiceRuntimes",
                "CKubeShims",
            ],
            swiftSettings: strictSettings
        ),
        // The process runtime's sandbox launcher (C, no dependencies), found beside `sluice` at run time: building
        // `sluice` builds it too.
        // A static executable: swiftc links every executable with the Swift runtime and libstdc++, which the launcher
        // never calls and which the dynamic loader would map and relocate at every node's start (about 10% of a
        // fan-out's samples); static, it starts without ld.so.
        .executableTarget(
            name: "sluice-sandbox", cSettings: [.unsafeFlags(["-O2"])],
            linkerSettings: [.unsafeFlags(["-static-executable"])]),
        .executableTarget(
            name: "sluice", dependencies: ["SluiceCLI", "sluice-sandbox"], swiftSettings: strictSettings),
        // Measurements for Benchmarks/hashing.sh; a target here because a separate package cannot see `package` API.
        .executableTarget(
            name: "sluice-bench",
            dependencies: [
                "SluiceGovernance", "SluiceTesting", "CSodium",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/sluice-bench",
            swiftSettings: strictSettings
        ),
        .target(
            name: "SluiceTesting",
            dependencies: [
                "SluiceGovernance", "SluiceStore", "SluiceSpec", .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "SluiceExpressionsTests", dependencies: ["SluiceExpressions"], swiftSettings: strictSettings),
        .testTarget(name: "SluiceConcurrencyTests", dependencies: ["SluiceConcurrency"], swiftSettings: strictSettings),
        .testTarget(
            name: "SluiceSpecTests",
            dependencies: ["SluiceSpec", "SluiceTesting", .product(name: "Yams", package: "Yams")],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SluiceGovernanceTests",
            dependencies: ["SluiceGovernance", "SluiceTesting"],
            // Run by path (InteropTests, EnvelopeInteropTests), not a resource.
            exclude: ["interop"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SluiceStoreTests", dependencies: ["SluiceStore", "SluiceTesting"], swiftSettings: strictSettings),
        .testTarget(
            name: "SluiceRuntimesTests",
            dependencies: ["SluiceRuntimes", "SluiceTesting", "sluice-sandbox"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SluicePlanTests", dependencies: ["SluicePlan", "SluiceSpec", "SluiceExpressions"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SluiceEngineTests",
            dependencies: ["SluiceEngine", "SluiceAudit", "SluiceTesting", "sluice-sandbox"],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SluiceKubeTests",
            dependencies: [
                "SluiceKube", "SluiceAudit", "SluiceEngine", "SluiceSpec", "SluiceGovernance", "SluiceTesting",
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SluiceCLITests",
            dependencies: ["SluiceCLI", "SluiceTesting"],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)

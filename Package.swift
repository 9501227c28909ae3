// swift-tools-version: 6.1
import PackageDescription

/// Every Swift target opts into the same upcoming features as swift-log and Hummingbird:
/// existentials are spelled `any`, and imports are internal unless marked `public import`.
///
/// `MYCELIUM_WARNINGS_AS_ERRORS=1` (set by `.ci/run`) turns the package's own warnings into
/// errors; the flag is never set for a package that depends on this one.
let swiftSettings: [SwiftSetting] =
    [
        .enableUpcomingFeature("ExistentialAny"),
        .enableUpcomingFeature("InternalImportsByDefault"),
    ] + (Context.environment["MYCELIUM_WARNINGS_AS_ERRORS"] == nil ? [] : [.unsafeFlags(["-warnings-as-errors"])])

let package = Package(
    name: "mycelium",
    products: [
        .library(name: "MyceliumCore", targets: ["MyceliumCore"]),
        .library(name: "MyceliumKit", targets: ["MyceliumKit"]),
        .library(name: "MyceliumBackends", targets: ["MyceliumBackends"]),
        .library(name: "MyceliumTestKit", targets: ["MyceliumTestKit"]),
        .library(name: "ContractStore", targets: ["ContractStore"]),
        .library(name: "MyceliumContracts", targets: ["MyceliumContracts"]),
        .executable(name: "mycelium", targets: ["mycelium"]),
        .plugin(name: "MyceliumGenerator", targets: ["MyceliumGenerator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(
            name: "CCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(name: "CEpoll"),
        // SHA-256 over the system's libcrypto: the catalog's contract digest and the
        // broker's token hashes (access control). MyceliumKit and ContractStore depend on it,
        // and so on CCrypto (libcrypto); MyceliumCore stays free of it.
        .target(
            name: "MyceliumHashing",
            dependencies: ["CCrypto"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MyceliumCore",
            swiftSettings: swiftSettings
        ),
        // The bundled contracts (contracts/contracts.yaml) as generated Swift, committed:
        // `mycelium generate swift contracts/contracts.yaml --output Sources/MyceliumContracts`.
        .target(
            name: "MyceliumContracts",
            dependencies: ["MyceliumCore"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MyceliumKit",
            dependencies: [
                "MyceliumCore",
                "MyceliumHashing",
                "CEpoll",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "CPoolThreadCache"),
        .target(name: "CFutex"),
        .target(
            name: "MyceliumBackends",
            dependencies: ["MyceliumCore", "CPoolThreadCache", "CFutex"],
            path: "Sources/Backends",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MyceliumTestKit",
            dependencies: ["MyceliumCore"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ContractStore",
            dependencies: [
                "MyceliumCore",
                "MyceliumHashing",
                "CSQLite",
                "Yams",
            ],
            resources: [.embedInCode("BundledContracts/contracts.yaml")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "mycelium",
            dependencies: [
                "MyceliumKit",
                "MyceliumBackends",
                "ContractStore",
                "MyceliumHashing",
                "Yams",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Fixtures shared by the test targets (brokers, raw test clients, waits with deadlines).
        .target(
            name: "MyceliumTestSupport",
            dependencies: ["MyceliumKit"],
            path: "Tests/MyceliumTestSupport",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "mycelium-generate",
            dependencies: ["ContractStore"],
            swiftSettings: swiftSettings
        ),
        .plugin(
            name: "MyceliumGenerator",
            capability: .buildTool(),
            dependencies: ["mycelium-generate"]
        ),
        .testTarget(
            name: "MyceliumCoreTests",
            dependencies: ["MyceliumCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MyceliumKitTests",
            dependencies: [
                "MyceliumKit",
                "MyceliumBackends",
                "MyceliumTestSupport",
                "MyceliumContracts",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ContractStoreTests",
            dependencies: ["ContractStore", "MyceliumCore", "CSQLite", "MyceliumContracts"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "myceliumTests",
            dependencies: [
                "mycelium", "MyceliumKit", "MyceliumBackends", "ContractStore", "CSQLite", "MyceliumTestSupport",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BackendsTests",
            dependencies: ["MyceliumBackends", "MyceliumCore", "MyceliumKit", "MyceliumTestKit", "MyceliumTestSupport"],
            swiftSettings: swiftSettings
        ),
    ]
)

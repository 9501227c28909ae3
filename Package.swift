// swift-tools-version: 6.1
import PackageDescription

/// Every Swift target opts into the same upcoming features as swift-log and Hummingbird:
/// existentials are spelled `any`, and imports are internal unless marked `public import`.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "mycelium",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "MyceliumKit", targets: ["MyceliumKit"]),
        .library(name: "MyceliumBackends", targets: ["MyceliumBackends"]),
        .library(name: "MyceliumTestKit", targets: ["MyceliumTestKit"]),
        .library(name: "ContractStore", targets: ["ContractStore"]),
        .executable(name: "mycelium", targets: ["mycelium"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
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
        .target(
            name: "MyceliumKit",
            dependencies: [
                "CEpoll",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "CPoolThreadCache"),
        .target(name: "CFutex"),
        .target(
            name: "MyceliumBackends",
            dependencies: ["MyceliumKit", "CPoolThreadCache", "CFutex"],
            path: "Sources/Backends",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MyceliumTestKit",
            dependencies: ["MyceliumKit"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ContractStore",
            dependencies: [
                "MyceliumKit",
                "CSQLite",
                "CCrypto",
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
                "Yams",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MyceliumKitTests",
            dependencies: ["MyceliumKit", "MyceliumBackends"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ContractStoreTests",
            dependencies: ["ContractStore", "MyceliumKit", "CSQLite"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "myceliumTests",
            dependencies: ["mycelium", "MyceliumKit", "MyceliumBackends", "ContractStore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BackendsTests",
            dependencies: ["MyceliumBackends", "MyceliumKit", "MyceliumTestKit"],
            swiftSettings: swiftSettings
        ),
    ]
)

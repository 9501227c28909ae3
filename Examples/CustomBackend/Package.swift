// swift-tools-version: 6.1
import PackageDescription

/// The same upcoming features as the root package: `any P`, and imports internal unless
/// marked `public import`.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// SwiftPM names a path dependency after its directory, so the root package is known by
/// whatever its checkout is called (`mycelium`, or a worktree's name), not by its manifest's
/// name.
let root = Context.packageDirectory.split(separator: "/").dropLast(2).last.map { $0.lowercased() } ?? "mycelium"

let package = Package(
    name: "CustomBackend",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "StackPool", targets: ["StackPool"]),
        .executable(name: "custom-backend", targets: ["custom-backend"]),
    ],
    dependencies: [
        .package(path: "../..")
    ],
    targets: [
        .target(
            name: "StackPool",
            dependencies: [.product(name: "MyceliumKit", package: root)],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "custom-backend",
            dependencies: [
                "StackPool",
                .product(name: "MyceliumKit", package: root),
                .product(name: "MyceliumBackends", package: root),
                .product(name: "MyceliumTestKit", package: root),
            ],
            swiftSettings: swiftSettings,
            plugins: [.plugin(name: "MyceliumGenerator", package: root)]
        ),
    ]
)

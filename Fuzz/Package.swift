// swift-tools-version: 6.1
import PackageDescription

/// Coverage-guided fuzz targets (libFuzzer), in a package of their own so that the root's
/// normal and sanitizer builds never see the fuzzer's flags. Each target is an executable
/// whose entry point is libFuzzer's `LLVMFuzzerTestOneInput`; build and run them with
/// `Scripts/fuzz.sh TARGET SECONDS`.
let package = Package(
    name: "MyceliumFuzz",
    dependencies: [
        .package(name: "mycelium", path: "..")
    ],
    targets: [
        fuzzTarget("FuzzContracts", dependencies: [.product(name: "ContractStore", package: "mycelium")]),
        fuzzTarget("FuzzCodec", dependencies: [.product(name: "ContractStore", package: "mycelium")]),
        fuzzTarget("FuzzBroker", dependencies: ["FuzzSupport", .product(name: "MyceliumKit", package: "mycelium")]),
        fuzzTarget("FuzzClient", dependencies: ["FuzzSupport", .product(name: "MyceliumKit", package: "mycelium")]),
        fuzzTarget("FuzzNATS", dependencies: [.product(name: "MyceliumKit", package: "mycelium")]),
        .target(name: "FuzzSupport", dependencies: [.product(name: "MyceliumKit", package: "mycelium")]),
    ]
)

/// An executable target built with `-parse-as-library`: libFuzzer provides `main`.
func fuzzTarget(_ name: String, dependencies: [Target.Dependency]) -> Target {
    .executableTarget(
        name: name,
        dependencies: dependencies,
        swiftSettings: [.unsafeFlags(["-parse-as-library"])]
    )
}

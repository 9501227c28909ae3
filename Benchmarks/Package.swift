// swift-tools-version: 6.1
import PackageDescription

/// Benchmarks live in their own package so the root builds without the benchmark plugin's
/// tools, and sanitizer and fuzzer builds never see them.
let package = Package(
    name: "MyceliumBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "mycelium", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "PoolBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MyceliumKit", package: "mycelium"),
                .product(name: "MyceliumBackends", package: "mycelium"),
            ],
            path: "PoolBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "BrokerBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MyceliumKit", package: "mycelium"),
                .product(name: "MyceliumBackends", package: "mycelium"),
            ],
            path: "BrokerBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)

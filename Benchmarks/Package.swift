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
        // The benchmark library's malloc counter, named here so the tools can switch it on.
        .package(url: "https://github.com/ordo-one/malloc-interposer.git", from: "1.5.0"),
    ],
    targets: [
        .target(
            name: "BenchmarkSupport",
            dependencies: [.product(name: "Benchmark", package: "benchmark")],
            path: "BenchmarkSupport"
        ),
        .target(name: "CThreadAffinity", path: "CThreadAffinity"),
        .target(
            name: "PoolWorkload",
            dependencies: [
                "CThreadAffinity",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MyceliumKit", package: "mycelium"),
                .product(name: "MyceliumBackends", package: "mycelium"),
            ],
            path: "PoolWorkload"
        ),
        benchmarkExecutable("PoolBenchmarks", dependencies: ["PoolWorkload"]),
        benchmarkExecutable("BrokerBenchmarks", dependencies: [.product(name: "MyceliumContracts", package: "mycelium")]),
        benchmarkExecutable("MessageBenchmarks", dependencies: [.product(name: "MyceliumContracts", package: "mycelium")]),
        poolTool("PoolPairs", dependencies: [.product(name: "MyceliumKit", package: "mycelium")]),
        poolTool("PoolInstructions"),
    ]
)

/// A tool that runs the pool workload outside the benchmark plugin, with malloc counting it
/// can switch on. It lives in `Tools/`, not at this folder's top level: the benchmark plugin
/// runs every executable whose folder sits directly in a folder named Benchmarks.
func poolTool(_ name: String, dependencies: [Target.Dependency] = []) -> Target {
    .executableTarget(
        name: name,
        dependencies: dependencies + [
            "PoolWorkload",
            .product(name: "MallocInterposerSwift", package: "malloc-interposer"),
        ],
        path: "Tools/\(name)"
    )
}

/// An executable of benchmarks in the folder of its name, run by the benchmark plugin.
func benchmarkExecutable(_ name: String, dependencies: [Target.Dependency] = []) -> Target {
    .executableTarget(
        name: name,
        dependencies: dependencies + [
            "BenchmarkSupport",
            .product(name: "Benchmark", package: "benchmark"),
            .product(name: "MyceliumKit", package: "mycelium"),
            .product(name: "MyceliumBackends", package: "mycelium"),
        ],
        path: name,
        plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    )
}

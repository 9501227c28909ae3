public import Benchmark

extension Benchmark.Configuration {
    /// What every Mycelium benchmark measures and for how long: wall-clock time and heap
    /// allocations (counted over all threads), 1000 operations per sample, after 5 warm-up
    /// samples, for 2 seconds. Shorter runs (2,000 samples, ~0.1 s for a pool) landed whole
    /// in one of the VM's fast or slow phases; `Scripts/bench-pools.sh` runs the pool suite
    /// several times and reports medians.
    public static var mycelium: Self {
        .init(
            metrics: [.wallClock, .mallocCountTotal],
            warmupIterations: 5,
            scalingFactor: .kilo,
            maxDuration: .seconds(2),
            maxIterations: 1_000_000
        )
    }
}

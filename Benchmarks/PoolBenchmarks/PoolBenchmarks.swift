import Benchmark
import BenchmarkSupport
import PoolWorkload

/// Scenarios from issue 3, each against malloc/free, the seed port and every built-in
/// backend, the pooled ones both held by type and through the registry (`-any`; see
/// ``Subject``). Times are per acquire/write/release (the inner loop runs 1000 times per sample);
/// mallocs are counted over all threads. Pooled backends are warmed before measuring, so
/// what is measured is the steady state.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .mycelium
    let subjects: [Subject]
    do {
        subjects = try Subject.all()
    } catch {
        print("cannot make the pools: \(error)")
        return
    }
    for subject in subjects {
        Benchmark("SingleThread.\(subject.name)") { benchmark in
            try subject.acquireWriteRelease(benchmark.scaledIterations.count, 0)
        }
        let partner = Worker { iterations in try subject.acquireWriteRelease(iterations, 37) }
        Benchmark("TwoThreads.\(subject.name)") { benchmark in
            partner.start(benchmark.scaledIterations.count)
            try subject.acquireWriteRelease(benchmark.scaledIterations.count, 0)
            partner.wait()
        }
        let handoff = subject.makeHandoff()
        Benchmark("CrossThreadRelease.\(subject.name)") { benchmark in
            try handoff.run(benchmark.scaledIterations.count)
        }
        Benchmark("FanOut4.\(subject.name)") { benchmark in
            try subject.fanOut(benchmark.scaledIterations.count)
        }
    }
}

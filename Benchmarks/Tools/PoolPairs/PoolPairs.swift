import Foundation
import MallocInterposerSwift
import MyceliumKit
import PoolWorkload

/// The pool scenarios timed in interleaved pairs, for a machine whose speed moves by up to
/// 2x in phases of seconds.
///
/// The benchmark suite times each subject alone for 2 seconds, so two subjects of one run
/// can land in different phases, and a ratio between them moves with the phases. Here
/// every round times each subject for one short burst, back to back, and ratios are taken
/// within a round: a phase slows both sides alike, and the median over rounds is steady
/// from run to run.
///
/// `malloc` goes through the Benchmark library's interposer with counting on, as in the
/// suite while it measures, so its ratios compare with the suite's (the issue's targets).
/// `malloc (C library)` calls the C library's own malloc past the interposer, which about
/// halves its time here (interposed and counting 60 ns, counting off 45-55 ns, bare 30 ns):
/// the second ratio column is what a program that does not link the interposer would see.
///
///     cd Benchmarks && swift run -c release PoolPairs [rounds]
@main
enum PoolPairs {
    static func main() throws {
        let rounds = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 60
        var subjects = try Subject.all()
        subjects.insert(Subject.uncountedMalloc, at: 1)
        MallocInterposerSwift.hook()
        print("Interleaved pairs: \(rounds) rounds; median per-op time and median per-round ratios.")
        try report(
            "SingleThread", subjects, rounds: rounds, operations: 20_000,
            run: { index, operations in try subjects[index].acquireWriteRelease(operations, 0) })
        let handoffs = subjects.map { $0.makeHandoff() }
        try report(
            "CrossThreadRelease", subjects, rounds: rounds, operations: 5_000,
            run: { index, operations in try handoffs[index].run(operations) })
    }

    /// Times `run` (subject index, operations) for every subject in each of `rounds` rounds (after one to warm up), and
    /// prints per subject the median ns per operation, its median ratio to malloc, and how
    /// many times faster than the seed port it is (median of per-round ratios).
    static func report(
        _ scenario: String, _ subjects: [Subject], rounds: Int, operations: Int,
        run: (_ subject: Int, _ operations: Int) throws -> Void
    ) throws {
        var times = Array(repeating: [Double](), count: subjects.count)
        var warm: [PoolStats?] = []
        for round in 0...rounds {
            for index in subjects.indices {
                let start = nanoseconds()
                try run(index, operations)
                if round > 0 { times[index].append(Double(nanoseconds() - start) / Double(operations)) }
            }
            if round == 0 { warm = subjects.map { $0.stats() } }
        }
        let malloc = subjects.firstIndex { $0.name == Subject.malloc.name }.unsafelyUnwrapped
        let cMalloc = subjects.firstIndex { $0.name == Subject.uncountedMalloc.name }.unsafelyUnwrapped
        let seed = subjects.firstIndex { $0.name == "seed" }.unsafelyUnwrapped
        print(
            "\n| \(scenario) | ns/op (median) | × malloc (median of rounds) | × C library malloc (median of rounds) "
                + "| × faster than seed (median of rounds) | hit rate after the warm-up round |")
        print("|---|---|---|---|---|---|")
        for (index, subject) in subjects.enumerated() {
            let ratio = median((0..<rounds).map { times[index][$0] / times[malloc][$0] })
            let cRatio = median((0..<rounds).map { times[index][$0] / times[cMalloc][$0] })
            let speedup = median((0..<rounds).map { times[seed][$0] / times[index][$0] })
            var hitRate = "–"
            if let before = warm[index], let after = subject.stats(), after.acquires > before.acquires {
                hitRate = String(format: "%.4f", Double(after.hits - before.hits) / Double(after.acquires - before.acquires))
            }
            print(
                "| \(subject.name) | \(String(format: "%.1f", median(times[index]))) | \(String(format: "%.2f", ratio)) "
                    + "| \(String(format: "%.2f", cRatio)) | \(String(format: "%.1f", speedup)) | \(hitRate) |")
        }
    }

    static func median(_ values: [Double]) -> Double {
        values.sorted()[values.count / 2]
    }

    static func nanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}

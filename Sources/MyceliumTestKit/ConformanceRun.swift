import Glibc
import MyceliumCore
import Synchronization

/// One run of ``PoolConformance``: the checks and the failures they found.
struct ConformanceRun {
    let conformance: PoolConformance
    let makePool: (PoolConfiguration) throws -> any PoolBackend
    var failures: [PoolConformance.Failure] = []

    /// Classes of 128, 1024 and 4096 bytes with small regions, so growth is cheap to reach.
    static let plan = SizeClassPlan(classes: [
        .init(size: 128, capacity: 4), .init(size: 1024, capacity: 2), .init(size: 4096, capacity: 2),
    ])

    init(conformance: PoolConformance, makePool: @escaping (PoolConfiguration) throws -> any PoolBackend) {
        self.conformance = conformance
        self.makePool = makePool
    }

    private mutating func expect(_ condition: Bool, _ check: String, _ message: @autoclosure () -> String) {
        if !condition { failures.append(.init(check: check, message: message())) }
    }

    /// Makes a pool, runs `body`, then checks that the stats hold Architecture.md's invariants and
    /// that every buffer came back exactly once.
    private mutating func withPool(
        _ check: String, plan: SizeClassPlan = Self.plan, budget: Int = PoolConfiguration.defaultMemoryBudget,
        policy: PoolConfiguration.OverflowPolicy = .allocate, body: (inout Self, any PoolBackend) throws -> Void
    ) {
        let configuration = PoolConfiguration(plan: plan, memoryBudget: budget, overflowPolicy: policy)
        let pool: any PoolBackend
        do {
            pool = try makePool(configuration)
        } catch {
            expect(false, check, "makePool threw: \(error)")
            return
        }
        do {
            try body(&self, pool)
        } catch {
            expect(false, check, "unexpected error: \(error)")
        }
        let stats = pool.stats()
        checkInvariants(stats, check, budget: budget)
        expect(stats.inUse == 0, check, "\(stats.inUse) buffers still in use after every handle was dropped")
        expect(
            stats.acquires == stats.returns, check,
            "\(stats.acquires) acquires but \(stats.returns) returns: a buffer was returned twice or never")
    }

    private mutating func checkInvariants(_ stats: PoolStats, _ check: String, budget: Int) {
        for counters in stats.classes + [stats.unclassified] {
            let scope = counters.size == 0 ? "above every class" : "class \(counters.size)"
            expect(
                counters.hits + counters.allocations + counters.misses == counters.acquires, check,
                "\(scope): hits \(counters.hits) + allocations \(counters.allocations) + misses \(counters.misses) != acquires \(counters.acquires)"
            )
            expect(
                counters.inUse == counters.acquires - counters.returns, check,
                "\(scope): in use \(counters.inUse) != acquires \(counters.acquires) - returns \(counters.returns)")
            expect(
                counters.highWater >= counters.inUse, check,
                "\(scope): high water \(counters.highWater) < in use \(counters.inUse)")
        }
        expect(stats.unclassified.bytesReserved == 0, check, "requests above every class reserved pool memory")
        expect(stats.bytesReserved <= budget, check, "\(stats.bytesReserved) bytes reserved, over the budget of \(budget)")
        let expectedRate = stats.acquires == 0 ? 1.0 : Double(stats.hits) / Double(stats.acquires)
        expect(stats.hitRate == expectedRate, check, "hit rate \(stats.hitRate), expected \(expectedRate)")
    }

    mutating func lazyStart() {
        let check = "lazy start"
        withPool(check) { run, pool in
            let before = pool.stats()
            run.expect(
                before.classes.map(\.size) == Self.plan.classes.map(\.size), check,
                "stats classes \(before.classes.map(\.size)), plan classes \(Self.plan.classes.map(\.size))")
            run.expect(
                before.classes.map(\.capacity) == Self.plan.classes.map(\.capacity), check,
                "stats capacities \(before.classes.map(\.capacity)), plan capacities \(Self.plan.classes.map(\.capacity))")
            run.expect(before.bytesReserved == 0, check, "\(before.bytesReserved) bytes reserved before any acquire")
            run.expect(before.acquires == 0 && before.hitRate == 1.0, check, "a fresh pool shows \(before.acquires) acquires")
            let buffer = try pool.acquire(byteCount: 100)
            let after = pool.stats()
            run.expect(after.classes.first?.acquires == 1, check, "an acquire of 100 bytes did not count in class 128")
            if run.conformance.claims.pools {
                run.expect((after.classes.first?.bytesReserved ?? 0) > 0, check, "class 128 reserved nothing on first use")
                run.expect(
                    after.classes.dropFirst().allSatisfy { $0.bytesReserved == 0 }, check,
                    "classes never used reserved memory: \(after.classes.map(\.bytesReserved))")
                run.expect(after.allocations == 1, check, "first acquire counted \(after.allocations) allocations, expected 1")
            }
            release(buffer)
        }
    }

    mutating func classSelection() {
        let check = "class selection"
        withPool(check) { run, pool in
            for (request, classIndex) in [(1, 0), (100, 0), (128, 0), (129, 1), (1024, 1), (1025, 2), (4096, 2)] {
                let before = pool.stats().classes[classIndex].acquires
                var buffer = try pool.acquire(byteCount: request)
                run.expect(
                    buffer.capacity == Self.plan.classes[classIndex].size, check,
                    "a \(request)-byte request got \(buffer.capacity) bytes, expected class \(Self.plan.classes[classIndex].size)"
                )
                run.expect(
                    pool.stats().classes[classIndex].acquires == before + 1, check,
                    "a \(request)-byte request was not counted in class \(Self.plan.classes[classIndex].size)")
                buffer.withUnsafeMutableBytes { _ = $0.initializeMemory(as: UInt8.self, repeating: 0x5A) }
                release(buffer)
            }
        }
    }

    mutating func invalidSizes() {
        let check = "invalid size"
        withPool(check) { run, pool in
            for size in [0, -1, Int.min] {
                do {
                    let buffer = try pool.acquire(byteCount: size)
                    run.expect(false, check, "acquire(byteCount: \(size)) returned a \(buffer.capacity)-byte buffer")
                    release(buffer)
                } catch {
                    run.expect((error as? PoolError) == .invalidSize(size), check, "acquire(byteCount: \(size)) threw \(error)")
                }
            }
            run.expect(pool.stats().acquires == 0, check, "invalid requests were counted as acquires")
        }
    }

    mutating func aboveEveryClass() {
        let check = "above every class"
        for policy in PoolConfiguration.OverflowPolicy.allCases {
            withPool(check, policy: policy) { run, pool in
                var buffer = try pool.acquire(byteCount: 5_000)
                run.expect(buffer.capacity >= 5_000, check, "a 5000-byte request got \(buffer.capacity) bytes")
                buffer.withUnsafeMutableBytes { _ = $0.initializeMemory(as: UInt8.self, repeating: 0xA5) }
                buffer.count = buffer.capacity
                let stats = pool.stats()
                run.expect(
                    stats.unclassified.misses == 1 && stats.unclassified.acquires == 1, check,
                    "policy \(policy): above every class counted \(stats.unclassified.misses) misses, \(stats.unclassified.acquires) acquires; expected 1 each"
                )
                run.expect(stats.classes.allSatisfy { $0.acquires == 0 }, check, "a request above every class counted in a class")
                release(buffer)
                run.expect(pool.stats().unclassified.returns == 1, check, "the heap buffer's return was not counted")
            }
        }
    }

    mutating func exactlyOnceReturn() {
        let check = "exactly-once return"
        withPool(check) { run, pool in
            let sizes = [100, 600, 3000, 100, 5_000]
            for round in 0..<2 {
                let before = pool.stats()
                let slots = HandleSlots<PooledBuffer>(count: 40)
                defer { slots.deallocate() }
                for index in 0..<slots.count { slots.put(try pool.acquire(byteCount: sizes[index % sizes.count]), at: index) }
                run.expect(pool.stats().inUse == slots.count, check, "\(pool.stats().inUse) in use while 40 are held")
                for index in 0..<slots.count { release(slots.take(at: index)) }
                let after = pool.stats()
                run.expect(
                    after.returns - before.returns == slots.count, check,
                    "round \(round): 40 handles dropped, \(after.returns - before.returns) returns counted")
                if round == 1 && run.conformance.claims.pools {
                    run.expect(
                        after.hits - before.hits == 32, check,
                        "second round of the same requests: \(after.hits - before.hits) hits, expected 32 (8 are above every class)"
                    )
                }
            }
        }
    }

    mutating func fanOut() {
        let check = "fan-out"
        withPool(check) { run, pool in
            var buffer = try pool.acquire(byteCount: 600)
            buffer.append(contentsOf: repeatElement(UInt8(0x42), count: 600))
            let first = buffer.share()
            let holders = HandleSlots<SharedBuffer>(count: 3)
            defer { holders.deallocate() }
            for index in 0..<3 { holders.put(first.share(), at: index) }
            run.expect(first.holderCount() == 4, check, "4 holders, holderCount() says \(first.holderCount())")
            let contents = first.copyBytes()
            run.expect(contents == [UInt8](repeating: 0x42, count: 600), check, "a holder does not see the bytes written")
            ConformanceThreads.run(count: 2) { index in release(holders.take(at: index)) }
            run.expect(pool.stats().returns == 0, check, "the buffer was returned while 2 holders remain")
            run.expect(first.holderCount() == 2, check, "2 holders left, holderCount() says \(first.holderCount())")
            release(holders.take(at: 2))
            run.expect(pool.stats().returns == 0, check, "the buffer was returned while 1 holder remains")
            let last = HandleSlots<SharedBuffer>(count: 1)
            defer { last.deallocate() }
            last.put(first, at: 0)
            ConformanceThreads.run(count: 1) { _ in release(last.take(at: 0)) }
            run.expect(
                pool.stats().returns == 1, check, "the last holder's drop returned \(pool.stats().returns) buffers, expected 1")
        }
    }

    mutating func crossThreadRelease() {
        let check = "cross-thread release"
        withPool(check) { run, pool in
            let count = 32
            for round in 0..<2 {
                let before = pool.stats()
                let slots = HandleSlots<PooledBuffer>(count: count)
                defer { slots.deallocate() }
                for index in 0..<count {
                    var buffer = try pool.acquire(byteCount: index.isMultiple(of: 2) ? 100 : 600)
                    if run.conformance.claims.zeroes {
                        run.expect(
                            buffer.withUnsafeMutableBytes { $0.allSatisfy { $0 == 0 } }, check,
                            "round \(round): a buffer was handed out with non-zero bytes after a release on another thread")
                    }
                    buffer.append(contentsOf: repeatElement(UInt8(0xEE), count: 64))
                    slots.put(buffer, at: index)
                }
                ConformanceThreads.run(count: 1) { _ in
                    for index in 0..<count { release(slots.take(at: index)) }
                }
                let after = pool.stats()
                run.expect(
                    after.returns - before.returns == count, check,
                    "round \(round): \(count) buffers released on another thread, \(after.returns - before.returns) returns counted"
                )
                if round == 1 && run.conformance.claims.pools {
                    run.expect(
                        after.hits - before.hits == count, check,
                        "buffers released on another thread were not reused: \(after.hits - before.hits) hits of \(count)")
                }
            }
        }
    }

    mutating func concurrentAcquireRelease() {
        let check = "concurrent acquire/release"
        let threads = conformance.threadCount
        let iterations = conformance.iterations
        let timeLimit = conformance.timeLimit
        let deadline = Self.now() + timeLimit
        withPool(check) { run, pool in
            let held = Lock<Set<UInt>>([])
            let problems = Lock<[String]>([])
            let completed = Atomic<Int>(0)
            let sendablePool = SendablePool(pool: pool)
            ConformanceThreads.run(count: threads) { thread in
                let sizes = [100, 600, 3000, 100, 128, 5_000]
                for iteration in 0..<iterations {
                    guard Self.now() < deadline else { return }
                    do {
                        var first = try sendablePool.pool.acquire(byteCount: sizes[(iteration + thread) % sizes.count])
                        var second = try sendablePool.pool.acquire(byteCount: sizes[(iteration + thread + 1) % sizes.count])
                        let stamp = UInt64(thread) << 32 | UInt64(iteration)
                        for address in [UInt(bitPattern: first.baseAddress), UInt(bitPattern: second.baseAddress)] {
                            let inserted = held.withLock { $0.insert(address).inserted }
                            if !inserted { problems.withLock { $0.append("buffer at \(address) handed out twice at once") } }
                        }
                        first.withUnsafeMutableBytes { $0.storeBytes(of: stamp, as: UInt64.self) }
                        second.withUnsafeMutableBytes { $0.storeBytes(of: ~stamp, as: UInt64.self) }
                        first.count = 8
                        second.count = 8
                        let intact =
                            first.withUnsafeBytes { $0.load(as: UInt64.self) } == stamp
                            && second.withUnsafeBytes { $0.load(as: UInt64.self) } == ~stamp
                        if !intact {
                            problems.withLock { $0.append("thread \(thread): a held buffer was overwritten by another holder") }
                        }
                        held.withLock {
                            $0.remove(UInt(bitPattern: first.baseAddress))
                            $0.remove(UInt(bitPattern: second.baseAddress))
                        }
                        release(first)
                        release(second)
                        completed.add(1, ordering: .relaxed)
                    } catch {
                        problems.withLock { $0.append("thread \(thread): acquire threw \(error)") }
                        return
                    }
                }
            }
            for problem in problems.withLock({ Array($0.prefix(5)) }) { run.expect(false, check, problem) }
            let done = completed.load(ordering: .relaxed)
            // A slow machine (or a sanitizer) may stop the rounds at the time limit; that is
            // not a broken promise, but no progress at all is.
            run.expect(
                done >= threads || done == threads * iterations, check,
                "only \(done) of \(threads * iterations) rounds finished within \(timeLimit) s: the pool stalls under concurrent use"
            )
            let stats = pool.stats()
            run.expect(stats.acquires == 2 * done, check, "\(2 * done) acquires made, \(stats.acquires) counted")
        }
    }

    mutating func zeroing() {
        let check = "zeroing"
        withPool(check) { run, pool in
            for request in [100, 600, 3000] {
                let slots = HandleSlots<PooledBuffer>(count: 6)
                defer { slots.deallocate() }
                for round in 0..<2 {
                    for index in 0..<slots.count {
                        var buffer = try pool.acquire(byteCount: request)
                        let zero = buffer.withUnsafeMutableBytes { $0.allSatisfy { $0 == 0 } }
                        run.expect(zero, check, "round \(round): a \(request)-byte buffer was handed out with non-zero bytes")
                        buffer.append(contentsOf: repeatElement(UInt8(0xCD), count: buffer.capacity))
                        slots.put(buffer, at: index)
                    }
                    for index in 0..<slots.count { release(slots.take(at: index)) }
                }
            }
        }
    }

    mutating func growthAndTrim() {
        let check = "region growth and trim"
        withPool(check) { run, pool in
            let capacity = Self.plan.classes[0].capacity
            let slots = HandleSlots<PooledBuffer>(count: capacity + 1)
            defer { slots.deallocate() }
            for index in 0..<capacity { slots.put(try pool.acquire(byteCount: 100), at: index) }
            let oneRegion = pool.stats().classes[0].bytesReserved
            let regionBytes = Self.plan.classes[0].regionBytes
            run.expect(
                oneRegion == regionBytes, check,
                "one region of \(capacity) buffers reserved \(oneRegion) bytes, expected size × capacity = \(regionBytes)")
            slots.put(try pool.acquire(byteCount: 100), at: capacity)
            var stats = pool.stats()
            run.expect(
                stats.classes[0].bytesReserved == 2 * oneRegion, check,
                "the buffer past the first region's \(capacity) grew the class to \(stats.classes[0].bytesReserved) bytes, expected 2 regions = \(2 * oneRegion)"
            )
            run.expect(
                stats.classes[0].allocations == capacity + 1, check,
                "\(stats.classes[0].allocations) allocations, expected \(capacity + 1)")
            for index in 1...capacity { release(slots.take(at: index)) }
            stats = pool.stats()
            run.expect(stats.classes[0].bytesReserved == 2 * oneRegion, check, "memory was given back before trim()")
            run.expect(
                stats.classes[0].highWater >= capacity + 1, check, "high water \(stats.classes[0].highWater) < \(capacity + 1)")
            pool.trim()
            run.expect(
                pool.stats().classes[0].bytesReserved == oneRegion, check,
                "trim() with one buffer out left \(pool.stats().classes[0].bytesReserved) bytes, expected the busy region's \(oneRegion)"
            )
            release(slots.take(at: 0))
            pool.trim()
            stats = pool.stats()
            run.expect(stats.bytesReserved == 0, check, "trim() with nothing in use left \(stats.bytesReserved) bytes reserved")
            run.expect(stats.classes[0].acquires == capacity + 1, check, "trim() changed the acquire count")
            let again = try pool.acquire(byteCount: 100)
            run.expect(
                pool.stats().classes[0].bytesReserved == oneRegion, check, "after trim() a class did not grow again on use")
            release(again)
        }
    }

    /// The one-region reservation of class 128 and a budget of two and a half of them.
    private func budgetForTwoRegions() throws -> (oneRegion: Int, budget: Int) {
        let pool = try makePool(PoolConfiguration(plan: Self.plan))
        let probe = try pool.acquire(byteCount: 100)
        let oneRegion = pool.stats().classes[0].bytesReserved
        release(probe)
        return (oneRegion, 2 * oneRegion + oneRegion / 2)
    }

    mutating func budgetUnderFail() {
        let check = "budget, fail policy"
        guard let (oneRegion, budget) = try? budgetForTwoRegions() else {
            expect(false, check, "could not measure a region of class 128")
            return
        }
        let capacity = Self.plan.classes[0].capacity
        withPool(check, budget: budget, policy: .fail) { run, pool in
            let slots = HandleSlots<PooledBuffer>(count: 2 * capacity)
            defer { slots.deallocate() }
            for index in 0..<2 * capacity { slots.put(try pool.acquire(byteCount: 100), at: index) }
            do {
                let extra = try pool.acquire(byteCount: 100)
                run.expect(
                    false, check, "acquire past a spent budget returned a \(extra.capacity)-byte buffer instead of throwing")
                release(extra)
            } catch {
                run.expect(
                    (error as? PoolError) == .budgetExhausted(requested: 100, budget: budget), check,
                    "acquire past the budget threw \(error), expected budgetExhausted(requested: 100, budget: \(budget))")
            }
            let stats = pool.stats()
            run.expect(
                stats.bytesReserved == 2 * oneRegion, check,
                "\(stats.bytesReserved) bytes reserved, expected 2 regions = \(2 * oneRegion)")
            run.expect(stats.acquires == 2 * capacity, check, "the refused acquire was counted")
            release(slots.take(at: 0))
            let reused = try pool.acquire(byteCount: 100)
            run.expect(pool.stats().hits == 1, check, "a returned buffer was not reused after the budget was spent")
            release(reused)
            for index in 1..<2 * capacity { release(slots.take(at: index)) }
        }
    }

    mutating func budgetUnderAllocate() {
        let check = "budget, allocate policy"
        guard let (oneRegion, budget) = try? budgetForTwoRegions() else {
            expect(false, check, "could not measure a region of class 128")
            return
        }
        let capacity = Self.plan.classes[0].capacity
        withPool(check, budget: budget, policy: .allocate) { run, pool in
            let slots = HandleSlots<PooledBuffer>(count: 2 * capacity + 1)
            defer { slots.deallocate() }
            for index in 0...2 * capacity { slots.put(try pool.acquire(byteCount: 100), at: index) }
            let stats = pool.stats().classes[0]
            run.expect(stats.misses == 1, check, "a request past the budget counted \(stats.misses) misses, expected 1")
            run.expect(stats.inUse == 2 * capacity + 1, check, "\(stats.inUse) in use, expected \(2 * capacity + 1)")
            run.expect(
                stats.bytesReserved == 2 * oneRegion, check, "the heap miss changed reserved bytes to \(stats.bytesReserved)")
            for index in 0...2 * capacity { release(slots.take(at: index)) }
        }
    }

    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

/// The pool under test, handed to the check's threads (every backend is `Sendable`).
private struct SendablePool: Sendable {
    let pool: any PoolBackend
}

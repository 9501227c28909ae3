import Foundation
import MyceliumBackends
import MyceliumCore
import Testing

@Suite("Bad input and misuse of pools")
struct PoolMisuseTests {
    static let plan = SizeClassPlan(classes: [.init(size: 128, capacity: 4)])

    @Test(arguments: ["arena", "lockfree", "mutex", "system"])
    func sizeBelowOneIsATypedError(name: String) throws {
        let pool = try PoolRegistry.builtIn.make(name, configuration: PoolConfiguration(plan: Self.plan))
        for size in [0, -3] {
            #expect(throws: PoolError.invalidSize(size)) { _ = try pool.acquire(byteCount: size) }
        }
        #expect(PoolError.invalidSize(0).description == "cannot acquire a buffer of 0 bytes: ask for at least 1 byte")
        #expect(pool.stats().acquires == 0)
    }

    @Test(arguments: ["arena", "lockfree", "mutex", "system"])
    func requestAboveEveryClassIsAHeapMissThatIsReturned(name: String) throws {
        let pool = try PoolRegistry.builtIn.make(
            name, configuration: PoolConfiguration(plan: Self.plan, overflowPolicy: .fail))
        do {
            var buffer = try pool.acquire(byteCount: 10_000)
            #expect(buffer.capacity >= 10_000)
            buffer.append(contentsOf: repeatElement(UInt8(1), count: 10_000))
        }
        let stats = pool.stats()
        #expect(stats.unclassified.misses == 1 && stats.unclassified.returns == 1 && stats.inUse == 0)
        #expect(stats.bytesReserved == 0)
    }

    @Test(arguments: ["arena", "lockfree", "mutex"])
    func spentBudgetUnderFailThrowsAndStaysWithinBudget(name: String) throws {
        // The budget counts buffer bytes only (Architecture.md: a region is size × capacity):
        // 1,000 bytes hold one region of 4 × 128 bytes (512), not two (1,024).
        let pool = try PoolRegistry.builtIn.make(
            name, configuration: PoolConfiguration(plan: Self.plan, memoryBudget: 1_000, overflowPolicy: .fail))
        let first = try pool.acquire(byteCount: 64)
        let second = try pool.acquire(byteCount: 64)
        let third = try pool.acquire(byteCount: 64)
        let fourth = try pool.acquire(byteCount: 64)
        #expect(throws: PoolError.budgetExhausted(requested: 64, budget: 1_000)) { _ = try pool.acquire(byteCount: 64) }
        #expect(pool.stats().bytesReserved == Self.plan.classes[0].regionBytes)
        #expect(pool.stats().acquires == 4)
        #expect(
            PoolError.budgetExhausted(requested: 64, budget: 1_000).description
                == "pool memory budget of 1000 bytes is spent; a 64-byte buffer must wait until buffers are returned (or raise the budget, or use the 'allocate' overflow policy)"
        )
        _ = consume first
        _ = consume second
        _ = consume third
        _ = consume fourth
        #expect(pool.stats().inUse == 0)
    }

    @Test(arguments: ["arena", "lockfree", "mutex"])
    func budgetOfExactlyTwoRegionsHoldsTwoRegions(name: String) throws {
        // Per-slot bookkeeping (links, control memory) is not charged to the budget, so a
        // budget of exactly two regions' buffer bytes grows the class twice.
        let budget = 2 * Self.plan.classes[0].regionBytes
        let pool = try PoolRegistry.builtIn.make(
            name, configuration: PoolConfiguration(plan: Self.plan, memoryBudget: budget, overflowPolicy: .fail))
        // Holds `count` buffers at once (on the stack: arrays cannot hold them), then runs `body`.
        func holding(_ count: Int, _ body: () throws -> Void) throws {
            guard count > 0 else { return try body() }
            let buffer = try pool.acquire(byteCount: 128)
            try holding(count - 1, body)
            _ = consume buffer
        }
        try holding(8) {
            #expect(pool.stats().bytesReserved == budget)
            #expect(throws: PoolError.budgetExhausted(requested: 128, budget: budget)) {
                _ = try pool.acquire(byteCount: 128)
            }
        }
        #expect(pool.stats().inUse == 0 && pool.stats().allocations == 8)
    }

    @Test(arguments: ["arena", "lockfree", "mutex"])
    func planWithMoreClassesThanTokensCanNameIsATypedError(name: String) throws {
        func plan(classes: Int) -> SizeClassPlan {
            SizeClassPlan(classes: (1...classes).map { .init(size: $0 * 16, capacity: 1) })
        }
        let largest = try PoolRegistry.builtIn.make(
            name, configuration: PoolConfiguration(plan: plan(classes: 4_095), memoryBudget: 1 << 16))
        #expect(try largest.acquire(byteCount: 4_095 * 16).capacity == 4_095 * 16)
        #expect {
            _ = try PoolRegistry.builtIn.make(
                name, configuration: PoolConfiguration(plan: plan(classes: 4_096), memoryBudget: 1 << 16))
        } throws: { error in
            (error as? PoolRegistryError)?.description
                == "pool backend '\(name)' failed to start: the size-class plan has 4096 classes; this pool supports at most 4095: use fewer classes (a plan derived with SizeClassPlan(payloadSizes:) has one per power of two)"
        }
    }

    /// In a process of its own: running out of thread-specific keys here would fail every
    /// suite that makes a pool meanwhile.
    @Test func morePoolsThanThreadKeysIsATypedErrorNamingTheLimit() async {
        await #expect(processExitsWith: .success) {
            // A budget of a few buffers keeps each pool's region tables tiny: at the default
            // 256 MiB a thousand pools reserve gigabytes of tables, which slowed the thread
            // sanitizer's run of this process to 100 s.
            let configuration = PoolConfiguration(
                plan: SizeClassPlan(classes: [.init(size: 128, capacity: 1)]), memoryBudget: 1 << 10)
            let limit = sysconf(Int32(_SC_THREAD_KEYS_MAX))
            let expected =
                "pool backend 'lockfree' failed to start: cannot make another pool with per-thread state: the process has used all its \(limit) thread-specific keys, one per live arena or lockfree pool; share pools or release ones no longer used (a mutex pool needs no key)"
            var alive: [any PoolBackend] = []
            for index in 0..<(limit + 10) {
                do {
                    let name = index.isMultiple(of: 2) ? "arena" : "lockfree"
                    alive.append(try PoolRegistry.builtIn.make(name, configuration: configuration))
                } catch {
                    let description = (error as? PoolRegistryError)?.description ?? "\(error)"
                    // The mutex pool still works, and the first pool made after one is gone.
                    guard description.replacingOccurrences(of: "'arena'", with: "'lockfree'") == expected,
                        (try? PoolRegistry.builtIn.make("mutex", configuration: configuration)) != nil
                    else {
                        print("unexpected after \(alive.count) pools: \(description)")
                        exit(2)
                    }
                    alive.removeLast()
                    exit((try? PoolRegistry.builtIn.make("arena", configuration: configuration)) == nil ? 3 : 0)
                }
            }
            print("made \(alive.count) pools without running out of keys")
            exit(1)
        }
    }

    @Test func tooManyClassesIsThrownByTheInitializers() {
        let configuration = PoolConfiguration(
            plan: SizeClassPlan(classes: (1...5_000).map { .init(size: $0 * 16, capacity: 1) }), memoryBudget: 1 << 16)
        let expected = PoolError.tooManyClasses(count: 5_000, limit: 4_095)
        #expect(throws: expected) { _ = try ArenaPool(configuration: configuration) }
        #expect(throws: expected) { _ = try LockFreePool(configuration: configuration) }
        #expect(throws: expected) { _ = try MutexPool(configuration: configuration) }
    }

    @Test func unknownBackendNameListsTheRegisteredOnes() {
        #expect {
            _ = try PoolRegistry.builtIn.make("slab", configuration: PoolConfiguration(plan: Self.plan))
        } throws: { error in
            (error as? PoolRegistryError)?.description
                == "unknown pool backend 'slab'; registered: arena, lockfree, mutex, system"
        }
    }

    @Test func throwingFactoryErrorNamesTheBackend() throws {
        struct Refused: Error, CustomStringConvertible {
            var description: String { "no hugepages available" }
        }
        var registry = PoolRegistry.builtIn
        try registry.register("hugepages", description: "huge-page arena") { _ in throw Refused() }
        #expect {
            _ = try registry.make("hugepages", configuration: PoolConfiguration(plan: Self.plan))
        } throws: { error in
            (error as? PoolRegistryError)?.description == "pool backend 'hugepages' failed to start: no hugepages available"
        }
    }

    @Test func builtInNamesCannotBeTakenAgain() {
        var registry = PoolRegistry.builtIn
        #expect {
            try registry.register("arena", description: "mine") { SystemPool(configuration: $0) }
        } throws: { error in
            (error as? PoolRegistryError)?.description == "a pool backend named 'arena' is registered already; pick another name"
        }
    }
}

/// Destroying a pool while a buffer from it is out stops the process, naming the pool and
/// the count: the buffer's handle would otherwise return memory to freed memory.
@Suite("A pool destroyed with buffers out")
struct PoolDestroyedWithBuffersOutTests {
    @Test(arguments: ["arena", "lockfree", "mutex", "system"])
    func isAPreconditionFailureNamingThePoolAndTheCount(name: String) async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [name] in
            // Kept out of any scope, so that only the pool is destroyed below.
            let kept = UnsafeMutablePointer<PooledBuffer>.allocate(capacity: 2)
            do {
                let pool = try PoolRegistry.builtIn.make(name, configuration: PoolConfiguration(plan: PoolMisuseTests.plan))
                kept.initialize(to: try pool.acquire(byteCount: 16))
                (kept + 1).initialize(to: try pool.acquire(byteCount: 300))
            }
            print("the pool was destroyed without stopping the process; \(kept[0].capacity) bytes still out")
        }
        guard let result else { return }  // the expectation above failed already
        let message = String(decoding: result.standardErrorContent, as: UTF8.self)
        #expect(
            message.contains(
                "pool '\(name)' destroyed with 2 buffer(s) still out; keep the pool (or its broker or client) alive until every buffer from it is dropped"
            ), "\(message)")
    }
}

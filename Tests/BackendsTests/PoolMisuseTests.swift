import MyceliumBackends
import MyceliumKit
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
        // One region of 4 × 128-byte buffers (with headers) fits in 1,000 bytes; two do not.
        let pool = try PoolRegistry.builtIn.make(
            name, configuration: PoolConfiguration(plan: Self.plan, memoryBudget: 1_000, overflowPolicy: .fail))
        let first = try pool.acquire(byteCount: 64)
        let second = try pool.acquire(byteCount: 64)
        let third = try pool.acquire(byteCount: 64)
        let fourth = try pool.acquire(byteCount: 64)
        #expect(throws: PoolError.budgetExhausted(requested: 64, budget: 1_000)) { _ = try pool.acquire(byteCount: 64) }
        #expect(pool.stats().bytesReserved > 0 && pool.stats().bytesReserved <= 1_000)
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

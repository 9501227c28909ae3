import Glibc
import MyceliumBackends
import MyceliumCore
import MyceliumTestKit
import MyceliumTestSupport
import Synchronization
import Testing

/// What a library user might write: a heap-backed backend with its own counters. It proves
/// that a backend outside this package can be registered and pass the suite.
private final class CountingHeapPool: PoolBackend {
    let name: String
    let configuration: PoolConfiguration
    private let counters: Lock<[PoolClassStats]>

    init(name: String, configuration: PoolConfiguration) {
        self.name = name
        self.configuration = configuration
        counters = Lock(
            configuration.plan.classes.map { PoolClassStats(size: $0.size, capacity: $0.capacity) }
                + [PoolClassStats(size: 0, capacity: 0)])
    }

    func allocate(byteCount: Int) throws(PoolError) -> PoolAllocation {
        let index = configuration.plan.classIndex(forByteCount: byteCount) ?? configuration.plan.classes.count
        let capacity = index < configuration.plan.classes.count ? configuration.plan.classes[index].size : byteCount
        let memory = calloc(1, 16 + capacity)!
        counters.withLock {
            $0[index].acquires += 1
            $0[index].misses += 1
            $0[index].inUse += 1
            $0[index].highWater = max($0[index].highWater, $0[index].inUse)
        }
        return PoolAllocation(bytes: memory + 16, capacity: capacity, control: memory, token: UInt64(index))
    }

    func deallocate(_ allocation: PoolAllocation, usedByteCount: Int) {
        free(allocation.control)
        counters.withLock {
            $0[Int(allocation.token)].returns += 1
            $0[Int(allocation.token)].inUse -= 1
        }
    }

    func stats() -> PoolStats {
        let all = counters.withLock { $0 }
        return PoolStats(name: name, classes: Array(all.dropLast()), unclassified: all[all.count - 1])
    }

    func trim() {}
}

@Suite("A user's own backend, made through a registry")
struct CustomBackendConformanceTests {
    @Test func customBackendRegisteredBesideBuiltInsConforms() async throws {
        var registry = PoolRegistry.builtIn
        try registry.register("counting-heap", description: "heap per buffer, counted") { configuration in
            CountingHeapPool(name: "counting-heap", configuration: configuration)
        }
        #expect(registry.names.contains("counting-heap"))
        let filled = registry
        // The check joins threads of its own: off the cooperative pool.
        let failures = try await onThread {
            PoolConformance(claims: .init(pools: false, zeroes: true)).check { configuration in
                try filled.make("counting-heap", configuration: configuration)
            }
        }
        #expect(failures.isEmpty, "\(failures.map(\.description).joined(separator: "\n"))")
    }

    @Test func suiteReportsBrokenPromisesWithTheirCheck() async throws {
        // A heap backend that claims pooling must be caught: it never reserves regions.
        // The check joins threads of its own: off the cooperative pool.
        let failures = try await onThread {
            PoolConformance(claims: .init(pools: true, zeroes: true)).check { configuration in
                CountingHeapPool(name: "liar", configuration: configuration)
            }
        }
        #expect(failures.contains { $0.check == "lazy start" && $0.message == "class 128 reserved nothing on first use" })
        #expect(failures.contains { $0.check == "region growth and trim" })
    }
}

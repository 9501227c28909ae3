import Glibc
import Synchronization

/// The pool a ``MyceliumClient`` uses when it is given none: every buffer from the heap,
/// counted as a miss. Pass a pool from `PoolRegistry.builtIn` (module `MyceliumBackends`)
/// to reuse buffers instead.
final class HeapPool: PoolBackend {
    let name = "heap"
    let configuration = PoolConfiguration(plan: SizeClassPlan(classes: []))
    private let counters = Mutex(PoolClassStats(size: 0, capacity: 0))
    private static let controlBytes = 16

    func allocate(byteCount: Int) throws(PoolError) -> PoolAllocation {
        guard let memory = malloc(Self.controlBytes + byteCount) else {
            // A failed malloc is the budget of the whole process running out.
            throw .budgetExhausted(requested: byteCount, budget: 0)
        }
        counters.withLock { stats in
            stats.acquires += 1
            stats.misses += 1
            stats.inUse += 1
            stats.highWater = max(stats.highWater, stats.inUse)
        }
        return PoolAllocation(bytes: memory + Self.controlBytes, capacity: byteCount, control: memory, token: 0)
    }

    func deallocate(_ allocation: PoolAllocation, usedByteCount: Int) {
        free(allocation.control)
        counters.withLock { stats in
            stats.returns += 1
            stats.inUse -= 1
        }
    }

    func stats() -> PoolStats {
        PoolStats(name: name, classes: [], unclassified: counters.withLock { $0 })
    }

    func trim() {}
}

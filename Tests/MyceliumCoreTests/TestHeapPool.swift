import Glibc
import MyceliumCore
import Synchronization

/// A heap-backed backend that records every deallocation, so handle tests can see exactly
/// what the kit gave back and how often.
final class TestHeapPool: PoolBackend {
    let name = "test-heap"
    let configuration: PoolConfiguration
    let deallocations = Lock<[(address: UInt, usedByteCount: Int)]>([])

    init(configuration: PoolConfiguration = PoolConfiguration(plan: SizeClassPlan(payloadSizes: [100]))) {
        self.configuration = configuration
    }

    func allocate(byteCount: Int) throws(PoolError) -> PoolAllocation {
        let capacity = max(byteCount, configuration.plan.classes.first?.size ?? byteCount)
        let memory = calloc(1, 16 + capacity)!
        return PoolAllocation(bytes: memory + 16, capacity: capacity, control: memory, token: 0)
    }

    func deallocate(_ allocation: PoolAllocation, usedByteCount: Int) {
        deallocations.withLock { $0.append((UInt(bitPattern: allocation.bytes), usedByteCount)) }
        free(allocation.control)
    }

    func stats() -> PoolStats {
        PoolStats(name: name, classes: [], unclassified: PoolClassStats(size: 0, capacity: 0))
    }

    func trim() {}
}

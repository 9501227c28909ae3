import Glibc
public import MyceliumKit
import Synchronization

/// No pooling: every acquire is a fresh `calloc`, every release a `free`. The honest
/// baseline for benchmarks, and the backend to run under AddressSanitizer, which pooled
/// memory would blind. Every acquire counts as a miss.
public final class SystemPool: PoolBackend {
    /// The name this backend has in ``MyceliumKit/PoolRegistry/builtIn``.
    public static let registeredName = "system"

    public let name: String
    public let configuration: PoolConfiguration
    private let counters: Lock<[PoolClassStats]>
    private let unclassifiedIndex: Int

    /// Creates a heap-backed pool that reports stats per class of `configuration`'s plan.
    public init(name: String = registeredName, configuration: PoolConfiguration) {
        self.name = name
        self.configuration = configuration
        var classes = configuration.plan.classes.map { PoolClassStats(size: $0.size, capacity: $0.capacity) }
        unclassifiedIndex = classes.count
        classes.append(PoolClassStats(size: 0, capacity: 0))
        counters = Lock(classes)
    }

    private static let controlBytes = 16

    public func allocate(byteCount: Int) throws(PoolError) -> PoolAllocation {
        let index = configuration.plan.classIndex(forByteCount: byteCount) ?? unclassifiedIndex
        let capacity = index == unclassifiedIndex ? byteCount : configuration.plan.classes[index].size
        guard let memory = calloc(1, Self.controlBytes + capacity) else {
            preconditionFailure("calloc of \(Self.controlBytes + capacity) bytes failed: out of memory")
        }
        counters.withLock { stats in
            stats[index].acquires += 1
            stats[index].misses += 1
            stats[index].inUse += 1
            stats[index].highWater = max(stats[index].highWater, stats[index].inUse)
        }
        return PoolAllocation(bytes: memory + Self.controlBytes, capacity: capacity, control: memory, token: UInt64(index))
    }

    public func deallocate(_ allocation: PoolAllocation, usedByteCount: Int) {
        free(allocation.control)
        counters.withLock { stats in
            stats[Int(allocation.token)].returns += 1
            stats[Int(allocation.token)].inUse -= 1
        }
    }

    public func stats() -> PoolStats {
        let all = counters.withLock { $0 }
        return PoolStats(name: name, classes: Array(all.dropLast()), unclassified: all[unclassifiedIndex])
    }

    /// Nothing to give back: the heap holds no idle memory on the pool's behalf.
    public func trim() {}
}

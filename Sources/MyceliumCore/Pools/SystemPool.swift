import Glibc

/// No pooling: every acquire is a fresh `calloc`, every release a `free`.
///
/// The honest baseline for benchmarks, the backend to run under AddressSanitizer (which
/// pooled memory would blind), and the pool a ``MyceliumClient`` uses when it is given
/// none. It keeps the stats of a pool, per class of its plan, and every acquire counts as
/// a miss. `MyceliumBackends` registers it in `PoolRegistry.builtIn` as `system`.
///
/// ```swift
/// let pool = SystemPool(configuration: PoolConfiguration(plan: SizeClassPlan(payloadSizes: [64, 900])))
/// var buffer = try pool.acquire(byteCount: 600)   // 1024 bytes, counted in the 1024-byte class
/// ```
public final class SystemPool: PoolBackend {
    /// The name this backend is registered under in `PoolRegistry.builtIn`: `system`.
    public static let registeredName = "system"

    /// The name shown in stats.
    public let name: String
    /// The configuration the pool was made with; only its plan matters here (for the
    /// capacity handed out and the per-class stats): nothing is reserved, so there is no
    /// budget to spend and nothing to zero.
    public let configuration: PoolConfiguration
    private let counters: Lock<[PoolClassStats]>
    private let unclassifiedIndex: Int

    /// Creates a heap-backed pool that reports stats per class of `configuration`'s plan.
    ///
    /// - Parameters:
    ///   - name: the name shown in stats.
    ///   - configuration: the plan decides each buffer's capacity (its class's size, or
    ///     exactly the bytes asked for above every class).
    public init(name: String = registeredName, configuration: PoolConfiguration) {
        self.name = name
        self.configuration = configuration
        var classes = configuration.plan.classes.map { PoolClassStats(size: $0.size, capacity: $0.capacity) }
        unclassifiedIndex = classes.count
        classes.append(PoolClassStats(size: 0, capacity: 0))
        counters = Lock(classes)
    }

    deinit {
        checkNoBuffersOut(inUse: stats().inUse)
    }

    private static let controlBytes = 16

    /// Allocates a zeroed buffer of `byteCount`'s class (or of `byteCount` bytes above
    /// every class) from the heap.
    ///
    /// - Throws: ``PoolError/budgetExhausted(requested:budget:)`` when `calloc` fails: the
    ///   process itself is out of memory.
    public func allocate(byteCount: Int) throws(PoolError) -> PoolAllocation {
        let index = configuration.plan.classIndex(forByteCount: byteCount) ?? unclassifiedIndex
        let capacity = index == unclassifiedIndex ? byteCount : configuration.plan.classes[index].size
        guard let memory = calloc(1, Self.controlBytes + capacity) else {
            throw .budgetExhausted(requested: capacity, budget: configuration.memoryBudget)
        }
        counters.withLock { stats in
            stats[index].acquires += 1
            stats[index].misses += 1
            stats[index].inUse += 1
            stats[index].highWater = max(stats[index].highWater, stats[index].inUse)
        }
        return PoolAllocation(bytes: memory + Self.controlBytes, capacity: capacity, control: memory, token: UInt64(index))
    }

    /// Frees the allocation.
    public func deallocate(_ allocation: PoolAllocation, usedByteCount: Int) {
        free(allocation.control)
        counters.withLock { stats in
            stats[Int(allocation.token)].returns += 1
            stats[Int(allocation.token)].inUse -= 1
        }
    }

    /// The counters, per class of the plan and for the requests above every class.
    public func stats() -> PoolStats {
        let all = counters.withLock { $0 }
        return PoolStats(name: name, classes: Array(all.dropLast()), unclassified: all[unclassifiedIndex])
    }

    /// Nothing to give back: the heap holds no idle memory on the pool's behalf.
    public func trim() {}
}

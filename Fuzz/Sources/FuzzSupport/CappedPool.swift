public import MyceliumKit

/// A ``SystemPool`` (a `calloc` per buffer, so that AddressSanitizer sees each buffer's
/// lifetime) that refuses buffers above `limit` bytes, as a pool with a memory budget
/// does: a harness that plays the broker may announce a frame of up to 4 GiB, which a
/// client without a bound on its pool would reserve; with this it takes the path of a pool
/// out of memory instead, and the run stays within libFuzzer's memory limit.
public final class CappedPool: PoolBackend {
    private let base: SystemPool
    private let limit: Int

    /// A system pool for `plan` that refuses buffers above `limit` bytes.
    public init(plan: SizeClassPlan, limit: Int) {
        base = SystemPool(configuration: PoolConfiguration(plan: plan))
        self.limit = limit
    }

    public var name: String { "capped-system" }
    public var configuration: PoolConfiguration { base.configuration }

    public func allocate(byteCount: Int) throws(PoolError) -> PoolAllocation {
        guard byteCount <= limit else { throw .budgetExhausted(requested: byteCount, budget: limit) }
        return try base.allocate(byteCount: byteCount)
    }

    public func deallocate(_ allocation: PoolAllocation, usedByteCount: Int) {
        base.deallocate(allocation, usedByteCount: usedByteCount)
    }

    public func stats() -> PoolStats { base.stats() }

    public func trim() { base.trim() }
}

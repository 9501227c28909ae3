import MyceliumKit

extension PoolClassStats {
    /// How an acquire was served.
    enum Source {
        /// By a buffer that was used and returned before.
        case hit
        /// From fresh pool memory.
        case allocation
        /// From the heap, outside the pool.
        case miss
    }

    /// Counts an acquire, keeping Architecture.md's invariants: `hits + allocations + misses ==
    /// acquires`, `inUse == acquires - returns`, `highWater >= inUse`.
    mutating func countAcquire(_ source: Source) {
        acquires += 1
        switch source {
        case .hit: hits += 1
        case .allocation: allocations += 1
        case .miss: misses += 1
        }
        inUse += 1
        highWater = max(highWater, inUse)
    }

    /// Counts a return.
    mutating func countReturn() {
        returns += 1
        inUse -= 1
    }
}

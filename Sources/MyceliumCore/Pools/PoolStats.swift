/// Counters of one size class (or of the requests served outside every class).
///
/// Invariants: `hits + allocations + misses == acquires`, `inUse == acquires - returns`,
/// `highWater >= inUse`.
public struct PoolClassStats: Sendable, Hashable {
    /// The class size in bytes; 0 for requests above every class.
    public var size: Int
    /// Buffers per region.
    public var capacity: Int
    /// Buffers handed out and not yet returned.
    public var inUse: Int
    /// The most buffers ever in use at once.
    public var highWater: Int
    /// Buffers handed out.
    public var acquires: Int
    /// Buffers given back.
    public var returns: Int
    /// Acquires served from fresh pool memory (never handed out before).
    public var allocations: Int
    /// Acquires served by a buffer that was used and returned before.
    public var hits: Int
    /// Acquires served from the heap, outside the pool.
    public var misses: Int
    /// Bytes of pool memory this class holds.
    public var bytesReserved: Int

    /// Creates counters, all zero unless given.
    public init(
        size: Int, capacity: Int, inUse: Int = 0, highWater: Int = 0, acquires: Int = 0, returns: Int = 0,
        allocations: Int = 0, hits: Int = 0, misses: Int = 0, bytesReserved: Int = 0
    ) {
        self.size = size
        self.capacity = capacity
        self.inUse = inUse
        self.highWater = highWater
        self.acquires = acquires
        self.returns = returns
        self.allocations = allocations
        self.hits = hits
        self.misses = misses
        self.bytesReserved = bytesReserved
    }
}

/// A snapshot of a pool's counters, per class and in total.
public struct PoolStats: Sendable, Hashable {
    /// The backend's name.
    public var name: String
    /// One entry per class of the plan, ascending.
    public var classes: [PoolClassStats]
    /// Requests above every class (always heap misses).
    public var unclassified: PoolClassStats

    /// Creates a snapshot.
    public init(name: String, classes: [PoolClassStats], unclassified: PoolClassStats) {
        self.name = name
        self.classes = classes
        self.unclassified = unclassified
    }

    private func total(_ counter: KeyPath<PoolClassStats, Int>) -> Int {
        classes.reduce(unclassified[keyPath: counter]) { $0 + $1[keyPath: counter] }
    }

    /// Buffers handed out and not yet returned, over all classes.
    public var inUse: Int { total(\.inUse) }
    /// Buffers handed out.
    public var acquires: Int { total(\.acquires) }
    /// Buffers given back.
    public var returns: Int { total(\.returns) }
    /// Acquires served from fresh pool memory.
    public var allocations: Int { total(\.allocations) }
    /// Acquires served by a reused buffer.
    public var hits: Int { total(\.hits) }
    /// Acquires served from the heap.
    public var misses: Int { total(\.misses) }
    /// Bytes of pool memory held.
    public var bytesReserved: Int { total(\.bytesReserved) }
    /// The classes as a report lists them: ``classes`` ascending, then ``unclassified`` (size
    /// 0) when it served any request.
    public var reportedClasses: [PoolClassStats] {
        unclassified.acquires > 0 ? classes + [unclassified] : classes
    }
    /// `hits / acquires`, or 1.0 when nothing was acquired.
    public var hitRate: Double { acquires == 0 ? 1.0 : Double(hits) / Double(acquires) }
    /// `hit rate 99.52%` for a report, or `no acquires yet` (a rate of nothing says nothing).
    package var hitRateText: String {
        guard acquires > 0 else { return "no acquires yet" }
        let percent = (hitRate * 10_000).rounded() / 100
        return "hit rate \(percent)%"
    }
}

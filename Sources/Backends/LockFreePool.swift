public import MyceliumCore
public import Synchronization

/// A lock-free Treiber stack of free slots per size class. The head packs the top slot's
/// `index + 1` (0 = empty) with a 32-bit tag bumped on every change, in one
/// `Atomic<UInt64>`, so a stale compare-exchange fails (ABA-safe). Counters are per thread.
///
/// A class's lock is taken only to add a region and in ``trim()``, which is safe at any
/// time: free-list links live in slot headers that are never freed (see ``ClassRegions``),
/// so an acquire that raced a trim reads a valid link and fails its exchange; an acquire
/// that finds the stack empty while a trim holds its slots waits for the trim on the lock.
public final class LockFreePool: PoolBackend, @unchecked Sendable {
    /// The name this backend has in ``MyceliumKit/PoolRegistry/builtIn``.
    public static let registeredName = "lockfree"

    public let name: String
    public var configuration: PoolConfiguration { core.configuration }
    @usableFromInline let core: PoolCore
    @usableFromInline let records: ThreadRecords
    /// One stack head per class, each on its own cache line.
    @usableFromInline let heads: UnsafeMutableRawPointer
    @inlinable static var headStride: Int { 64 }

    /// Creates an empty pool; nothing is reserved until a class is first used.
    ///
    /// - Throws: ``MyceliumKit/PoolError/tooManyClasses(count:limit:)`` for a plan of more
    ///   than 4,095 classes, and ``MyceliumKit/PoolError/tooManyPools(limit:)`` when the
    ///   process already has as many arena and lock-free pools alive as it has
    ///   thread-specific keys (1,024 on Linux).
    public init(name: String = registeredName, configuration: PoolConfiguration) throws(PoolError) {
        self.name = name
        core = try PoolCore(configuration: configuration)
        records = try ThreadRecords(classCount: core.classCount)
        heads = .allocate(byteCount: max(1, core.classCount) * Self.headStride, alignment: Self.headStride)
        for index in 0..<core.classCount { head(index).initialize(to: Atomic(0)) }
    }

    deinit {
        checkNoBuffersOut(inUse: stats().inUse)
        for index in 0..<core.classCount { head(index).deinitialize(count: 1) }
        heads.deallocate()
    }

    @inlinable @inline(__always)
    func head(_ classIndex: Int) -> UnsafeMutablePointer<Atomic<UInt64>> {
        (heads + classIndex &* Self.headStride).assumingMemoryBound(to: Atomic<UInt64>.self)
    }

    @inlinable @inline(__always)
    public func allocate(byteCount: Int) throws(PoolError) -> PoolAllocation {
        let classIndex = core.classIndex(forByteCount: byteCount)
        let counters = records.current() + classIndex
        if classIndex < core.classCount, let slot = pop(classIndex) ?? refill(classIndex) {
            if slot.wasUsed {
                counters.pointee.hits.bump()
            } else {
                slot.wasUsed = true
                counters.pointee.allocations.bump()
            }
            return core.allocation(slot, classIndex: classIndex)
        }
        let allocation = try core.overflow(classIndex: classIndex, byteCount: byteCount)
        counters.pointee.misses.bump()
        return allocation
    }

    /// The slow path of an acquire that found its class empty: under the class's lock (so
    /// a trim holding the slots finishes first), pops again or grows a region, keeping one
    /// of its slots. `nil` past the budget.
    @usableFromInline
    func refill(_ classIndex: Int) -> Slot? {
        let regions = core.regions + classIndex
        return regions.pointee.growth.withLock { hint -> Slot? in
            if let slot = pop(classIndex) { return slot }
            guard let number = regions.pointee.grow(hint: &hint, budget: core.budget) else { return nil }
            push(
                (1..<regions.pointee.capacity).lazy.map { regions.pointee.slot(inRegion: number, at: $0) },
                classIndex: classIndex)
            return regions.pointee.slot(inRegion: number, at: 0)
        }
    }

    @inlinable @inline(__always)
    public func deallocate(_ allocation: PoolAllocation, usedByteCount: Int) {
        core.scrub(allocation, usedByteCount: usedByteCount)
        let classIndex = SlotToken.classIndex(allocation.token)
        if SlotToken.isHeap(allocation.token) {
            core.releaseHeap(allocation)
        } else {
            let slot = Slot(control: allocation.control)
            push(first: slot, last: slot, classIndex: classIndex)
        }
        records.currentForRelease()[classIndex].returns.bump()
    }

    @inlinable @inline(__always)
    func pop(_ classIndex: Int) -> Slot? {
        let head = head(classIndex)
        var current = head.pointee.load(ordering: .acquiring)
        while true {
            let top = UInt32(truncatingIfNeeded: current)
            guard top != 0 else { return nil }
            let slot = core.regions[classIndex].slot(at: top &- 1)
            let next = slot.link.pointee.load(ordering: .relaxed)
            let desired = (current >> 32 &+ 1) << 32 | next
            let (exchanged, original) = head.pointee.weakCompareExchange(
                expected: current, desired: desired, successOrdering: .acquiring, failureOrdering: .acquiring)
            if exchanged { return slot }
            current = original
        }
    }

    /// Pushes a chain of slots already linked from `first` to `last`.
    @inlinable @inline(__always)
    func push(first: Slot, last: Slot, classIndex: Int) {
        let head = head(classIndex)
        let top = UInt64(first.index) &+ 1
        var current = head.pointee.load(ordering: .relaxed)
        while true {
            last.link.pointee.store(current & 0xFFFF_FFFF, ordering: .relaxed)
            let (exchanged, original) = head.pointee.weakCompareExchange(
                expected: current, desired: (current >> 32 &+ 1) << 32 | top,
                successOrdering: .releasing, failureOrdering: .relaxed)
            if exchanged { return }
            current = original
        }
    }

    /// Links `slots` by index and pushes them in one exchange; the first ends on top.
    private func push(_ slots: some BidirectionalCollection<Slot>, classIndex: Int) {
        guard let first = slots.first, let last = slots.last else { return }
        for (slot, next) in zip(slots, slots.dropFirst()) {
            slot.link.pointee.store(UInt64(next.index) &+ 1, ordering: .relaxed)
        }
        push(first: first, last: last, classIndex: classIndex)
    }

    public func stats() -> PoolStats {
        records.stats(name: name, core: core)
    }

    public func trim() {
        for index in 0..<core.classCount {
            let head = head(index)
            let regions = core.regions + index
            regions.pointee.growth.withLock { hint in
                var current = head.pointee.load(ordering: .acquiring)
                while true {
                    let (exchanged, original) = head.pointee.compareExchange(
                        expected: current, desired: (current >> 32 &+ 1) << 32, ordering: .acquiring)
                    if exchanged { break }
                    current = original
                }
                var free: [Slot] = []
                var top = UInt32(truncatingIfNeeded: current)
                while top != 0 {
                    let slot = regions.pointee.slot(at: top &- 1)
                    free.append(slot)
                    top = UInt32(truncatingIfNeeded: slot.link.pointee.load(ordering: .relaxed))
                }
                push(regions.pointee.releaseIdleRegions(free, hint: &hint, budget: core.budget), classIndex: index)
            }
        }
    }
}

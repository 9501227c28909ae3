import Glibc
public import MyceliumCore
import Synchronization

/// What the `mutex`, `lockfree` and `arena` backends share: class lookup by size, the
/// regions of each class, the budget, heap misses and zeroing. Each backend adds only how
/// free slots are kept and how it counts.
///
/// A noncopyable struct stored in its pool, not a class the pool points to: its tables are
/// then one load from the pool's `self`, which shortens the chain of dependent loads every
/// acquire starts with.
///
/// The backends' `allocate` and `deallocate` are `@inlinable`, with what they touch here,
/// in ``ThreadRecords``, ``Slot`` and ``SlotToken`` `@usableFromInline`: code that holds a
/// pool by its type (`ArenaPool`, not `any PoolBackend`) gets acquire and release compiled
/// in (the release through ``MyceliumKit/PooledBuffer``'s `deinit`), which made a
/// single-thread acquire/write/release about 25 % faster (`PoolPairs`: the `-any` rows
/// against the others). Through `any PoolBackend` every call still goes through the
/// protocol.
@usableFromInline
struct PoolCore: ~Copyable, @unchecked Sendable {
    /// Buckets of request sizes by `ceil(log2(byteCount))`: one per bit of `Int`, and one
    /// for sizes below 1, which the kit never passes.
    private static let bucketCount = Int.bitWidth + 1

    let configuration: PoolConfiguration
    /// Number of classes; also the class index of requests above every class.
    @usableFromInline let classCount: Int
    /// The class sizes, then `Int.max` as a sentinel that ends every lookup.
    @usableFromInline let sizes: UnsafeMutablePointer<Int>
    /// Per bucket, the first class that can hold any request of that bucket: the lookup
    /// starts there and, for power-of-two classes, stops there, so it costs the same for
    /// every size (no branch to mispredict on a mix of sizes).
    @usableFromInline let firstCandidate: UnsafeMutablePointer<Int>
    @usableFromInline let regions: UnsafeMutablePointer<ClassRegions>
    let budget: MemoryBudget
    /// Per class (and above every class): heap buffers out now, and their peak.
    let heapInUse: UnsafeMutablePointer<Atomic<Int>>
    let heapPeak: UnsafeMutablePointer<Atomic<Int>>
    @usableFromInline let zeroes: Bool
    let failsPastBudget: Bool

    /// - Throws: ``PoolError/tooManyClasses(count:limit:)`` when the plan has more classes
    ///   than a slot token can name.
    init(configuration: PoolConfiguration) throws(PoolError) {
        let classes = configuration.plan.classes
        guard classes.count <= SlotToken.maximumClassCount else {
            throw .tooManyClasses(count: classes.count, limit: SlotToken.maximumClassCount)
        }
        self.configuration = configuration
        classCount = classes.count
        sizes = .allocate(capacity: classes.count + 1)
        regions = .allocate(capacity: max(1, classes.count))
        for (index, sizeClass) in classes.enumerated() {
            (sizes + index).initialize(to: sizeClass.size)
            (regions + index).initialize(
                to: ClassRegions(size: sizeClass.size, capacity: sizeClass.capacity, memoryBudget: configuration.memoryBudget))
        }
        (sizes + classes.count).initialize(to: .max)
        firstCandidate = .allocate(capacity: Self.bucketCount)
        for bucket in 0..<Self.bucketCount {
            let below = bucket == 0 ? 0 : bucket < Int.bitWidth ? 1 << (bucket - 1) : Int.max
            (firstCandidate + bucket).initialize(to: classes.firstIndex { $0.size > below } ?? classes.count)
        }
        budget = MemoryBudget(limit: configuration.memoryBudget)
        heapInUse = .allocate(capacity: classes.count + 1)
        heapPeak = .allocate(capacity: classes.count + 1)
        for index in 0...classes.count {
            (heapInUse + index).initialize(to: Atomic(0))
            (heapPeak + index).initialize(to: Atomic(0))
        }
        zeroes = configuration.zeroesOnRelease
        failsPastBudget = configuration.overflowPolicy == .fail
    }

    deinit {
        regions.deinitialize(count: classCount)
        regions.deallocate()
        sizes.deallocate()
        firstCandidate.deallocate()
        heapInUse.deinitialize(count: classCount + 1)
        heapInUse.deallocate()
        heapPeak.deinitialize(count: classCount + 1)
        heapPeak.deallocate()
    }

    /// The smallest class holding `byteCount` (at least 1) bytes, or ``classCount`` above
    /// every class. Requests of one bucket fall in `(2^(bucket-1), 2^bucket]`.
    @inlinable @inline(__always)
    func classIndex(forByteCount byteCount: Int) -> Int {
        let bucket = Int.bitWidth &- (byteCount &- 1).leadingZeroBitCount
        var index = firstCandidate[bucket]
        while sizes[index] < byteCount { index &+= 1 }
        return index
    }

    /// Serves a request its class cannot: above every class, or past the budget. Under the
    /// `fail` policy a class request throws; everything else comes from the heap.
    @usableFromInline
    func overflow(classIndex: Int, byteCount: Int) throws(PoolError) -> PoolAllocation {
        if classIndex < classCount && failsPastBudget {
            throw .budgetExhausted(requested: byteCount, budget: budget.limit)
        }
        let capacity = classIndex < classCount ? sizes[classIndex] : byteCount
        guard let header = calloc(1, Slot.headerBytes + capacity) else {
            preconditionFailure("calloc of \(Slot.headerBytes + capacity) bytes failed: out of memory")
        }
        let inUse = heapInUse[classIndex].add(1, ordering: .relaxed).newValue
        var peak = heapPeak[classIndex].load(ordering: .relaxed)
        while peak < inUse {
            let (exchanged, original) = heapPeak[classIndex].compareExchange(
                expected: peak, desired: inUse, ordering: .relaxed)
            if exchanged { break }
            peak = original
        }
        let slot = Slot(header: header)
        slot.prepare(index: 0, bytes: header + Slot.headerBytes)
        return PoolAllocation(
            bytes: slot.bytes, capacity: capacity, control: slot.control,
            token: SlotToken.make(classIndex: classIndex, heap: true))
    }

    /// Frees a buffer ``overflow(classIndex:byteCount:)`` handed out.
    @usableFromInline
    func releaseHeap(_ allocation: PoolAllocation) {
        heapInUse[SlotToken.classIndex(allocation.token)].subtract(1, ordering: .relaxed)
        free(Slot(control: allocation.control).header)
    }

    /// Zeroes the used bytes of a returned buffer when the configuration asks for it.
    @inlinable @inline(__always)
    func scrub(_ allocation: PoolAllocation, usedByteCount: Int) {
        guard zeroes && usedByteCount > 0 else { return }
        if usedByteCount <= 64 && allocation.capacity >= 64 {
            // The common small message: four 16-byte stores instead of a call to memset.
            // Bytes past `usedByteCount` are zero already, or were written without setting
            // `count`, which PooledBuffer documents as not scrubbed either way.
            for offset in Swift.stride(from: 0, to: 64, by: 16) {
                allocation.bytes.storeBytes(of: .zero, toByteOffset: offset, as: SIMD2<UInt64>.self)
            }
        } else {
            zero(allocation.bytes, byteCount: min(usedByteCount, allocation.capacity))
        }
    }

    /// Zeroes more than 64 bytes. Out of line, so the optimizer cannot merge the four inlined
    /// stores above into this call.
    @usableFromInline
    func zero(_ bytes: UnsafeMutableRawPointer, byteCount: Int) {
        memset(bytes, 0, byteCount)
    }

    /// A pool allocation for a slot of class `classIndex`.
    @inlinable @inline(__always)
    func allocation(_ slot: Slot, classIndex: Int, owner: UnsafeMutableRawPointer? = nil) -> PoolAllocation {
        PoolAllocation(
            bytes: slot.bytes, capacity: sizes[classIndex], control: slot.control,
            token: SlotToken.make(classIndex: classIndex, heap: false, owner: owner))
    }

    /// Per-class stats from counters summed by the backend; acquires are
    /// `hits + allocations + misses`. `exactHighWater` is the mutex backend's; the others
    /// pass `nil` and get a bound: slots ever used (less those trimmed) plus the heap peak,
    /// which is the true peak whenever a free list is LIFO per thread.
    func classStats(
        classIndex: Int, returns: Int, hits: Int, allocations: Int, misses: Int, exactHighWater: Int? = nil
    ) -> PoolClassStats {
        let acquires = hits + allocations + misses
        let inUse = acquires - returns
        let isClass = classIndex < classCount
        let highWater = max(
            inUse,
            exactHighWater
                ?? allocations - (isClass ? regions[classIndex].retiredUsedSlots.load(ordering: .relaxed) : 0)
                + heapPeak[classIndex].load(ordering: .relaxed))
        return PoolClassStats(
            size: isClass ? sizes[classIndex] : 0,
            capacity: isClass ? regions[classIndex].capacity : 0,
            inUse: inUse, highWater: highWater, acquires: acquires, returns: returns,
            allocations: allocations, hits: hits, misses: misses,
            bytesReserved: isClass ? regions[classIndex].reserved.load(ordering: .relaxed) : 0)
    }

    /// Splits per-class stats into a ``PoolStats``.
    func stats(name: String, _ perClass: [PoolClassStats]) -> PoolStats {
        PoolStats(name: name, classes: Array(perClass.prefix(classCount)), unclassified: perClass[classCount])
    }

    /// Grows class `classIndex` by a region and threads its slots, first on top, onto the
    /// free list at `head` (linked by header address); false past the budget.
    @usableFromInline
    func grow(_ classIndex: Int, onto head: inout UInt64) -> Bool {
        let regions = self.regions + classIndex
        return regions.pointee.growth.withLock { hint in
            guard let number = regions.pointee.grow(hint: &hint, budget: budget) else { return false }
            for position in (0..<regions.pointee.capacity).reversed() {
                let slot = regions.pointee.slot(inRegion: number, at: position)
                slot.link.pointee.store(head, ordering: .relaxed)
                head = slot.linkBits
            }
            return true
        }
    }

    /// Frees the idle regions of class `classIndex` among the free list at `head` (linked by
    /// header address), which must hold every free slot of the regions it touches; `head`
    /// keeps the rest, in the same order.
    func trim(_ classIndex: Int, list head: inout UInt64) {
        var free: [Slot] = []
        var next = head
        while let slot = Slot(linkBits: next) {
            free.append(slot)
            next = slot.link.pointee.load(ordering: .relaxed)
        }
        let regions = self.regions + classIndex
        let kept = regions.pointee.growth.withLock { hint in
            regions.pointee.releaseIdleRegions(free, hint: &hint, budget: budget)
        }
        head = 0
        for slot in kept.reversed() {
            slot.link.pointee.store(head, ordering: .relaxed)
            head = slot.linkBits
        }
    }
}

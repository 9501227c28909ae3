import Glibc
import MyceliumKit
import Synchronization

/// What the `mutex`, `lockfree` and `arena` backends share: class lookup by size, the
/// regions of each class, the budget, heap misses and zeroing. Each backend adds only how
/// free slots are kept and how it counts.
final class PoolCore: @unchecked Sendable {
    let configuration: PoolConfiguration
    /// Number of classes; also the class index of requests above every class.
    let classCount: Int
    let sizes: UnsafeMutablePointer<Int>
    let regions: UnsafeMutablePointer<ClassRegions>
    let budget: MemoryBudget
    /// Per class (and above every class): heap buffers out now, and their peak.
    let heapInUse: UnsafeMutablePointer<Atomic<Int>>
    let heapPeak: UnsafeMutablePointer<Atomic<Int>>
    let zeroes: Bool
    let failsPastBudget: Bool

    init(configuration: PoolConfiguration) {
        let classes = configuration.plan.classes
        precondition(
            classes.count < SlotToken.maximumClassCount, "a plan of \(classes.count) classes; at most 4095 are supported")
        self.configuration = configuration
        classCount = classes.count
        sizes = .allocate(capacity: max(1, classes.count))
        regions = .allocate(capacity: max(1, classes.count))
        for (index, sizeClass) in classes.enumerated() {
            (sizes + index).initialize(to: sizeClass.size)
            (regions + index).initialize(
                to: ClassRegions(size: sizeClass.size, capacity: sizeClass.capacity, memoryBudget: configuration.memoryBudget))
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
        heapInUse.deinitialize(count: classCount + 1)
        heapInUse.deallocate()
        heapPeak.deinitialize(count: classCount + 1)
        heapPeak.deallocate()
    }

    /// The smallest class holding `byteCount` bytes, or ``classCount`` above every class.
    @inline(__always)
    func classIndex(forByteCount byteCount: Int) -> Int {
        var index = 0
        while index < classCount, sizes[index] < byteCount { index &+= 1 }
        return index
    }

    /// Serves a request its class cannot: above every class, or past the budget. Under the
    /// `fail` policy a class request throws; everything else comes from the heap.
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
        return PoolAllocation(
            bytes: slot.bytes, capacity: capacity, control: slot.control,
            token: SlotToken.make(classIndex: classIndex, heap: true))
    }

    /// Frees a buffer ``overflow(classIndex:byteCount:)`` handed out.
    func releaseHeap(_ allocation: PoolAllocation) {
        heapInUse[SlotToken.classIndex(allocation.token)].subtract(1, ordering: .relaxed)
        free(Slot(control: allocation.control).header)
    }

    /// Zeroes the used bytes of a returned buffer when the configuration asks for it.
    @inline(__always)
    func scrub(_ allocation: PoolAllocation, usedByteCount: Int) {
        if zeroes && usedByteCount > 0 {
            memset(allocation.bytes, 0, min(usedByteCount, allocation.capacity))
        }
    }

    /// A pool allocation for a slot of class `classIndex`.
    @inline(__always)
    func allocation(_ slot: Slot, classIndex: Int, owner: UnsafeMutableRawPointer? = nil) -> PoolAllocation {
        PoolAllocation(
            bytes: slot.bytes, capacity: sizes[classIndex], control: slot.control,
            token: SlotToken.make(classIndex: classIndex, heap: false, owner: owner))
    }

    /// Per-class stats from counters summed by the backend. `exactHighWater` is the mutex
    /// backend's; the others pass `nil` and get a bound: slots ever used (less those trimmed)
    /// plus the heap peak, which is the true peak whenever a free list is LIFO per thread.
    func classStats(
        classIndex: Int, acquires: Int, returns: Int, hits: Int, allocations: Int, misses: Int,
        exactHighWater: Int? = nil
    ) -> PoolClassStats {
        let inUse = acquires - returns
        let isClass = classIndex < classCount
        let highWater =
            exactHighWater
            ?? max(
                inUse,
                allocations - (isClass ? regions[classIndex].retiredUsedSlots.load(ordering: .relaxed) : 0)
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
}

public import MyceliumKit
import Synchronization

/// A `Synchronization.Mutex` per size class around an intrusive free list, with the
/// counters kept inside the lock. Simple and predictable; exact stats.
public final class MutexPool: PoolBackend, @unchecked Sendable {
    /// The name this backend has in ``MyceliumKit/PoolRegistry/builtIn``.
    public static let registeredName = "mutex"

    struct ClassState {
        var free: UInt64 = 0
        var acquires = 0
        var returns = 0
        var hits = 0
        var allocations = 0
        var misses = 0
        var highWater = 0

        mutating func countAcquire() {
            acquires &+= 1
            highWater = max(highWater, acquires &- returns)
        }
    }

    public let name: String
    public var configuration: PoolConfiguration { core.configuration }
    private let core: PoolCore
    /// One lock per class, plus one for the counters of requests above every class.
    private let classes: UnsafeMutablePointer<Lock<ClassState>>

    /// Creates an empty pool; nothing is reserved until a class is first used.
    public init(name: String = registeredName, configuration: PoolConfiguration) {
        self.name = name
        core = PoolCore(configuration: configuration)
        classes = .allocate(capacity: core.classCount + 1)
        for index in 0...core.classCount { (classes + index).initialize(to: Lock(ClassState())) }
    }

    deinit {
        classes.deinitialize(count: core.classCount + 1)
        classes.deallocate()
    }

    public func allocate(byteCount: Int) throws(PoolError) -> PoolAllocation {
        let classIndex = core.classIndex(forByteCount: byteCount)
        let slot = classes[classIndex].withLock { state -> Slot? in
            guard classIndex < core.classCount else { return nil }
            if state.free == 0, let region = core.regions[classIndex].grow(budget: core.budget) {
                let regions = core.regions + classIndex
                for position in (0..<regions.pointee.capacity).reversed() {
                    let slot = regions.pointee.slot(in: region, at: position)
                    slot.link.pointee.store(state.free, ordering: .relaxed)
                    state.free = slot.linkBits
                }
            }
            guard let slot = Slot(linkBits: state.free) else { return nil }
            state.free = slot.link.pointee.load(ordering: .relaxed)
            state.countAcquire()
            if slot.wasUsed {
                state.hits &+= 1
            } else {
                slot.wasUsed = true
                state.allocations &+= 1
            }
            return slot
        }
        if let slot { return core.allocation(slot, classIndex: classIndex) }
        let allocation = try core.overflow(classIndex: classIndex, byteCount: byteCount)
        classes[classIndex].withLock { state in
            state.countAcquire()
            state.misses &+= 1
        }
        return allocation
    }

    public func deallocate(_ allocation: PoolAllocation, usedByteCount: Int) {
        core.scrub(allocation, usedByteCount: usedByteCount)
        let classIndex = SlotToken.classIndex(allocation.token)
        if SlotToken.isHeap(allocation.token) {
            core.releaseHeap(allocation)
            classes[classIndex].withLock { $0.returns &+= 1 }
            return
        }
        let slot = Slot(control: allocation.control)
        classes[classIndex].withLock { state in
            slot.link.pointee.store(state.free, ordering: .relaxed)
            state.free = slot.linkBits
            state.returns &+= 1
        }
    }

    public func stats() -> PoolStats {
        core.stats(
            name: name,
            (0...core.classCount).map { index in
                let state = classes[index].withLock { $0 }
                return core.classStats(
                    classIndex: index, acquires: state.acquires, returns: state.returns, hits: state.hits,
                    allocations: state.allocations, misses: state.misses, exactHighWater: state.highWater)
            })
    }

    public func trim() {
        for index in 0..<core.classCount {
            classes[index].withLock { state in
                var free: [Slot] = []
                var next = state.free
                while let slot = Slot(linkBits: next) {
                    free.append(slot)
                    next = slot.link.pointee.load(ordering: .relaxed)
                }
                state.free = 0
                for slot in core.regions[index].releaseIdleRegions(free, budget: core.budget).reversed() {
                    slot.link.pointee.store(state.free, ordering: .relaxed)
                    state.free = slot.linkBits
                }
            }
        }
    }
}

public import MyceliumCore
public import Synchronization

/// A mutex per size class around an intrusive free list, with the counters kept inside the
/// lock. Simple and predictable; exact stats.
///
/// The locks are ``FutexLock``s in the pool's own memory, locked directly: a generic
/// `withLock` and its closure, or a call to `pthread_mutex_lock`, cost more than the rest of
/// an acquire.
public final class MutexPool: PoolBackend, @unchecked Sendable {
    /// The name this backend has in ``MyceliumKit/PoolRegistry/builtIn``.
    public static let registeredName = "mutex"

    /// One class's free list and counters, guarded by the mutex in front of it.
    @usableFromInline
    struct ClassState {
        @usableFromInline var free: UInt64 = 0
        @usableFromInline var hits = 0
        @usableFromInline var allocations = 0
        @usableFromInline var misses = 0
        @usableFromInline var returns = 0
        @usableFromInline var highWater = 0

        @inlinable
        init() {}

        @inlinable
        mutating func countAcquire() {
            highWater = max(highWater, hits &+ allocations &+ misses &- returns)
        }
    }

    /// Each class has a cache line of its own: its lock word, then its ``ClassState``.
    @inlinable static var stateOffset: Int {
        (MemoryLayout<Atomic<UInt32>>.stride + MemoryLayout<ClassState>.alignment - 1)
            & ~(MemoryLayout<ClassState>.alignment - 1)
    }
    @inlinable static var classStride: Int { (stateOffset + MemoryLayout<ClassState>.stride + 63) & ~63 }

    public let name: String
    public var configuration: PoolConfiguration { core.configuration }
    @usableFromInline let core: PoolCore
    /// One state per class, plus one for the counters of requests above every class.
    @usableFromInline let classes: UnsafeMutableRawPointer

    /// Creates an empty pool; nothing is reserved until a class is first used.
    ///
    /// - Throws: ``MyceliumKit/PoolError/tooManyClasses(count:limit:)`` for a plan of more
    ///   than 4,095 classes.
    public init(name: String = registeredName, configuration: PoolConfiguration) throws(PoolError) {
        self.name = name
        core = try PoolCore(configuration: configuration)
        classes = .allocate(byteCount: (core.classCount + 1) * Self.classStride, alignment: 64)
        for index in 0...core.classCount {
            FutexLock.initialize(at: lockWord(index))
            (classMemory(index) + Self.stateOffset).initializeMemory(as: ClassState.self, to: ClassState())
        }
    }

    deinit {
        checkNoBuffersOut(inUse: stats().inUse)
        classes.deallocate()
    }

    /// The start of class `classIndex`'s cache line.
    @inlinable @inline(__always)
    func classMemory(_ classIndex: Int) -> UnsafeMutableRawPointer {
        classes + classIndex &* Self.classStride
    }

    @inlinable @inline(__always)
    func lockWord(_ classIndex: Int) -> UnsafeMutablePointer<Atomic<UInt32>> {
        classMemory(classIndex).assumingMemoryBound(to: Atomic<UInt32>.self)
    }

    @inlinable @inline(__always)
    func mutex(_ classIndex: Int) -> FutexLock {
        FutexLock(word: lockWord(classIndex))
    }

    @inlinable @inline(__always)
    func state(_ classIndex: Int) -> UnsafeMutablePointer<ClassState> {
        (classMemory(classIndex) + Self.stateOffset).assumingMemoryBound(to: ClassState.self)
    }

    @inlinable @inline(__always)
    public func allocate(byteCount: Int) throws(PoolError) -> PoolAllocation {
        let classIndex = core.classIndex(forByteCount: byteCount)
        let state = self.state(classIndex)
        let mutex = self.mutex(classIndex)
        if classIndex < core.classCount {
            mutex.lock()
            if state.pointee.free == 0 { _ = core.grow(classIndex, onto: &state.pointee.free) }
            if let slot = Slot(linkBits: state.pointee.free) {
                state.pointee.free = slot.link.pointee.load(ordering: .relaxed)
                if slot.wasUsed {
                    state.pointee.hits &+= 1
                } else {
                    slot.wasUsed = true
                    state.pointee.allocations &+= 1
                }
                state.pointee.countAcquire()
                mutex.unlock()
                return core.allocation(slot, classIndex: classIndex)
            }
            mutex.unlock()
        }
        let allocation = try core.overflow(classIndex: classIndex, byteCount: byteCount)
        mutex.lock()
        state.pointee.misses &+= 1
        state.pointee.countAcquire()
        mutex.unlock()
        return allocation
    }

    @inlinable @inline(__always)
    public func deallocate(_ allocation: PoolAllocation, usedByteCount: Int) {
        core.scrub(allocation, usedByteCount: usedByteCount)
        let state = self.state(SlotToken.classIndex(allocation.token))
        let mutex = self.mutex(SlotToken.classIndex(allocation.token))
        if SlotToken.isHeap(allocation.token) {
            core.releaseHeap(allocation)
            mutex.lock()
            state.pointee.returns &+= 1
            mutex.unlock()
            return
        }
        let slot = Slot(control: allocation.control)
        mutex.lock()
        slot.link.pointee.store(state.pointee.free, ordering: .relaxed)
        state.pointee.free = slot.linkBits
        state.pointee.returns &+= 1
        mutex.unlock()
    }

    public func stats() -> PoolStats {
        core.stats(
            name: name,
            (0...core.classCount).map { index in
                let state = self.state(index)
                mutex(index).lock()
                defer { mutex(index).unlock() }
                return core.classStats(
                    classIndex: index, returns: state.pointee.returns, hits: state.pointee.hits,
                    allocations: state.pointee.allocations, misses: state.pointee.misses,
                    exactHighWater: state.pointee.highWater)
            })
    }

    public func trim() {
        for index in 0..<core.classCount {
            mutex(index).lock()
            core.trim(index, list: &state(index).pointee.free)
            mutex(index).unlock()
        }
    }
}

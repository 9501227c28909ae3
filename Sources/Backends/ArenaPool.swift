public import MyceliumCore
public import Synchronization

/// One sub-arena per acquiring thread (per event loop): each thread takes slots from regions
/// it grew itself, through a free list only it touches, with no atomic read-modify-write on
/// its path. A buffer released on another thread is pushed onto its owner's lock-free
/// "remote free" stack, which the owner takes whole, with one exchange, when its own list
/// runs dry. The measured winner (see `notes/POOLS.md`).
///
/// ``trim()`` frees idle regions of the calling thread and of threads that have exited; a
/// live thread's regions are trimmed only by a call from that thread.
public final class ArenaPool: PoolBackend, @unchecked Sendable {
    /// The name this backend has in ``MyceliumKit/PoolRegistry/builtIn``.
    public static let registeredName = "arena"

    public let name: String
    public var configuration: PoolConfiguration { core.configuration }
    @usableFromInline let core: PoolCore
    @usableFromInline let records: ThreadRecords

    /// Creates an empty pool; nothing is reserved until a thread first uses a class.
    ///
    /// - Throws: ``MyceliumKit/PoolError/tooManyClasses(count:limit:)`` for a plan of more
    ///   than 4,095 classes, and ``MyceliumKit/PoolError/tooManyPools(limit:)`` when the
    ///   process already has as many arena and lock-free pools alive as it has
    ///   thread-specific keys (1,024 on Linux).
    public init(name: String = registeredName, configuration: PoolConfiguration) throws(PoolError) {
        self.name = name
        core = try PoolCore(configuration: configuration)
        records = try ThreadRecords(classCount: core.classCount)
    }

    deinit {
        checkNoBuffersOut(inUse: stats().inUse)
    }

    @inlinable @inline(__always)
    public func allocate(byteCount: Int) throws(PoolError) -> PoolAllocation {
        let classIndex = core.classIndex(forByteCount: byteCount)
        let classes = records.current()
        let state = classes + classIndex
        if classIndex < core.classCount {
            if state.pointee.localFree == 0 { refill(state, classIndex: classIndex) }
            if let slot = Slot(linkBits: state.pointee.localFree) {
                state.pointee.localFree = slot.link.pointee.load(ordering: .relaxed)
                if slot.wasUsed {
                    state.pointee.hits.bump()
                } else {
                    slot.wasUsed = true
                    state.pointee.allocations.bump()
                }
                return core.allocation(slot, classIndex: classIndex, owner: UnsafeMutableRawPointer(classes))
            }
        }
        let allocation = try core.overflow(classIndex: classIndex, byteCount: byteCount)
        state.pointee.misses.bump()
        return allocation
    }

    /// Takes what other threads released, or grows a region; leaves `localFree` empty past
    /// the budget.
    @usableFromInline
    func refill(_ state: UnsafeMutablePointer<ThreadClassState>, classIndex: Int) {
        if state.pointee.remoteFree.load(ordering: .relaxed) != 0 {
            state.pointee.localFree = state.pointee.remoteFree.exchange(0, ordering: .acquiring)
            return
        }
        // Through a local: an inout access to the field is a modify access of the whole
        // record for the thread sanitizer, which then races with `stats()` reading its
        // atomic counters from another thread.
        var localFree = state.pointee.localFree
        _ = core.grow(classIndex, onto: &localFree)
        state.pointee.localFree = localFree
    }

    @inlinable @inline(__always)
    public func deallocate(_ allocation: PoolAllocation, usedByteCount: Int) {
        core.scrub(allocation, usedByteCount: usedByteCount)
        let classIndex = SlotToken.classIndex(allocation.token)
        // Whether this thread owns the slot's sub-arena, from the owner's state and the thread
        // pointer: no lookup of this thread's own state (~11 % of an arena acquire/release).
        if let owner = SlotToken.owner(allocation.token) {
            let home = owner.assumingMemoryBound(to: ThreadClassState.self) + classIndex
            if home.pointee.ownerThread.load(ordering: .relaxed) == ThreadRecords.currentThread {
                let slot = Slot(control: allocation.control)
                slot.link.pointee.store(home.pointee.localFree, ordering: .relaxed)
                home.pointee.localFree = slot.linkBits
                home.pointee.returns.bump()
                return
            }
        }
        releaseElsewhere(allocation, classIndex: classIndex)
    }

    /// Frees a heap buffer, or pushes a slot another thread owns onto its remote-free
    /// stack; counts the return on the calling thread.
    @usableFromInline
    func releaseElsewhere(_ allocation: PoolAllocation, classIndex: Int) {
        defer { records.currentForRelease()[classIndex].returns.bump() }
        if SlotToken.isHeap(allocation.token) {
            core.releaseHeap(allocation)
            return
        }
        let slot = Slot(control: allocation.control)
        let home = SlotToken.owner(allocation.token).unsafelyUnwrapped.assumingMemoryBound(to: ThreadClassState.self) + classIndex
        var current = home.pointee.remoteFree.load(ordering: .relaxed)
        while true {
            slot.link.pointee.store(current, ordering: .relaxed)
            let (exchanged, original) = home.pointee.remoteFree.weakCompareExchange(
                expected: current, desired: slot.linkBits, successOrdering: .releasing, failureOrdering: .relaxed)
            if exchanged { break }
            current = original
        }
    }

    public func stats() -> PoolStats {
        records.stats(name: name, core: core)
    }

    public func trim() {
        if let mine = records.existing() { trim(mine) }
        records.forEachRecord { record in
            guard
                record.pointee.state.compareExchange(
                    expected: ThreadRecord.orphaned, desired: ThreadRecord.claimed, ordering: .acquiringAndReleasing
                ).exchanged
            else { return }
            trim(record)
            record.pointee.state.store(ThreadRecord.orphaned, ordering: .releasing)
        }
    }

    /// Frees the idle regions of a record the caller owns or has claimed.
    private func trim(_ record: UnsafeMutablePointer<ThreadRecord>) {
        for index in 0..<core.classCount {
            let state = record.pointee.classes + index
            // Slots other threads released join the owner's list first: a region is idle
            // only when every one of its slots is back.
            var list = state.pointee.remoteFree.exchange(0, ordering: .acquiring)
            if var tail = Slot(linkBits: list) {
                while let next = Slot(linkBits: tail.link.pointee.load(ordering: .relaxed)) { tail = next }
                tail.link.pointee.store(state.pointee.localFree, ordering: .relaxed)
            } else {
                list = state.pointee.localFree
            }
            core.trim(index, list: &list)
            state.pointee.localFree = list
        }
    }
}

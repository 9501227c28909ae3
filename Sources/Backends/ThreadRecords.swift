import Glibc
import MyceliumKit
import Synchronization

/// Counters and free lists one thread keeps for one class of a pool. Only the owning thread
/// writes the counters (relaxed load + store: no read-modify-write on its path); stats
/// readers on other threads sum them. `localFree` and `remoteFree` serve the arena.
struct ThreadClassState: ~Copyable {
    let acquires = Atomic<Int>(0)
    let returns = Atomic<Int>(0)
    let hits = Atomic<Int>(0)
    let allocations = Atomic<Int>(0)
    let misses = Atomic<Int>(0)
    /// The owner's free slots, linked by address; touched only by the owner.
    var localFree: UInt64 = 0
    /// Slots released by other threads, linked by address: pushed with a CAS, taken by the
    /// owner all at once with one exchange.
    let remoteFree = Atomic<UInt64>(0)
}

extension Atomic where Value == Int {
    /// `+= 1` for a counter only one thread writes.
    @inline(__always)
    func bump() {
        store(load(ordering: .relaxed) &+ 1, ordering: .relaxed)
    }
}

/// One thread's state in one pool: a claim flag and a ``ThreadClassState`` per class (plus
/// one for requests above every class).
struct ThreadRecord: ~Copyable {
    static let owned = 0
    static let orphaned = 1
    static let claimed = 2

    /// ``owned`` while its thread lives; ``orphaned`` after it exits, until another thread
    /// adopts it or a trim claims it for a moment.
    let state = Atomic<Int>(ThreadRecord.owned)
    let classes: UnsafeMutablePointer<ThreadClassState>
}

/// The per-thread records of one pool, found through a pthread key. A thread gets a record
/// the first time it touches the pool; when it exits the record is orphaned, and the next
/// new thread adopts it with its free slots. Records live as long as the pool.
final class ThreadRecords: @unchecked Sendable {
    /// A `let`: reading a class `var` would pay a runtime exclusivity check on every acquire.
    private let key: pthread_key_t
    let classCount: Int
    private let all = Lock<[RecordPointer]>([])

    /// Records travel in and out of the registration lock; the lock is what makes that safe.
    private struct RecordPointer: @unchecked Sendable {
        let pointer: UnsafeMutablePointer<ThreadRecord>
    }

    init(classCount: Int) {
        self.classCount = classCount
        var key = pthread_key_t()
        let status = pthread_key_create(&key) { record in
            record?.assumingMemoryBound(to: ThreadRecord.self).pointee.state.store(
                ThreadRecord.orphaned, ordering: .releasing)
        }
        precondition(status == 0, "pthread_key_create failed (\(status)): too many pools alive in this process")
        self.key = key
    }

    deinit {
        pthread_key_delete(key)
        all.withLock { records in
            for record in records.map(\.pointer) {
                record.pointee.classes.deinitialize(count: classCount + 1)
                record.pointee.classes.deallocate()
                record.deinitialize(count: 1)
                record.deallocate()
            }
        }
    }

    /// The calling thread's record, made or adopted on first use.
    @inline(__always)
    func current() -> UnsafeMutablePointer<ThreadRecord> {
        if let record = pthread_getspecific(key) { return record.assumingMemoryBound(to: ThreadRecord.self) }
        return attach()
    }

    /// The calling thread's record if it has one.
    func existing() -> UnsafeMutablePointer<ThreadRecord>? {
        pthread_getspecific(key)?.assumingMemoryBound(to: ThreadRecord.self)
    }

    private func attach() -> UnsafeMutablePointer<ThreadRecord> {
        let record = all.withLock { records in
            for record in records.map(\.pointer)
            where record.pointee.state.compareExchange(
                expected: ThreadRecord.orphaned, desired: ThreadRecord.owned, ordering: .acquiringAndReleasing
            ).exchanged {
                return RecordPointer(pointer: record)
            }
            let classes = UnsafeMutablePointer<ThreadClassState>.allocate(capacity: classCount + 1)
            for index in 0...classCount { (classes + index).initialize(to: ThreadClassState()) }
            let record = UnsafeMutablePointer<ThreadRecord>.allocate(capacity: 1)
            record.initialize(to: ThreadRecord(classes: classes))
            records.append(RecordPointer(pointer: record))
            return RecordPointer(pointer: record)
        }.pointer
        pthread_setspecific(key, record)
        return record
    }

    /// Calls `body` with every record, under the registration lock.
    func forEachRecord(_ body: (UnsafeMutablePointer<ThreadRecord>) -> Void) {
        all.withLock { records in
            for record in records { body(record.pointer) }
        }
    }

    /// Stats summed over every thread's counters.
    func stats(name: String, core: PoolCore) -> PoolStats {
        all.withLock { records in
            core.stats(
                name: name,
                (0...classCount).map { index in
                    var totals = (acquires: 0, returns: 0, hits: 0, allocations: 0, misses: 0)
                    for record in records {
                        let counters = record.pointer.pointee.classes + index
                        totals.acquires += counters.pointee.acquires.load(ordering: .relaxed)
                        totals.returns += counters.pointee.returns.load(ordering: .relaxed)
                        totals.hits += counters.pointee.hits.load(ordering: .relaxed)
                        totals.allocations += counters.pointee.allocations.load(ordering: .relaxed)
                        totals.misses += counters.pointee.misses.load(ordering: .relaxed)
                    }
                    return core.classStats(
                        classIndex: index, acquires: totals.acquires, returns: totals.returns, hits: totals.hits,
                        allocations: totals.allocations, misses: totals.misses)
                })
        }
    }
}

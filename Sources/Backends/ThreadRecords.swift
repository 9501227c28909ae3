public import CPoolThreadCache
import Glibc
import MyceliumCore
public import Synchronization

/// Counters and free lists one thread keeps for one class of a pool. Only the owning thread
/// writes the counters (a load and a releasing store: no read-modify-write on its path);
/// stats readers on other threads sum them. There is no acquire counter: acquires are
/// `hits + allocations + misses`, so every snapshot holds that invariant by construction.
/// `localFree` and `remoteFree` serve the arena.
@usableFromInline
struct ThreadClassState: ~Copyable {
    @usableFromInline let returns = Atomic<Int>(0)
    @usableFromInline let hits = Atomic<Int>(0)
    @usableFromInline let allocations = Atomic<Int>(0)
    @usableFromInline let misses = Atomic<Int>(0)
    /// The owner's free slots, linked by address; touched only by the owner.
    @usableFromInline var localFree: UInt64 = 0
    /// Slots released by other threads, linked by address: pushed with a CAS, taken by the
    /// owner all at once with one exchange.
    @usableFromInline let remoteFree = Atomic<UInt64>(0)
    /// The owning thread (``ThreadRecords/currentThread``), 0 while the record is orphaned:
    /// a release compares it with its own thread to learn whether it may push onto
    /// `localFree`. Only a thread writes its own identity here, so a thread that reads its
    /// identity back is the owner. The same for every class of a record, but kept per class
    /// so a release reads it from the cache line it then pushes onto.
    @usableFromInline let ownerThread = Atomic<UInt>(0)
}

extension Atomic where Value == Int {
    /// `+= 1` for a counter only one thread writes. The store releases, so a stats reader
    /// that sees a return (read first, acquiring) also sees the acquire that preceded it on
    /// whichever thread made it: a snapshot never shows more returns than acquires. On
    /// x86-64 a releasing store is a plain store.
    @inlinable @inline(__always)
    func bump() {
        store(load(ordering: .relaxed) &+ 1, ordering: .releasing)
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
    /// States in ``classes``: one per class and one for requests above every class.
    let stateCount: Int

    /// Whether its owners ever took a fresh slot: the only way an arena sub-arena gets
    /// slots is growing regions of its own, which it does to hand one out.
    var mayHoldFreeSlots: Bool {
        (0..<stateCount).contains { classes[$0].allocations.load(ordering: .relaxed) > 0 }
    }

    /// Names `thread` (0: none) as the owner in every class state; called by the thread
    /// that takes the record, and by the owner when it exits.
    func setOwnerThread(_ thread: UInt) {
        for index in 0..<stateCount { classes[index].ownerThread.store(thread, ordering: .relaxed) }
    }
}

/// The per-thread records of one pool, found through a pthread key. A thread gets a record
/// the first time it touches the pool; when it exits the record is orphaned, and the next
/// new thread adopts it with its free slots. Records live as long as the pool.
///
/// The record of the pool a thread used last sits in a C thread-local variable
/// (`CPoolThreadCache`): an `%fs`-relative load instead of a `pthread_getspecific` call
/// (~3 ns each) on the hot path.
@usableFromInline
final class ThreadRecords: @unchecked Sendable {
    /// Pool ids for the thread-local cache: unique for the process's life, unlike addresses.
    private static let nextID = Atomic<UInt64>(1)

    /// `let`s: reading a class `var` would pay a runtime exclusivity check on every acquire.
    private let key: pthread_key_t
    @usableFromInline let id: UInt64
    let classCount: Int
    private let all = Lock<[RecordPointer]>([])

    /// Records travel in and out of the registration lock; the lock is what makes that safe.
    private struct RecordPointer: @unchecked Sendable {
        let pointer: UnsafeMutablePointer<ThreadRecord>
    }

    /// - Throws: ``MyceliumKit/PoolError/tooManyPools(limit:)`` when the process has no
    ///   thread-specific key left.
    init(classCount: Int) throws(PoolError) {
        self.classCount = classCount
        var key = pthread_key_t()
        let status = pthread_key_create(&key) { value in
            guard let record = value?.assumingMemoryBound(to: ThreadRecord.self) else { return }
            // The thread is exiting: its cache must not lead it back to a record another
            // thread may adopt from now on.
            if mycelium_pool_thread_cache.classes == UnsafeMutableRawPointer(record.pointee.classes) {
                mycelium_pool_thread_cache = .init()
            }
            record.pointee.setOwnerThread(0)
            record.pointee.state.store(ThreadRecord.orphaned, ordering: .releasing)
        }
        if status == EAGAIN { throw .tooManyPools(limit: sysconf(Int32(_SC_THREAD_KEYS_MAX))) }
        precondition(status == 0, "pthread_key_create failed: \(String(cString: strerror(status)))")
        self.key = key
        id = Self.nextID.add(1, ordering: .relaxed).oldValue
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

    /// The calling thread's per-class states (its record's ``ThreadRecord/classes``) for an
    /// acquire, the record made or adopted on first use. The thread-local cache holds the
    /// states rather than the record: one dependent load less on every acquire and release.
    @inlinable @inline(__always)
    func current() -> UnsafeMutablePointer<ThreadClassState> {
        cached() ?? currentUncached(acquiring: true)
    }

    /// The calling thread's per-class states for counting a release. A thread without a
    /// record gets one that never held free slots rather than any orphaned record: an
    /// orphaned arena sub-arena adopted by a thread that only releases would keep its free
    /// slots from every thread until that one exits.
    @inlinable @inline(__always)
    func currentForRelease() -> UnsafeMutablePointer<ThreadClassState> {
        cached() ?? currentUncached(acquiring: false)
    }

    /// The calling thread's states if the thread-local cache holds this pool's.
    @inlinable @inline(__always)
    func cached() -> UnsafeMutablePointer<ThreadClassState>? {
        let cache = mycelium_pool_thread_cache_entry_address()
        guard cache.pointee.pool == id else { return nil }
        return cache.pointee.classes?.assumingMemoryBound(to: ThreadClassState.self)
    }

    /// The calling thread as ``ThreadClassState/ownerThread`` names it: nonzero, and unique
    /// among live threads (the address of its thread-local cache).
    @inlinable
    static var currentThread: UInt { UInt(bitPattern: mycelium_pool_thread_cache_entry_address()) }

    /// The calling thread's states when the thread-local cache holds another pool's. Kept
    /// out of line so the hot paths that call ``current()`` stay small.
    @usableFromInline @inline(never)
    func currentUncached(acquiring: Bool) -> UnsafeMutablePointer<ThreadClassState> {
        let classes = (existing() ?? attach(acquiring: acquiring)).pointee.classes
        mycelium_pool_thread_cache = .init(pool: id, classes: classes)
        return classes
    }

    /// The calling thread's record if it has one.
    func existing() -> UnsafeMutablePointer<ThreadRecord>? {
        pthread_getspecific(key)?.assumingMemoryBound(to: ThreadRecord.self)
    }

    /// Gives the calling thread a record: an orphaned one if there is one it may take, else
    /// a new one. A thread that acquires takes an orphaned sub-arena with free slots before
    /// an empty one; a thread that releases takes only an empty one (see
    /// ``currentForRelease()``).
    private func attach(acquiring: Bool) -> UnsafeMutablePointer<ThreadRecord> {
        let record = all.withLock { records in
            let orphans = records.map(\.pointer).filter {
                $0.pointee.state.load(ordering: .acquiring) == ThreadRecord.orphaned
            }
            let empty = orphans.filter { !$0.pointee.mayHoldFreeSlots }
            let candidates = acquiring ? orphans.filter { $0.pointee.mayHoldFreeSlots } + empty : empty
            for record in candidates
            where record.pointee.state.compareExchange(
                expected: ThreadRecord.orphaned, desired: ThreadRecord.owned, ordering: .acquiringAndReleasing
            ).exchanged {
                return RecordPointer(pointer: record)
            }
            let classes = UnsafeMutablePointer<ThreadClassState>.allocate(capacity: classCount + 1)
            for index in 0...classCount { (classes + index).initialize(to: ThreadClassState()) }
            let record = UnsafeMutablePointer<ThreadRecord>.allocate(capacity: 1)
            record.initialize(to: ThreadRecord(classes: classes, stateCount: classCount + 1))
            records.append(RecordPointer(pointer: record))
            return RecordPointer(pointer: record)
        }.pointer
        record.pointee.setOwnerThread(Self.currentThread)
        pthread_setspecific(key, record)
        return record
    }

    /// Calls `body` with every record, under the registration lock.
    func forEachRecord(_ body: (UnsafeMutablePointer<ThreadRecord>) -> Void) {
        all.withLock { records in
            for record in records { body(record.pointer) }
        }
    }

    /// Stats summed over every thread's counters. All returns are read before any acquire
    /// (see ``Swift/Atomic/bump()``), so `inUse` is never negative.
    func stats(name: String, core: borrowing PoolCore) -> PoolStats {
        all.withLock { records in
            core.stats(
                name: name,
                (0...classCount).map { index in
                    let returns = records.reduce(0) {
                        $0 + ($1.pointer.pointee.classes + index).pointee.returns.load(ordering: .acquiring)
                    }
                    var totals = (hits: 0, allocations: 0, misses: 0)
                    for record in records {
                        let counters = record.pointer.pointee.classes + index
                        totals.hits += counters.pointee.hits.load(ordering: .acquiring)
                        totals.allocations += counters.pointee.allocations.load(ordering: .acquiring)
                        totals.misses += counters.pointee.misses.load(ordering: .acquiring)
                    }
                    return core.classStats(
                        classIndex: index, returns: returns, hits: totals.hits, allocations: totals.allocations,
                        misses: totals.misses)
                })
        }
    }
}

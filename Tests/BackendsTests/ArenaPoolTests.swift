import Dispatch
import Synchronization
import Testing

@testable import MyceliumBackends
@testable import MyceliumKit

@Suite("The arena pool's per-thread sub-arenas")
struct ArenaPoolTests {
    /// One class of four 128-byte buffers: one region, so any growth shows in the stats.
    private func makePool() throws -> ArenaPool {
        try ArenaPool(configuration: PoolConfiguration(plan: SizeClassPlan(classes: [.init(size: 128, capacity: 4)])))
    }

    /// Runs `body` on a new POSIX thread and returns once that thread has exited, so its
    /// thread-specific destructors (which orphan its sub-arenas) have run.
    private func runOnExitedThread(_ body: @escaping @Sendable () -> Void) throws {
        try LoopThread(name: "arena test", body).join()
    }

    /// Acquires `count` 100-byte buffers, all held at once, then releases them.
    private func acquireHoldingAtOnce(_ count: Int, from pool: ArenaPool) {
        guard count > 0, let buffer = try? pool.acquire(byteCount: 100) else { return }
        acquireHoldingAtOnce(count - 1, from: pool)
        _ = consume buffer
    }

    /// The free slots waiting in `remoteFree` of every record's only class.
    private func remoteFreeSlots(_ pool: ArenaPool) -> Int {
        var count = 0
        pool.records.forEachRecord { record in
            var link = record.pointee.classes[0].remoteFree.load(ordering: .acquiring)
            while let slot = Slot(linkBits: link) {
                count += 1
                link = slot.link.pointee.load(ordering: .relaxed)
            }
        }
        return count
    }

    @Test func aThreadReleasesItsOwnBuffersIntoItsOwnListAndOtherThreadsOntoTheRemoteStack() throws {
        let pool = try makePool()
        let handoff = Mutex<PooledBuffer?>(nil)
        let own = try pool.acquire(byteCount: 100)
        try runOnExitedThread {
            handoff.withLock { $0 = try? pool.acquire(byteCount: 100) }
        }
        #expect(handoff.withLock { $0?.capacity } == 128)
        _ = consume own
        #expect(remoteFreeSlots(pool) == 0, "the owner's release went onto the remote stack")
        // Another thread's buffer (that thread has exited): onto its sub-arena's remote stack.
        handoff.withLock { $0 = nil }
        #expect(remoteFreeSlots(pool) == 1, "a release of another thread's buffer must go onto its remote stack")
    }

    @Test func theThreadThatAdoptsAnExitedThreadsSubArenaReusesItsBuffersAndOwnsThem() throws {
        let pool = try makePool()
        // This thread takes a sub-arena of its own first: a thread that has none takes an
        // orphaned one on its first acquire.
        _ = try pool.acquire(byteCount: 100)
        let handoff = Mutex<PooledBuffer?>(nil)
        try runOnExitedThread {
            handoff.withLock { $0 = try? pool.acquire(byteCount: 100) }
            // Three more, back onto this thread's own list.
            acquireHoldingAtOnce(3, from: pool)
        }
        // A thread created next may get the exited one's thread-local block, and so its
        // identity: the orphaned sub-arena must name no owner.
        var orphanOwners: [UInt] = []
        pool.records.forEachRecord { record in
            if record.pointee.state.load(ordering: .acquiring) == ThreadRecord.orphaned {
                orphanOwners.append(record.pointee.classes[0].ownerThread.load(ordering: .relaxed))
            }
        }
        #expect(orphanOwners == [0])
        // Released here, after its owner exited: onto the orphaned sub-arena's remote stack.
        handoff.withLock { $0 = nil }
        #expect(remoteFreeSlots(pool) == 1)

        let adopterSawRemoteReleases = Mutex<Int>(-1)
        try runOnExitedThread {
            // The next new thread adopts the orphaned sub-arena: four hits and no new region,
            // and its own releases go onto its own list again.
            acquireHoldingAtOnce(4, from: pool)
            adopterSawRemoteReleases.withLock { $0 = remoteFreeSlots(pool) }
        }
        #expect(adopterSawRemoteReleases.withLock { $0 } == 0, "the adopting thread's releases went onto the remote stack")
        // One region each for this thread and the exited one, none for the adopter.
        let stats = pool.stats().classes[0]
        #expect(stats.allocations == 5)
        #expect(stats.hits == 4)
        #expect(stats.misses == 0)
        #expect(stats.inUse == 0)
        #expect(stats.bytesReserved == 2 * 4 * 128)
    }

    @Test func aThreadThatOnlyReleasesLeavesAnExitedThreadsSubArenaToTheNextThreadThatAcquires() throws {
        let pool = try makePool()
        let handoff = Mutex<PooledBuffer?>(nil)
        try runOnExitedThread {
            handoff.withLock { $0 = try? pool.acquire(byteCount: 100) }
            acquireHoldingAtOnce(1, from: pool)
        }
        // This thread has never acquired from the pool: releasing the exited thread's buffer
        // must not make the orphaned sub-arena (three free slots, one coming back) its own,
        // or no thread could take those four slots while this one lives.
        handoff.withLock { $0 = nil }
        #expect(remoteFreeSlots(pool) == 1)
        try runOnExitedThread {
            acquireHoldingAtOnce(4, from: pool)
        }
        // It took them all: the two used before are hits, the two never used allocations,
        // and no second region was grown.
        let stats = pool.stats().classes[0]
        #expect(stats.bytesReserved == 4 * 128, "the thread that acquired next grew a region of its own")
        #expect(stats.hits == 2)
        #expect(stats.allocations == 4)
        #expect(stats.inUse == 0)
    }

    @Test func threadsThatOnlyReleaseTakeOverEachOthersRecords() throws {
        let pool = try makePool()
        for _ in 0..<3 {
            let handoff = Mutex<PooledBuffer?>(try pool.acquire(byteCount: 100))
            try runOnExitedThread { handoff.withLock { $0 = nil } }
        }
        var records = 0
        pool.records.forEachRecord { _ in records += 1 }
        #expect(records == 2, "each thread that only released took a record of its own")
        #expect(pool.stats().classes[0].inUse == 0)
    }

    @Test func aThreadThatAcquiresTakesAnExitedSubArenaWithFreeSlotsBeforeAnEmptyOne() throws {
        let pool = try makePool()
        let handoff = Mutex<PooledBuffer?>(try pool.acquire(byteCount: 100))
        let releaserHasARecord = DispatchSemaphore(value: 0)
        let acquirerHasExited = DispatchSemaphore(value: 0)
        // Lives until the sub-arena with free slots is orphaned, so its own empty record
        // comes first in the pool's list and is orphaned last.
        let releaser = try LoopThread(name: "releaser") {
            handoff.withLock { $0 = nil }
            releaserHasARecord.signal()
            acquirerHasExited.wait()
        }
        releaserHasARecord.wait()
        try runOnExitedThread { acquireHoldingAtOnce(1, from: pool) }
        acquirerHasExited.signal()
        releaser.join()

        try runOnExitedThread {
            acquireHoldingAtOnce(4, from: pool)
        }
        // This thread's region and the exited acquirer's, whose four slots the last thread took.
        #expect(pool.stats().classes[0].bytesReserved == 2 * 4 * 128, "the last thread took the empty record and grew a region")
    }

    @Test func liveThreadsHaveDifferentIdentities() throws {
        let other = Mutex<UInt>(0)
        let mine = ThreadRecords.currentThread
        try runOnExitedThread { other.withLock { $0 = ThreadRecords.currentThread } }
        #expect(mine != 0)
        #expect(other.withLock { $0 } != 0)
        #expect(other.withLock { $0 } != mine)
    }
}

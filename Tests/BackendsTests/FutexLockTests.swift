import Dispatch
import Foundation
import Synchronization
import Testing

@testable import MyceliumBackends

@Suite("FutexLock, the mutex pool's lock")
struct FutexLockTests {
    /// A lock word in memory of its own, freed after `body`.
    private func withLock(_ body: (FutexLock) -> Void) {
        let word = UnsafeMutablePointer<Atomic<UInt32>>.allocate(capacity: 1)
        defer { word.deallocate() }
        body(FutexLock.initialize(at: word))
    }

    @Test func excludesOtherThreadsUnderContention() {
        withLock { lock in
            // A plain counter: lost updates if two threads were ever inside at once, and a
            // race report under the thread sanitizer if it saw no ordering through the lock.
            final class Counter: @unchecked Sendable { var value = 0 }
            let counter = Counter()
            let threads = 4
            let increments = 20_000
            // Threads of their own, started together, so the increments really interleave.
            let start = DispatchSemaphore(value: 0)
            let done = DispatchGroup()
            for _ in 0..<threads {
                done.enter()
                Thread.detachNewThread {
                    start.wait()
                    for _ in 0..<increments {
                        lock.lock()
                        counter.value += 1
                        lock.unlock()
                    }
                    done.leave()
                }
            }
            for _ in 0..<threads { start.signal() }
            #expect(done.wait(timeout: .now() + 60) == .success, "the incrementing threads did not finish")
            #expect(counter.value == threads * increments)
        }
    }

    @Test func wakesAThreadThatWentToSleepWaiting() {
        final class Flags: Sendable {
            let holderLetGo = Atomic<Bool>(false)
            let waiterSawHolderLetGo = Atomic<Bool>(false)
        }
        withLock { lock in
            let flags = Flags()
            let waiterDone = DispatchSemaphore(value: 0)
            lock.lock()
            Thread.detachNewThread {
                lock.lock()
                flags.waiterSawHolderLetGo.store(flags.holderLetGo.load(ordering: .relaxed), ordering: .relaxed)
                lock.unlock()
                waiterDone.signal()
            }
            // Long past the spinning: the waiter sleeps on the futex until the unlock wakes it.
            usleep(100_000)
            flags.holderLetGo.store(true, ordering: .relaxed)
            lock.unlock()
            #expect(waiterDone.wait(timeout: .now() + 10) == .success, "the waiting thread was never woken")
            let sawHolderLetGo = flags.waiterSawHolderLetGo.load(ordering: .relaxed)
            #expect(sawHolderLetGo, "the waiter got the lock while it was held")
        }
    }
}

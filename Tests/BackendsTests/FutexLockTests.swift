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
            let waiterThreadID = Atomic<Int32>(0)
        }
        withLock { lock in
            let flags = Flags()
            let waiterDone = DispatchSemaphore(value: 0)
            lock.lock()
            Thread.detachNewThread {
                flags.waiterThreadID.store(Self.currentThreadID(), ordering: .releasing)
                lock.lock()
                flags.waiterSawHolderLetGo.store(flags.holderLetGo.load(ordering: .relaxed), ordering: .relaxed)
                lock.unlock()
                waiterDone.signal()
            }
            // Past the spinning: the waiter sleeps on the futex until the unlock wakes it.
            let deadline = ContinuousClock.now + .seconds(10)
            while !Self.isSleeping(thread: flags.waiterThreadID.load(ordering: .acquiring)) {
                guard ContinuousClock.now < deadline else {
                    Issue.record("the waiting thread never went to sleep on the lock")
                    break
                }
                sched_yield()
            }
            flags.holderLetGo.store(true, ordering: .relaxed)
            lock.unlock()
            #expect(waiterDone.wait(timeout: .now() + 10) == .success, "the waiting thread was never woken")
            let sawHolderLetGo = flags.waiterSawHolderLetGo.load(ordering: .relaxed)
            #expect(sawHolderLetGo, "the waiter got the lock while it was held")
        }
    }

    /// The kernel's id of the calling thread, from `/proc/thread-self` (`PID/task/TID`).
    private static func currentThreadID() -> Int32 {
        let link = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self")) ?? ""
        return link.split(separator: "/").last.flatMap { Int32($0) } ?? 0
    }

    /// Whether thread `id` of this process sleeps in the kernel (state `S` in its
    /// `/proc/self/task/ID/stat`): blocked in a system call such as a futex wait, not
    /// running, runnable or spinning.
    private static func isSleeping(thread id: Int32) -> Bool {
        guard id != 0, let stat = try? String(contentsOfFile: "/proc/self/task/\(id)/stat", encoding: .utf8),
            let afterName = stat.lastIndex(of: ")")
        else { return false }
        return stat[afterName...].dropFirst().trimmingCharacters(in: .whitespaces).hasPrefix("S")
    }
}

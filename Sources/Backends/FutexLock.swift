import CFutex
public import Synchronization

/// A mutual-exclusion lock in a 32-bit word of memory the mutex pool lays out itself:
/// an uncontended lock is one compare-and-swap and an unlock one exchange, both inlined,
/// where `pthread_mutex_lock` and `pthread_mutex_unlock` are two calls of ~25 instructions
/// each (half of a mutex-pool acquire/release). A contended lock spins briefly, then sleeps
/// on a futex.
///
/// Why not `Synchronization.Mutex`, which is built the same way: on Linux its atomics are
/// compiled into the toolchain without sanitizer instrumentation, so ThreadSanitizer sees
/// no ordering through it and reports every access it guards as a race. These atomics are
/// compiled with the package and are instrumented: TSan sees the lock's acquire and release.
///
/// The word: 0 unlocked, 1 locked, 2 locked and a thread may be sleeping on it
/// (Drepper, "Futexes Are Tricky", mutex 2).
@usableFromInline
struct FutexLock: @unchecked Sendable {
    @inlinable static var unlocked: UInt32 { 0 }
    @inlinable static var locked: UInt32 { 1 }
    @inlinable static var contended: UInt32 { 2 }
    /// Attempts before sleeping: a pool's critical sections are a few dozen instructions,
    /// so a holder that is running lets go within them.
    private static let spins = 100

    @usableFromInline let word: UnsafeMutablePointer<Atomic<UInt32>>

    /// The lock whose word is at `word`, which must not move while the lock is used.
    @inlinable
    init(word: UnsafeMutablePointer<Atomic<UInt32>>) {
        self.word = word
    }

    /// Sets up an unlocked lock in uninitialized memory at `word`.
    @discardableResult
    static func initialize(at word: UnsafeMutablePointer<Atomic<UInt32>>) -> FutexLock {
        word.initialize(to: Atomic(unlocked))
        return FutexLock(word: word)
    }

    @inlinable @inline(__always)
    func lock() {
        if !word.pointee.compareExchange(expected: Self.unlocked, desired: Self.locked, ordering: .acquiring).exchanged {
            lockContended()
        }
    }

    @inlinable @inline(__always)
    func unlock() {
        if word.pointee.exchange(Self.unlocked, ordering: .releasing) == Self.contended { wake() }
    }

    @usableFromInline @inline(never)
    func lockContended() {
        for _ in 0..<Self.spins {
            if word.pointee.load(ordering: .relaxed) == Self.unlocked,
                word.pointee.compareExchange(expected: Self.unlocked, desired: Self.locked, ordering: .acquiring).exchanged
            {
                return
            }
            mycelium_cpu_relax()
        }
        // From here on the word says "contended" while this thread holds or wants the lock,
        // so the holder's unlock wakes a sleeper.
        while word.pointee.exchange(Self.contended, ordering: .acquiring) != Self.unlocked {
            mycelium_futex_wait(address, Self.contended)
        }
    }

    @usableFromInline @inline(never)
    func wake() {
        mycelium_futex_wake(address, 1)
    }

    private var address: UnsafeMutablePointer<UInt32> {
        UnsafeMutableRawPointer(word).assumingMemoryBound(to: UInt32.self)
    }
}

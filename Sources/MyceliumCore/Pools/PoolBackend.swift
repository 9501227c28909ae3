/// A buffer-pool strategy: hands out memory by size class and takes it back.
///
/// The kit never calls a backend's methods with a size it has not checked, and wraps every
/// allocation in a ``PooledBuffer`` whose `deinit` gives it back exactly once. A backend:
///
/// - serves `allocate(byteCount:)` from the smallest class of ``configuration``'s plan that
///   holds `byteCount`, reserving nothing before a class is first used, growing one region
///   of `capacity` buffers at a time while ``PoolConfiguration/memoryBudget`` allows;
/// - applies ``PoolConfiguration/overflowPolicy`` above every class or past the budget;
/// - zeroes the first `usedByteCount` bytes on `deallocate` when
///   ``PoolConfiguration/zeroesOnRelease`` is set;
/// - gives every allocation 16 bytes of ``PoolAllocation/control`` memory that the kit
///   uses for the fan-out reference count;
/// - is safe to call from any thread, and accepts `deallocate` on a thread other than the
///   one that allocated.
///
/// Register a backend under a name with ``PoolRegistry/register(_:description:factory:)``;
/// `MyceliumTestKit` checks that it keeps these promises.
///
/// The pool must outlive every buffer it handed out: buffers hold it unretained, because a
/// retain per buffer costs more than the rest of an arena acquire. The kit keeps that
/// promise for you where a buffer leaves its hands: a taken message's buffer and a stream's
/// queued messages keep their pool alive. A backend's `deinit` checks it: destroying a pool
/// while buffers are out is a `precondition` failure naming the pool and how many are out
/// (see ``checkNoBuffersOut(inUse:)``); every built-in backend does that check.
public protocol PoolBackend: AnyObject, Sendable {
    /// The name the backend was registered under, as shown in stats.
    var name: String { get }
    /// The configuration the pool was made with.
    var configuration: PoolConfiguration { get }
    /// Hands out at least `byteCount` bytes. `byteCount` is at least 1.
    ///
    /// - Throws: ``PoolError/budgetExhausted(requested:budget:)`` when the budget is spent
    ///   and the overflow policy is ``PoolConfiguration/OverflowPolicy/fail``.
    func allocate(byteCount: Int) throws(PoolError) -> PoolAllocation
    /// Takes back an allocation; its first `usedByteCount` bytes were written.
    func deallocate(_ allocation: PoolAllocation, usedByteCount: Int)
    /// A consistent-enough snapshot of the counters, global and per class.
    func stats() -> PoolStats
    /// Gives back regions in which no buffer is in use. A broker calls it on each of its
    /// loop threads once per `BrokerConfiguration.trimInterval` (10 s by default),
    /// possibly on several threads at once, while other threads acquire and release.
    func trim()

    /// Calls ``deallocate(_:usedByteCount:)`` on the pool at `pool`, an unretained reference
    /// to an instance of this type, without retaining it; ``PooledBuffer`` and
    /// ``SharedBuffer`` return their memory through it. Keep the default implementation: it
    /// is a requirement (not only an extension method) so that a handle's `deinit`, which
    /// knows its pool only as `any PoolBackend.Type`, lands through the witness table in code
    /// specialized for the backend, with `deallocate` inlined. As an extension method it ran
    /// unspecialized behind an extra call and a witness thunk.
    static func deallocate(unretained pool: UnsafeMutableRawPointer, _ allocation: PoolAllocation, usedByteCount: Int)
}

extension PoolBackend {
    /// Whether `address` is this pool's, as a handle holds its pool (unretained).
    package func isAt(_ address: UnsafeMutableRawPointer) -> Bool {
        Unmanaged.passUnretained(self).toOpaque() == address
    }

    /// Acquires a buffer of at least `byteCount` bytes from the smallest class that holds it.
    ///
    /// ```swift
    /// var buffer = try pool.acquire(byteCount: 600)   // from the 1024-byte class
    /// buffer.append(contentsOf: header)
    /// ```
    ///
    /// - Throws: ``PoolError/invalidSize(_:)`` for `byteCount < 1`, and what the backend's
    ///   overflow policy throws.
    // Always inlined into the caller, also on `any PoolBackend`: then the only call is to
    // `allocate`, whose 32-byte result comes back in registers. Called out of line, the
    // 72-byte handle went through memory twice (store-forwarding stalls, ~8 ns).
    @inlinable @inline(__always)
    public func acquire(byteCount: Int) throws(PoolError) -> PooledBuffer {
        guard byteCount > 0 else { throw .invalidSize(byteCount) }
        return PooledBuffer(allocation: try allocate(byteCount: byteCount), pool: self)
    }

    /// Calls ``deallocate(_:usedByteCount:)`` on the pool at `pool` without retaining it.
    /// Handles keep their pool as a metatype and an address because calling through an
    /// `unowned(unsafe)` existential costs a retain and a release per buffer (seen in the
    /// disassembly of `PooledBuffer.deinit`).
    // Always inlined, so a backend's witness is one function: otherwise the closure stayed
    // a call of its own behind the witness (6-10 instructions more per release).
    @inlinable @inline(__always)
    public static func deallocate(
        unretained pool: UnsafeMutableRawPointer, _ allocation: PoolAllocation, usedByteCount: Int
    ) {
        Unmanaged<Self>.fromOpaque(pool)._withUnsafeGuaranteedRef {
            $0.deallocate(allocation, usedByteCount: usedByteCount)
        }
    }

    /// Stops the process when a pool is destroyed with `inUse` buffers still out: their
    /// handles would return memory to a freed pool. Call it first in a backend's `deinit`,
    /// with the in-use count of its ``stats()``.
    ///
    /// ```swift
    /// deinit {
    ///     checkNoBuffersOut(inUse: stats().inUse)
    ///     …
    /// }
    /// ```
    public func checkNoBuffersOut(inUse: Int) {
        precondition(
            inUse == 0,
            "pool '\(name)' destroyed with \(inUse) buffer(s) still out; keep the pool (or its broker or client) alive until every buffer from it is dropped"
        )
    }

    /// The pool at `pool`, an unretained reference.
    @inlinable
    static func unretained(_ pool: UnsafeMutableRawPointer) -> any PoolBackend {
        Unmanaged<Self>.fromOpaque(pool).takeUnretainedValue()
    }
}

public import Synchronization

/// Read-only bytes from a pool with several holders, returned to the pool when the last
/// holder drops its handle. Used for fan-out: one buffer queued on many subscribers.
///
/// The reference count lives in the allocation's pool-owned ``PoolAllocation/control``
/// memory, so sharing allocates nothing.
///
/// Inside the kit's hot paths the pool is held unretained (its owner, a broker or client,
/// outlives what it queues). A buffer the kit hands out to keep, such as the one
/// `Message.takeBuffer()` returns, keeps its pool alive: it took one retain of the
/// pool, released after its memory is back in the pool.
///
/// ```swift
/// let first = buffer.share()
/// let second = first.share()     // two holders
/// ```
public struct SharedBuffer: ~Copyable, @unchecked Sendable {
    @usableFromInline let allocation: PoolAllocation
    /// The pool, held unretained as its type and address (see ``PooledBuffer``).
    @usableFromInline let poolType: any PoolBackend.Type
    @usableFromInline let poolAddress: UnsafeMutableRawPointer
    @usableFromInline let usedByteCount: Int
    /// Bytes that hold data.
    public let count: Int

    @inlinable
    init(
        allocation: PoolAllocation, poolType: any PoolBackend.Type, poolAddress: UnsafeMutableRawPointer, count: Int,
        usedByteCount: Int
    ) {
        self.allocation = allocation
        self.poolType = poolType
        self.poolAddress = poolAddress
        self.count = count
        self.usedByteCount = usedByteCount
        allocation.control.initializeMemory(as: Atomic<Int>.self, to: Atomic(1))
    }

    @inlinable
    init(allocation: PoolAllocation, pool: any PoolBackend, count: Int, usedByteCount: Int) {
        self.init(
            allocation: allocation, poolType: type(of: pool), poolAddress: Unmanaged.passUnretained(pool as AnyObject).toOpaque(),
            count: count, usedByteCount: usedByteCount)
    }

    @inlinable
    init(sharing other: borrowing SharedBuffer) {
        self.allocation = other.allocation
        self.poolType = other.poolType
        self.poolAddress = other.poolAddress
        self.count = other.count
        self.usedByteCount = other.usedByteCount
    }

    /// The pool this buffer returns to.
    @usableFromInline
    var pool: any PoolBackend { poolType.unretained(poolAddress) }

    /// The holder count and, in ``poolRetained``, whether the pool was retained for it.
    @inlinable
    var holders: UnsafeMutablePointer<Atomic<Int>> {
        allocation.control.assumingMemoryBound(to: Atomic<Int>.self)
    }

    /// The bit of the holder count word that says the buffer holds one retain of its pool.
    /// In the same word as the count, so that the last holder learns it from the one atomic
    /// subtraction it does anyway: an unretained buffer pays nothing for it.
    @usableFromInline static let poolRetained = 1 << 62

    deinit {
        let remaining = holders.pointee.subtract(1, ordering: .acquiringAndReleasing).newValue
        if remaining == 0 {
            poolType.deallocate(unretained: poolAddress, allocation, usedByteCount: usedByteCount)
        } else if remaining == Self.poolRetained {
            poolType.deallocate(unretained: poolAddress, allocation, usedByteCount: usedByteCount)
            Unmanaged<AnyObject>.fromOpaque(poolAddress).release()
        }
    }

    /// Makes the buffer keep its pool alive until its last holder drops it: one retain of
    /// the pool, taken once per buffer however often this is called. For a buffer that
    /// leaves the owner of its pool (a taken message, a published buffer from another pool).
    package borrowing func keepPoolAlive() {
        let before = holders.pointee.bitwiseOr(Self.poolRetained, ordering: .relaxed).oldValue
        if before & Self.poolRetained == 0 { _ = Unmanaged<AnyObject>.fromOpaque(poolAddress).retain() }
    }

    /// Whether the buffer returns to `pool`.
    package borrowing func isFrom(_ pool: any PoolBackend) -> Bool {
        pool.isAt(poolAddress)
    }

    /// Another holder of the same bytes.
    @inlinable
    public borrowing func share() -> SharedBuffer {
        holders.pointee.add(1, ordering: .relaxed)
        return SharedBuffer(sharing: self)
    }

    /// The number of holders right now (for tests and diagnostics).
    public borrowing func holderCount() -> Int {
        holders.pointee.load(ordering: .acquiring) & ~Self.poolRetained
    }

    /// The first byte of the data; valid while this holder lives.
    @inlinable
    public var baseAddress: UnsafeRawPointer { UnsafeRawPointer(allocation.bytes) }

    /// Calls `body` with the `count` bytes that hold data.
    @inlinable
    public borrowing func withUnsafeBytes<Result, Failure>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(UnsafeRawBufferPointer(start: allocation.bytes, count: count))
    }

    /// A copy of the bytes, to keep after the buffer is returned.
    public borrowing func copyBytes() -> [UInt8] {
        withUnsafeBytes { Array($0) }
    }
}

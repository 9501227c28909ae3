public import Synchronization

/// Read-only bytes from a pool with several holders, returned to the pool when the last
/// holder drops its handle. Used for fan-out: one buffer queued on many subscribers.
///
/// The reference count lives in the allocation's pool-owned ``PoolAllocation/control``
/// memory, so sharing allocates nothing.
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

    @inlinable
    var holders: UnsafeMutablePointer<Atomic<Int>> {
        allocation.control.assumingMemoryBound(to: Atomic<Int>.self)
    }

    deinit {
        if holders.pointee.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 {
            poolType.deallocate(unretained: poolAddress, allocation, usedByteCount: usedByteCount)
        }
    }

    /// Another holder of the same bytes.
    @inlinable
    public borrowing func share() -> SharedBuffer {
        holders.pointee.add(1, ordering: .relaxed)
        return SharedBuffer(sharing: self)
    }

    /// The number of holders right now (for tests and diagnostics).
    public borrowing func holderCount() -> Int {
        holders.pointee.load(ordering: .acquiring)
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

/// A buffer from a pool, returned to it exactly once, automatically, when dropped.
///
/// `PooledBuffer` is `~Copyable`: one owner at a time. Move it to another thread through a
/// `consuming` parameter or a `Mutex<PooledBuffer?>` slot. For several holders of the same
/// bytes (fan-out), turn it into a ``SharedBuffer``.
///
/// ```swift
/// var buffer = try pool.acquire(byteCount: 64)
/// buffer.append(contentsOf: [1, 2, 3])
/// buffer.withUnsafeBytes { bytes in send(bytes) }
/// // returned to the pool here
/// ```
///
/// ``count`` is how many bytes hold data. When the pool zeroes on release, it zeroes up to
/// the highest `count` ever set, so set `count` after writing through a pointer.
public struct PooledBuffer: ~Copyable, @unchecked Sendable {
    @usableFromInline let allocation: PoolAllocation
    /// The pool, held unretained as its type and address: see
    /// ``PoolBackend/deallocate(unretained:_:usedByteCount:)``.
    @usableFromInline let poolType: any PoolBackend.Type
    @usableFromInline let poolAddress: UnsafeMutableRawPointer
    @usableFromInline var storedCount: Int
    @usableFromInline var usedByteCount: Int

    // Generic, storing `Pool.self` rather than `type(of:)` an existential: where the caller
    // holds the pool by type, the pool type is then a constant the optimizer sees, the
    // release in `deinit` is devirtualized and the backend's inlinable `deallocate` compiled
    // in (arena 166 -> 129 instructions per acquire/write/release under callgrind).
    @inlinable
    init<Pool: PoolBackend>(allocation: PoolAllocation, pool: Pool) {
        self.allocation = allocation
        self.poolType = Pool.self
        self.poolAddress = Unmanaged.passUnretained(pool).toOpaque()
        self.storedCount = 0
        self.usedByteCount = 0
    }

    deinit {
        poolType.deallocate(unretained: poolAddress, allocation, usedByteCount: usedByteCount)
    }

    /// The pool this buffer returns to.
    @usableFromInline
    var pool: any PoolBackend { poolType.unretained(poolAddress) }

    /// Whether the buffer returns to `pool`.
    package func isFrom(_ pool: any PoolBackend) -> Bool {
        pool.isAt(poolAddress)
    }

    /// Usable bytes: at least what was asked for.
    @inlinable
    public var capacity: Int { allocation.capacity }

    /// Bytes that hold data, `0...capacity`.
    @inlinable
    public var count: Int {
        get { storedCount }
        set {
            precondition(newValue >= 0 && newValue <= allocation.capacity, "count \(newValue) outside 0...\(allocation.capacity)")
            storedCount = newValue
            if newValue > usedByteCount { usedByteCount = newValue }
        }
    }

    /// The first byte of the buffer; valid while the buffer is owned.
    @inlinable
    public var baseAddress: UnsafeMutableRawPointer { allocation.bytes }

    /// Calls `body` with the `count` bytes that hold data.
    @inlinable
    public borrowing func withUnsafeBytes<Result, Failure>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(UnsafeRawBufferPointer(start: allocation.bytes, count: storedCount))
    }

    /// Calls `body` with all `capacity` bytes; set ``count`` afterwards to what holds data.
    @inlinable
    public mutating func withUnsafeMutableBytes<Result, Failure>(
        _ body: (UnsafeMutableRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(UnsafeMutableRawBufferPointer(start: allocation.bytes, count: allocation.capacity))
    }

    /// Appends `bytes` after ``count``.
    ///
    /// - Precondition: they fit in ``capacity``.
    @inlinable
    public mutating func append(contentsOf bytes: UnsafeRawBufferPointer) {
        precondition(
            storedCount + bytes.count <= allocation.capacity,
            "append of \(bytes.count) bytes overflows a \(allocation.capacity)-byte buffer holding \(storedCount)")
        if let source = bytes.baseAddress, bytes.count > 0 {
            (allocation.bytes + storedCount).copyMemory(from: source, byteCount: bytes.count)
        }
        count = storedCount + bytes.count
    }

    /// Appends `bytes` after ``count``.
    ///
    /// - Precondition: they fit in ``capacity``.
    @inlinable
    public mutating func append(contentsOf bytes: some Sequence<UInt8>) {
        var array = Array(bytes)
        array.withUnsafeMutableBytes { append(contentsOf: UnsafeRawBufferPointer($0)) }
    }

    /// A copy of the `count` bytes that hold data, to keep after the buffer is returned.
    public borrowing func copyBytes() -> [UInt8] {
        withUnsafeBytes { Array($0) }
    }

    /// Turns this buffer into the first holder of a ``SharedBuffer``; more holders come from
    /// ``SharedBuffer/share()``. No heap allocation: the count lives in pool memory.
    public consuming func share() -> SharedBuffer {
        let shared = SharedBuffer(
            allocation: allocation, poolType: poolType, poolAddress: poolAddress, count: storedCount,
            usedByteCount: usedByteCount)
        discard self
        return shared
    }
}

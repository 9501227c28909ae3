/// Raw memory a ``PoolBackend`` hands out, as the kit sees it before wrapping it in a
/// ``PooledBuffer``.
public struct PoolAllocation: @unchecked Sendable {
    /// The first usable byte.
    public let bytes: UnsafeMutableRawPointer
    /// Usable bytes: the class size, or the requested size for a buffer served outside
    /// the classes.
    public let capacity: Int
    /// 16 bytes of pool-owned memory, 8-byte aligned, reserved for the kit (the fan-out
    /// reference count) while the allocation is out.
    public let control: UnsafeMutableRawPointer
    /// The backend's own bookkeeping (class, region, slot, origin); the kit never reads it.
    public let token: UInt64

    /// Creates an allocation record.
    @inlinable
    public init(bytes: UnsafeMutableRawPointer, capacity: Int, control: UnsafeMutableRawPointer, token: UInt64) {
        self.bytes = bytes
        self.capacity = capacity
        self.control = control
        self.token = token
    }
}

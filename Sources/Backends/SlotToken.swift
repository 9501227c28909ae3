/// What a pooled backend keeps in ``PoolAllocation/token``: the class index (the plan's
/// class count for requests above every class), whether the slot came from the heap, and
/// for the arena the owning thread's class states (``ThreadRecord/classes``), so a release
/// finds its way home without a lookup.
///
/// Layout: `[owner address << 16][heap: bit 15][class index: bits 0-11]`. User-space
/// addresses fit in 48 bits on x86-64 and arm64 Linux.
@usableFromInline
enum SlotToken {
    /// The most classes a plan may have: their indices and the one above every class fit
    /// in the 12 bits of the class index.
    static let maximumClassCount = (1 << 12) - 1
    @inlinable static var heapBit: UInt64 { 1 << 15 }
    @inlinable static var classMask: UInt64 { (1 << 12) - 1 }

    @inlinable @inline(__always)
    static func make(classIndex: Int, heap: Bool, owner: UnsafeMutableRawPointer? = nil) -> UInt64 {
        UInt64(UInt(bitPattern: owner)) << 16 | (heap ? heapBit : 0) | UInt64(truncatingIfNeeded: classIndex)
    }

    @inlinable @inline(__always)
    static func classIndex(_ token: UInt64) -> Int { Int(truncatingIfNeeded: token & classMask) }

    @inlinable @inline(__always)
    static func isHeap(_ token: UInt64) -> Bool { token & heapBit != 0 }

    @inlinable @inline(__always)
    static func owner(_ token: UInt64) -> UnsafeMutableRawPointer? {
        UnsafeMutableRawPointer(bitPattern: UInt(truncatingIfNeeded: token >> 16))
    }
}

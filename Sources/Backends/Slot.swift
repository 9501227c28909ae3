public import Synchronization

/// One buffer of a class, addressed by its 48-byte header, which lives outside the buffer
/// memory (see ``ClassRegions``): `[link 8][index 4][flags 4][control 16][bytes 8][unused 8]`.
///
/// `link` threads the slot into whichever free list holds it (a header address for the
/// mutex and arena lists, `index + 1` for the lock-free stack); it is atomic because a
/// lock-free popper may read the link of a slot another thread has just taken. `index`
/// names the slot inside its class (region number and position); `flags` remembers whether
/// the slot was handed out before, which tells a hit from an allocation; `bytes` is the
/// slot's buffer.
///
/// Heap buffers served outside the classes use the same header in front of their bytes.
@usableFromInline
struct Slot: @unchecked Sendable {
    // Computed, not stored: a stored static read from inlined code in another module costs
    // an accessor call (and a `swift_once`) on every use.
    @inlinable static var headerBytes: Int { 48 }
    @inlinable static var controlOffset: Int { 16 }
    @inlinable static var bytesOffset: Int { 32 }

    @usableFromInline let header: UnsafeMutableRawPointer

    @inlinable @inline(__always)
    init(header: UnsafeMutableRawPointer) {
        self.header = header
    }

    /// The slot whose ``PoolAllocation/control`` memory is `control`.
    @inlinable @inline(__always)
    init(control: UnsafeMutableRawPointer) {
        self.header = control - Self.controlOffset
    }

    /// The slot at a link value that holds a header address; `nil` for 0.
    @inlinable @inline(__always)
    init?(linkBits: UInt64) {
        guard let header = UnsafeMutableRawPointer(bitPattern: UInt(truncatingIfNeeded: linkBits)) else { return nil }
        self.header = header
    }

    /// Sets up a fresh slot: never handed out, unlinked, its buffer at `bytes`.
    func prepare(index: UInt32, bytes: UnsafeMutableRawPointer) {
        // Atomic: a lock-free popper holding a stale top may be reading this link.
        link.pointee.store(0, ordering: .relaxed)
        self.index = index
        wasUsed = false
        header.storeBytes(of: bytes, toByteOffset: Self.bytesOffset, as: UnsafeMutableRawPointer.self)
    }

    /// This slot's header address as a link value.
    @inlinable @inline(__always)
    var linkBits: UInt64 { UInt64(UInt(bitPattern: header)) }

    @inlinable @inline(__always)
    var link: UnsafeMutablePointer<Atomic<UInt64>> { header.assumingMemoryBound(to: Atomic<UInt64>.self) }

    @inlinable @inline(__always)
    var index: UInt32 {
        get { header.load(fromByteOffset: 8, as: UInt32.self) }
        nonmutating set { header.storeBytes(of: newValue, toByteOffset: 8, as: UInt32.self) }
    }

    /// Whether the slot was handed out before (only its current holder touches this).
    @inlinable @inline(__always)
    var wasUsed: Bool {
        get { header.load(fromByteOffset: 12, as: UInt32.self) != 0 }
        nonmutating set { header.storeBytes(of: newValue ? 1 : 0, toByteOffset: 12, as: UInt32.self) }
    }

    @inlinable @inline(__always)
    var control: UnsafeMutableRawPointer { header + Self.controlOffset }

    @inlinable @inline(__always)
    var bytes: UnsafeMutableRawPointer { header.load(fromByteOffset: Self.bytesOffset, as: UnsafeMutableRawPointer.self) }
}

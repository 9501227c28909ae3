/// Where an ``OutputQueue`` entry's bytes are, kept beside its handle so the queue can
/// write and fill entries without touching the handle.
struct OutputSlot {
    /// A chunk's first byte, or a shared frame's payload.
    var base: UnsafeMutableRawPointer
    /// Bytes filled: a chunk's frames, or the shared payload's length.
    var length: Int
    /// A chunk's capacity (0 for a shared frame: nothing may be appended).
    var capacity: Int
    /// A shared frame's header (``FrameHeader/packed``), written from here.
    var header: UInt64
    /// Whether this entry is a shared frame.
    var isShared: Bool

    /// Bytes this entry puts on the wire.
    var wireBytes: Int { isShared ? FrameHeader.byteCount + length : length }

    /// Bytes a chunk can still take.
    var room: Int { capacity - length }
}

/// One data frame received on a ``MessageStream``: its type id and a view of its payload.
///
/// The payload lives in a pooled buffer that the stream holds for you until your next call
/// of the iterator's `next()`: a client's receive buffer, shared by the messages of one read
/// (no copy per message), or a buffer of the message's own. The view (``payload``,
/// ``withUnsafeBytes(_:)``) is valid until then. To keep the bytes longer, either move them
/// out with ``takeBuffer()`` (a buffer of the message's own, which stays out of the pool until
/// you drop it) or copy them with ``copyBytes()``.
///
/// ```swift
/// for try await message in stream {
///     let price = message.payload.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
///     if price > limit, let buffer = message.takeBuffer() {
///         archive.append(buffer)     // kept past next()
///     }
/// }
/// ```
///
/// `Message` is a small `Copyable` value, so that it can be an `AsyncSequence` element;
/// making one allocates nothing.
public struct Message: @unchecked Sendable {
    /// The frame's type id (1000-65535).
    public let typeID: UInt16
    @usableFromInline let base: UnsafeRawPointer
    /// The payload's length in bytes.
    public let count: Int
    let queue: MessageQueue
    let generation: UInt64

    init(typeID: UInt16, base: UnsafeRawPointer, count: Int, queue: MessageQueue, generation: UInt64) {
        self.typeID = typeID
        self.base = base
        self.count = count
        self.queue = queue
        self.generation = generation
    }

    /// The payload bytes; valid until the iterator's next `next()`.
    @inlinable
    public var payload: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// Calls `body` with the payload bytes (valid until the iterator's next `next()`).
    @inlinable
    public func withUnsafeBytes<Result, Failure>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(payload)
    }

    /// A copy of the payload, yours to keep. Call it before the iterator's next `next()`.
    public func copyBytes() -> [UInt8] {
        Array(payload)
    }

    /// Moves the payload out of the stream into a pooled buffer of its own; it returns to its
    /// pool when you drop the handle (or its last ``SharedBuffer/share()``), and keeps that
    /// pool alive until then, also after its client or broker is gone.
    ///
    /// A message with a buffer of its own (from a read too small to share, a frame larger
    /// than the receive buffer, or an embedded broker) hands over that buffer without a copy.
    /// A message cut from a receive buffer that other messages of its read share is copied
    /// into a buffer of its size class first (one copy of the payload), so that what you
    /// keep never holds the whole receive buffer.
    ///
    /// Returns `nil` when it was taken already, the iterator has moved on to the next
    /// message, or the pool has no buffer for the copy (its memory budget spent under the
    /// `fail` overflow policy).
    public func takeBuffer() -> SharedBuffer? {
        queue.take(generation: generation, base: base, count: count)
    }
}

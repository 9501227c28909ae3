import Glibc

/// The input side of one connection, the same for a broker's connections and a client: a
/// pooled receive buffer in which whole frames are parsed in place, a data frame that does
/// not wait there read straight into its own pooled buffer, and the bytes of a frame being
/// skipped. A client keeps its receive buffer; a broker's connection borrows its loop's for
/// each read and keeps only a partial frame (``borrow(_:)``, ``giveBack(to:pool:lentSize:carries:)``).
///
/// It lives inline in the connection's state, behind that state's pointer, and its steps
/// add nothing per frame: no allocation, no lock, no existential. The loop decides what the
/// frames mean; this keeps the bytes.
struct FrameReceiver: ~Copyable {
    /// What a `recv` brought.
    enum Read {
        /// Bytes arrived; the unparsed bytes now end at `end` (of the receive buffer, or of
        /// the large frame's payload).
        case bytes(end: Int)
        /// Nothing to read now.
        case wouldBlock
        /// The peer closed the connection (`errno` 0) or reading failed with `errno`.
        case ended(errno: Int32)
    }

    /// The receive buffer: a client's, taken from the pool on the first read; a broker
    /// connection's lent buffer or carried partial frame.
    var buffer: PooledBuffer?
    var base: UnsafeMutableRawPointer?
    var capacity = 0
    /// Bytes in the receive buffer not parsed yet (a partial frame, at the front).
    var received = 0
    /// A data frame being read straight into its own buffer.
    var large: PooledBuffer?
    var largeBase: UnsafeMutableRawPointer?
    var largeHeader = FrameHeader(typeID: 0, length: 0)
    var largeFilled = 0
    /// Bytes of a skipped frame still to discard as they arrive.
    var skipRemaining = 0

    /// Takes a receive buffer of at least `byteCount` bytes from `pool` (when ``base`` is
    /// `nil`: callers check, so that a read with a buffer passes no pool around).
    mutating func prepare(pool: any PoolBackend, byteCount: Int) throws(PoolError) {
        let acquired = try pool.acquire(byteCount: byteCount)
        base = acquired.baseAddress
        capacity = acquired.capacity
        buffer = consume acquired
    }

    /// Makes `lent`, a receive buffer the caller lends (a broker loop's, which every one of
    /// its connections reads into in turn), the receive buffer, with the bytes of the partial
    /// frame carried so far copied to its front; the carry goes back to its pool.
    mutating func borrow(_ lent: consuming PooledBuffer) {
        let target = lent.baseAddress
        if let carried = base { target.copyMemory(from: carried, byteCount: received) }
        _ = buffer.take()
        base = target
        capacity = lent.capacity
        buffer = consume lent
    }

    /// Gives a lent receive buffer back once its frames are parsed, so that a connection holds
    /// memory only while a frame is partial: to `lender` (when it has none) or the pool
    /// when nothing is left, else, when `carries`, the partial frame left is copied into a
    /// buffer of its own class from `pool` (the frame's header says how long it is). A
    /// buffer of fewer than `lentSize` bytes is such a carry, and is kept until empty.
    ///
    /// Without `carries` (a paused reader, whose unparsed bytes may be many frames), or when
    /// the pool has no smaller buffer, the lent buffer stays here and the lender takes a new
    /// one for its next read.
    mutating func giveBack(to lender: inout PooledBuffer?, pool: any PoolBackend, lentSize: Int, carries: Bool) {
        guard let held = base else { return }
        if received == 0 {
            base = nil
            capacity = 0
            if let emptied = buffer.take() { Self.restore(emptied, to: &lender, lentSize: lentSize) }
            return
        }
        guard carries, capacity >= lentSize else { return }
        let frameBytes =
            received < FrameHeader.byteCount
            ? FrameHeader.byteCount : FrameHeader.byteCount + Int(FrameHeader(readingFrom: held).length)
        guard var carry = try? pool.acquire(byteCount: max(frameBytes, received)), carry.capacity < capacity else {
            return
        }
        carry.baseAddress.copyMemory(from: held, byteCount: received)
        carry.count = received
        base = carry.baseAddress
        capacity = carry.capacity
        let lent = buffer.take()
        buffer = consume carry
        if let lent { Self.restore(lent, to: &lender, lentSize: lentSize) }
    }

    /// Puts `lent` back in `lender` when that has none and `lent` is of the lent size, else
    /// returns it to its pool, zeroed whole when the pool zeroes.
    private static func restore(_ lent: consuming PooledBuffer, to lender: inout PooledBuffer?, lentSize: Int) {
        if lender == nil && lent.capacity >= lentSize {
            lender = consume lent
            return
        }
        lent.count = lent.capacity
    }

    /// Reads what `source` has into the receive buffer, after the bytes not parsed yet.
    mutating func receive(from source: inout some ByteSource) -> Read {
        let count = source.read(into: base.unsafelyUnwrapped + received, count: capacity - received)
        return Self.outcome(count, end: received + count)
    }

    /// Steps `offset` over the bytes of the frame being skipped that are before `end`;
    /// returns `false` when the frame goes on past `end`.
    @inline(__always)
    mutating func skip(_ offset: inout Int, end: Int) -> Bool {
        let taken = min(skipRemaining, end - offset)
        offset += taken
        skipRemaining -= taken
        return skipRemaining == 0
    }

    /// Skips a frame whose payload of `length` bytes starts at `start`; returns where
    /// parsing goes on (the rest is discarded as it arrives).
    mutating func startSkipping(_ length: Int, from start: Int, end: Int) -> Int {
        let available = min(length, end - start)
        skipRemaining = length - available
        return start + available
    }

    /// Keeps the unparsed bytes `[offset, end)` at the front of the receive buffer.
    mutating func keep(from offset: Int, end: Int) {
        let remaining = end - offset
        if remaining > 0 && offset > 0 {
            base.unsafelyUnwrapped.copyMemory(from: base.unsafelyUnwrapped + offset, byteCount: remaining)
        }
        received = remaining
    }

    /// Hands the receive buffer over as a chunk that the messages cut from it share (a
    /// client's read, parsed in place); ``base`` stays valid while the chunk lives, and the
    /// next read needs ``renew(with:keepingFrom:end:)``. `usedByteCount` bytes are zeroed when
    /// it returns to a pool that zeroes.
    mutating func handOver(usedByteCount: Int) -> SharedBuffer {
        guard var handed = buffer.take() else { preconditionFailure("no receive buffer to hand over") }
        handed.count = usedByteCount
        return handed.share()
    }

    /// Makes `fresh` the receive buffer after ``handOver(usedByteCount:)``, with the
    /// unparsed bytes `[offset, end)` of the handed-over one (still alive) copied to its front.
    mutating func renew(with fresh: consuming PooledBuffer, keepingFrom offset: Int, end: Int) {
        let remaining = end - offset
        fresh.baseAddress.copyMemory(from: base.unsafelyUnwrapped + offset, byteCount: remaining)
        base = fresh.baseAddress
        capacity = fresh.capacity
        received = remaining
        buffer = consume fresh
    }

    /// Starts the data frame `header` in `frame`, a buffer of its class, with the
    /// `available` payload bytes at `source`; returns the frame when that is all of it,
    /// else keeps it for ``receiveLarge(from:)``.
    mutating func startLarge(
        _ header: FrameHeader, in frame: consuming PooledBuffer, from source: UnsafeRawPointer, available: Int
    ) -> PooledBuffer? {
        frame.baseAddress.copyMemory(from: source, byteCount: available)
        guard available == Int(header.length) else {
            largeBase = frame.baseAddress
            largeHeader = header
            largeFilled = available
            large = consume frame
            return nil
        }
        frame.count = available
        return frame
    }

    /// Reads more of the large frame from `source` straight into its buffer, and with the
    /// same read (`readv`) up to `spill` bytes that follow it into the receive buffer, after
    /// ``received`` (when there is one): a frame's last bytes and the next frame's header then
    /// cost one system call, and the next frame, when large too, is read straight into its
    /// own buffer in turn rather than through the receive buffer. The bytes spilled are added
    /// to ``received``; the frame's end is ``largeFilled``.
    mutating func receiveLarge(from source: inout some ByteSource, spill: Int = 0) -> Read {
        let rest = Int(largeHeader.length) - largeFilled
        let room = base == nil ? 0 : min(spill, capacity - received)
        let destination = largeBase.unsafelyUnwrapped + largeFilled
        let count =
            room > 0
            ? source.read(into: destination, count: rest, then: base.unsafelyUnwrapped + received, count: room)
            : source.read(into: destination, count: rest)
        let intoFrame = min(count, rest)
        let read = Self.outcome(count, end: largeFilled + intoFrame)
        if case .bytes(let end) = read {
            largeFilled = end
            received += count - intoFrame
        }
        return read
    }

    /// The large frame, once all of it has arrived.
    mutating func takeLarge() -> PooledBuffer? {
        guard largeFilled == Int(largeHeader.length), var frame = large.take() else { return nil }
        largeBase = nil
        frame.count = largeFilled
        return frame
    }

    /// Gives both buffers back to their pool, zeroed whole when the pool zeroes.
    mutating func release() {
        if var receive = buffer.take() { receive.count = receive.capacity }
        base = nil
        if var partial = large.take() { partial.count = partial.capacity }
        largeBase = nil
    }

    private static func outcome(_ count: Int, end: Int) -> Read {
        if count > 0 { return .bytes(end: end) }
        if count < 0 && (errno == EAGAIN || errno == EINTR) { return .wouldBlock }
        return .ended(errno: count == 0 ? 0 : errno)
    }
}

import Glibc

/// The input side of one connection, the same for a broker's connections and a client: a
/// pooled receive buffer in which whole frames are parsed in place, a data frame that does
/// not wait there read straight into its own pooled buffer, and the bytes of a frame being
/// skipped.
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

    /// The receive buffer, taken from the pool on the first read.
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

    /// Reads what `fd` has into the receive buffer, after the bytes not parsed yet.
    mutating func receive(from fd: Int32) -> Read {
        let count = recv(fd, base.unsafelyUnwrapped + received, capacity - received, 0)
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

    /// Reads more of the large frame straight into its buffer.
    mutating func receiveLarge(from fd: Int32) -> Read {
        let count = recv(fd, largeBase.unsafelyUnwrapped + largeFilled, Int(largeHeader.length) - largeFilled, 0)
        let read = Self.outcome(count, end: largeFilled + count)
        if case .bytes(let end) = read { largeFilled = end }
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

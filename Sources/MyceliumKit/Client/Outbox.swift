import Glibc

/// Frames callers queue from any thread, taken by the client's loop in batches, and the
/// publishers waiting for room (behind a `Mutex` in ``ClientLoop``, which releases the
/// queue's buffers when it goes).
///
/// The socket is written by the loop, and, while nothing is queued anywhere, by a publisher
/// of a run of frames under this lock (``sendOrAppend(_:)``):
/// so ``loopPending`` counts everything the loop holds unwritten, updated under the lock
/// whenever the loop adds output (``ClientLoop/takeOutbox()``, ``ClientLoop/send(_:)``).
struct Outbox: ~Copyable {
    /// Why a waiting publisher was woken.
    enum Wake {
        /// Room may be free: try again.
        case retry
        /// The client can publish no more.
        case failed(MyceliumClientError)
    }

    var queue = OutputQueue()
    /// Bytes the loop holds unwritten: set when it adds output and after each flush.
    var loopPending = 0
    /// The connection's socket while it is open, else -1: set and cleared by the loop.
    var fd: Int32 = -1
    /// The loop was woken and has not taken the queue yet.
    var wakeRequested = false
    /// Set when the connection is gone; every later call fails with it.
    var failure: MyceliumClientError?
    /// The loop takes no more tasks (``MyceliumClient/close()`` ran).
    var isShutDown = false
    /// Data frames queued since the client connected.
    var published: UInt64 = 0
    var waiters: [(id: UInt64, continuation: UnsafeContinuation<Wake, Never>)] = []
    var nextWaiterID: UInt64 = 0

    /// Whether a frame of `byteCount` bytes may be queued now under `limit` pending bytes:
    /// it fits, or nothing is pending (so a frame larger than the limit still goes).
    func admits(_ byteCount: Int, limit: Int) -> Bool {
        let pending = queue.pendingBytes + loopPending
        return pending == 0 || pending + byteCount <= limit
    }

    /// Writes the whole frames in `frames` (its ``PooledBuffer/count`` bytes) straight to
    /// the socket when nothing is queued before them, neither here nor in the loop: no copy
    /// and no wake of the loop; the buffer goes back to its pool once the socket took it
    /// all. What the socket does not take now (it is full, or failed: the loop reports that
    /// when it writes) stays in the buffer, queued by reference behind its written part, as
    /// the whole buffer is when something is queued already. Returns whether the loop has
    /// something to write now.
    mutating func sendOrAppend(_ frames: consuming PooledBuffer) -> Bool {
        let byteCount = frames.count
        guard byteCount > 0 else { return false }
        guard fd >= 0, loopPending == 0, queue.pendingBytes == 0 else {
            queue.appendChunk(frames, sent: 0)
            return true
        }
        let source = UnsafeRawPointer(frames.baseAddress)
        var written = 0
        while written < byteCount {
            let count = Glibc.send(fd, source + written, byteCount - written, Int32(MSG_DONTWAIT | MSG_NOSIGNAL))
            if count > 0 {
                written += count
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                break
            }
        }
        guard written < byteCount else { return false }
        queue.appendChunk(frames, sent: written)
        return true
    }

    /// Removes and returns every waiting publisher.
    mutating func takeWaiters() -> [UnsafeContinuation<Wake, Never>] {
        guard !waiters.isEmpty else { return [] }
        defer { waiters.removeAll(keepingCapacity: true) }
        return waiters.map(\.continuation)
    }
}

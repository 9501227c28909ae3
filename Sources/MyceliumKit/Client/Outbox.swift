/// Frames callers queue from any thread, taken by the client's loop in batches, and the
/// publishers waiting for room (behind a `Mutex` in ``ClientLoop``, which releases the
/// queue's buffers when it goes).
struct Outbox: ~Copyable {
    /// Why a waiting publisher was woken.
    enum Wake {
        /// Room may be free: try again.
        case retry
        /// The client can publish no more.
        case failed(MyceliumClientError)
    }

    var queue = OutputQueue()
    /// Bytes the loop holds unwritten, as of its last flush.
    var loopPending = 0
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

    /// Removes and returns every waiting publisher.
    mutating func takeWaiters() -> [UnsafeContinuation<Wake, Never>] {
        guard !waiters.isEmpty else { return [] }
        defer { waiters.removeAll(keepingCapacity: true) }
        return waiters.map(\.continuation)
    }
}

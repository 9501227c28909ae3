extension OutputQueue.FlushResult {
    /// Keeps a connection's interest in writability in step with this flush, for the
    /// broker's and the client's loops alike: wanted while the socket is full (`blocked`),
    /// dropped once the queue `drained`; a failure leaves it as it is.
    ///
    /// - Parameter wantsWritable: whether epoll reports the socket writable; updated.
    /// - Returns: whether it changed, so that the descriptor's epoll events must be updated.
    func updateWritableInterest(_ wantsWritable: inout Bool) -> Bool {
        let wanted: Bool
        switch self {
        case .drained: wanted = false
        case .blocked: wanted = true
        case .failed: return false
        }
        guard wanted != wantsWritable else { return false }
        wantsWritable = wanted
        return true
    }
}

extension EventLoop {
    /// The epoll events for a connection: input unless reading is paused, output while it
    /// waits for room in the socket.
    static func events(reading: Bool, writing: Bool) -> UInt32 {
        (reading ? readable : 0) | (writing ? writable : 0)
    }
}

extension Lock where Value == OutputQueue {
    /// Appends one frame by reference (an in-process publish) to a thread's inbox; returns
    /// whether the inbox was empty, the one case that needs a wake-up: the thread empties
    /// its inbox on every wake-up.
    func appendShared(_ header: FrameHeader, _ buffer: consuming SharedBuffer) -> Bool {
        var incoming = Optional(buffer)
        return withLock { inbox -> Bool in
            let wasEmpty = inbox.count == 0
            if let buffer = incoming.take() { inbox.appendShared(header, buffer) }
            return wasEmpty
        }
    }
}

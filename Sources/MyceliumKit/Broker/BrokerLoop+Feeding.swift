extension BrokerLoop {
    /// Handles `bytes` as `connection`'s socket would bring them (then the end of its stream
    /// when `ended`): the loop's own read path (``readable(_:from:)``) reads them from
    /// memory, one readable event after another until they are read, each followed by the
    /// end of the batch (flushes, hand-overs, reaping). For a broker run stepped, on its
    /// thread (``FedConnection``). Returns whether the connection is still open; when not,
    /// it has been freed.
    func feed(_ connection: UnsafeMutablePointer<Connection>, _ bytes: UnsafeRawBufferPointer, ended: Bool) -> Bool {
        var source = MemorySource(bytes, ended: ended)
        // Every event reads at least one byte or the end: the bound is never reached.
        for _ in 0...bytes.count + 1 {
            // A paused connection gets no readable event until the end of a batch resumes it.
            if !connection.pointee.isPaused { readable(connection, from: &source) }
            let open = !connection.pointee.isDead
            endOfBatch()
            guard open else { return false }
            if source.count == 0 && !ended { return true }
        }
        return true
    }
}

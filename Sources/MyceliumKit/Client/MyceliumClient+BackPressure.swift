extension MyceliumClient {
    /// Publish calls suspended now because ``Options/maxPendingBytes`` are pending: the
    /// observable sign of back-pressure, for tests and diagnostics.
    package var suspendedPublishers: Int {
        loop.outbox.withLock { $0.waiters.count }
    }
}

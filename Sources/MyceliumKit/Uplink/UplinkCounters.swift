import Synchronization

/// An uplink's counts for other threads to read: its thread publishes them once per event
/// batch, and its state and server when they change.
final class UplinkCounters: Sendable {
    let messagesOut = Atomic<Int>(0)
    let messagesIn = Atomic<Int>(0)
    let dropped = Atomic<Int>(0)
    let rejected = Atomic<Int>(0)
    let reconnects = Atomic<Int>(0)
    let connection = Lock((state: "disconnected", server: ""))

    /// The counts as STATS reports them, with the frames the loops and in-process publishes
    /// kept from the uplink (``DeliveryCounts/uplinkUnwanted``).
    func load(unwanted: Int) -> UplinkStats {
        let connection = connection.withLock { $0 }
        return UplinkStats(
            state: connection.state, server: connection.server, messagesOut: messagesOut.load(ordering: .relaxed),
            messagesIn: messagesIn.load(ordering: .relaxed), dropped: dropped.load(ordering: .relaxed),
            rejected: rejected.load(ordering: .relaxed), reconnects: reconnects.load(ordering: .relaxed), unwanted: unwanted)
    }
}

/// Message counts of one deliverer: a loop (kept in its ``LoopState``) or one in-process
/// publish (added to the router's ``LoopCounters`` when it is done). A loop also keeps its
/// byte, connection and subscription counts here; all are running totals.
struct DeliveryCounts {
    /// Frames read from sockets or published in-process.
    var messagesIn = 0
    /// Copies queued for subscribers.
    var messagesOut = 0
    /// Subscribers dropped for falling behind.
    var slowConsumers = 0
    /// Frames a subscriber lost: dropped oldest, or no memory to queue them.
    var dropped = 0
    /// The part of ``dropped`` lost for want of pool memory.
    var droppedNoMemory = 0
    /// Bytes read from sockets and written to them, control frames included.
    var bytesIn = 0
    var bytesOut = 0
    /// Connections taken, and closed by reason; ``refused`` were turned away at accept.
    var opened = 0
    var closed = CloseCounts()
    var refused = 0
    /// Subscriptions its connections hold now (a gauge, kept as adds minus removes).
    var subscriptions = 0

    /// The sum of two deliverers' counts.
    static func + (left: DeliveryCounts, right: DeliveryCounts) -> DeliveryCounts {
        DeliveryCounts(
            messagesIn: left.messagesIn + right.messagesIn, messagesOut: left.messagesOut + right.messagesOut,
            slowConsumers: left.slowConsumers + right.slowConsumers, dropped: left.dropped + right.dropped,
            droppedNoMemory: left.droppedNoMemory + right.droppedNoMemory, bytesIn: left.bytesIn + right.bytesIn,
            bytesOut: left.bytesOut + right.bytesOut, opened: left.opened + right.opened,
            closed: CloseCounts(
                peer: left.closed.peer + right.closed.peer,
                protocolError: left.closed.protocolError + right.closed.protocolError,
                slowConsumer: left.closed.slowConsumer + right.closed.slowConsumer,
                shutdown: left.closed.shutdown + right.closed.shutdown),
            refused: left.refused + right.refused, subscriptions: left.subscriptions + right.subscriptions)
    }

    /// Connections closed, by why.
    struct CloseCounts {
        /// The peer closed, or reading or writing failed.
        var peer = 0
        /// After a protocol error that closes (ERROR 1 or 5).
        var protocolError = 0
        /// By the slow-consumer rule (ERROR 6).
        var slowConsumer = 0
        /// When the broker shut down (ERROR 8).
        var shutdown = 0
    }
}

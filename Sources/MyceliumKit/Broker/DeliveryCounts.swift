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
    /// Connections refused with ERROR 9 and frames refused with ERROR 10.
    var authRefusals = 0
    /// Frames of shared types kept from the NATS uplink because NATS had no subscriber.
    var uplinkUnwanted = 0

    /// The sum of two deliverers' counts.
    static func + (left: DeliveryCounts, right: DeliveryCounts) -> DeliveryCounts {
        var sum = left
        sum.messagesIn += right.messagesIn
        sum.messagesOut += right.messagesOut
        sum.slowConsumers += right.slowConsumers
        sum.dropped += right.dropped
        sum.droppedNoMemory += right.droppedNoMemory
        sum.bytesIn += right.bytesIn
        sum.bytesOut += right.bytesOut
        sum.opened += right.opened
        sum.closed.peer += right.closed.peer
        sum.closed.protocolError += right.closed.protocolError
        sum.closed.slowConsumer += right.closed.slowConsumer
        sum.closed.shutdown += right.closed.shutdown
        sum.refused += right.refused
        sum.subscriptions += right.subscriptions
        sum.authRefusals += right.authRefusals
        sum.uplinkUnwanted += right.uplinkUnwanted
        return sum
    }

    /// Connections closed, by why.
    struct CloseCounts {
        /// The peer closed, or reading or writing failed.
        var peer = 0
        /// After an error that closes (ERROR 1, 5 or 9).
        var protocolError = 0
        /// By the slow-consumer rule (ERROR 6).
        var slowConsumer = 0
        /// When the broker shut down (ERROR 8).
        var shutdown = 0
    }
}

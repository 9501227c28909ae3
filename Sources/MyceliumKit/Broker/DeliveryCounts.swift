/// Message counts of one deliverer: a loop (kept in its ``LoopState``) or one in-process
/// publish (added to the router's ``LoopCounters`` when it is done).
struct DeliveryCounts {
    /// Frames read from sockets or published in-process.
    var messagesIn = 0
    /// Copies queued for subscribers.
    var messagesOut = 0
    /// Subscribers dropped for falling behind.
    var slowConsumers = 0
    /// Frames a subscriber lost: dropped oldest, or no memory to queue them.
    var dropped = 0
    /// Connections refused with ERROR 9 and frames refused with ERROR 10.
    var authRefusals = 0
}

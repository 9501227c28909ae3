/// A request waiting for the PONG of the PING that follows it. The broker handles a
/// connection's frames in order, so an ERROR that arrives between a window's opening PONG
/// and its closing PONG is about the frame sent between those PINGs.
enum PendingRoundTrip {
    /// Opens the error window of the request whose PING has token `closes`.
    case windowStart(closes: UInt64)
    /// ``MyceliumClient/ping()``, sent at `sentAt`.
    case ping(sentAt: ContinuousClock.Instant, CheckedContinuation<Duration, any Error>)
    /// ``MyceliumClient/subscribe(_:)`` or ``MyceliumClient/subscribe(_:handler:)``:
    /// `target`'s subscription, routed already, confirmed.
    case subscribe(SubscriptionRoute.Target, CheckedContinuation<Void, any Error>)
    /// ``MyceliumClient/unsubscribe(_:)``.
    case unsubscribe(CheckedContinuation<Void, any Error>)
    /// ``MyceliumClient/flush()``: reports the first unreported ERROR.
    case flush(CheckedContinuation<Void, any Error>)
    /// ``MyceliumClient/close(timeout:)``: everything published before was handled.
    case close
    /// A windowed request its caller gave up on: its window still closes at its PONG.
    case abandoned
}

/// Receives a subscription's messages on the client's own thread, as it reads them: the
/// lowest-latency and cheapest way to consume, for a handler that does little per message
/// (update a book, count, copy a few fields, hand work to a task of its own).
///
/// A ``MessageStream`` hands each read's messages to the task iterating it (a hand-off and a
/// wake per read, a pooled buffer held until the task has passed them). A handler instead
/// is called by the client's event-loop thread, for each message in the order the broker
/// sent them, while the payload still lies in the client's receive buffer: nothing is
/// queued, nothing is kept, and the client never pauses reading for it.
///
/// Both methods are called on that one thread, never concurrently, so a handler's state
/// needs no lock as long as only those calls touch it (declare the class
/// `@unchecked Sendable` then, and hand results to other threads through a lock or an
/// atomic). They must return quickly and must not block: while one runs, the client reads
/// nothing, and its publishes are not written. To call the client's async API from a
/// handler, start a task.
///
/// ```swift
/// final class TradeCounter: MessageHandler, @unchecked Sendable {
///     private var volume = 0
///     func receive(typeID: UInt16, payload: UnsafeRawBufferPointer) {
///         volume += Int(payload.loadUnaligned(fromByteOffset: 16, as: Int64.self))
///     }
/// }
/// try await client.subscribe([Trade.typeID], handler: TradeCounter())
/// ```
public protocol MessageHandler: AnyObject, Sendable {
    /// One message of a subscribed type. `payload` is valid only during the call; copy what
    /// you keep.
    func receive(typeID: UInt16, payload: UnsafeRawBufferPointer)

    /// The subscription ended, after its last ``receive(typeID:payload:)``: `nil` after
    /// ``MyceliumClient/unsubscribe(handler:)``, else why: ``MyceliumClientError`` when the
    /// client was closed (``MyceliumClientError/closed``), the connection was lost or the
    /// broker refused the subscription; `CancellationError` or a timeout when the subscribing
    /// task gave up before the broker confirmed. Called
    /// exactly once for each ``MyceliumClient/subscribe(_:handler:)`` that reached the
    /// client (every call but one refused for its arguments). Does nothing by default.
    func subscriptionEnded(error: (any Error)?)
}

extension MessageHandler {
    /// Does nothing.
    public func subscriptionEnded(error: (any Error)?) {}
}

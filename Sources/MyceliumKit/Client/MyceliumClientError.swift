/// Why a ``MyceliumClient`` call, or a ``MessageStream``, failed.
public enum MyceliumClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The connection to `address` could not be made (refused, no such socket file, an
    /// unresolvable host); `error` has the system's reason.
    case connectFailed(address: String, error: EngineError)
    /// The broker sent an ERROR frame about something this client sent. ``WireError/code``
    /// says what (e.g. ``WireErrorCode/unknownTypeID`` for a publish or subscribe naming a
    /// type the broker does not route, ``WireErrorCode/digestMismatch`` from `connect`).
    case broker(WireError)
    /// The connection ended: the broker closed it (after `brokerError`, when it sent one,
    /// e.g. ERROR 8 at shutdown or ERROR 6 for a slow consumer) or a read or write failed.
    case connectionLost(reason: String, brokerError: WireError?)
    /// ``MyceliumClient/close(timeout:)`` was called.
    case closed
    /// The broker sent something the protocol does not allow; the connection was closed.
    case protocolViolation(String)
    /// A pool could not provide a buffer (its budget is spent and its policy is `fail`).
    case pool(PoolError)
    /// An argument the call cannot use; the text names it and what is allowed.
    case invalidArgument(String)
    /// The broker did not answer `request` (e.g. `PING`, `STATS_REQUEST`, `flush`,
    /// `SUBSCRIBE 1101`) within `after`: ``MyceliumClient/Options/requestTimeout``, or
    /// ``MyceliumClient/close(timeout:)``'s timeout. The connection stays open (except
    /// after `close`); a reply that comes later is ignored.
    case timedOut(request: String, after: Duration)

    /// The ERROR frame behind this error, if the broker sent one.
    public var brokerError: WireError? {
        switch self {
        case .broker(let error): error
        case .connectionLost(_, let error): error
        default: nil
        }
    }

    /// What went wrong and what to do, as one line.
    public var description: String {
        switch self {
        case .connectFailed(let address, let error):
            "cannot connect to the broker at \(address): \(error.reason)"
        case .broker(let error):
            "the broker reported \(error)"
        case .connectionLost(let reason, let error):
            "the connection to the broker was lost: \(reason)" + (error.map { " (after the broker sent \($0))" } ?? "")
        case .closed:
            "the client was closed; connect again to go on"
        case .protocolViolation(let text):
            "the broker broke the protocol: \(text); the connection was closed"
        case .pool(let error):
            "the client's pool has no buffer: \(error)"
        case .invalidArgument(let text):
            text
        case .timedOut(let request, let timeout):
            "the broker did not answer \(request) within \(timeout); it may be stalled or overloaded (a slow broker needs a longer timeout)"
        }
    }
}

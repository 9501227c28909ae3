/// Why a ``MyceliumClient`` call, or a ``MessageStream``, failed.
///
/// A struct with a ``Code`` rather than an enum, so that new kinds can be added without
/// breaking `switch`es: compare ``code`` (or the whole value).
///
/// ```swift
/// do {
///     for try await message in trades { handle(message) }
/// } catch let error as MyceliumClientError where error.code == .closed {
///     // close() was called: a normal end
/// }
/// ```
public struct MyceliumClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of a ``MyceliumClientError``: compare it with the static members of its extension.
    public typealias Code = ErrorCode<MyceliumClientError>

    private enum Details: Sendable, Hashable {
        case connectFailed(address: String, error: EngineError)
        case broker(WireError)
        case connectionLost(reason: String, brokerError: WireError?)
        case closed
        case protocolViolation(String)
        case pool(PoolError)
        case invalidArgument(String)
        case timedOut(request: String, after: Duration)
    }

    private let details: Details

    /// The connection to `address` could not be made (refused, no such socket file, an
    /// unresolvable host); `error` has the system's reason.
    public static func connectFailed(address: String, error: EngineError) -> MyceliumClientError {
        MyceliumClientError(details: .connectFailed(address: address, error: error))
    }

    /// The broker sent an ERROR frame about something this client sent. ``WireError/code``
    /// says what (e.g. ``WireErrorCode/unknownTypeID`` for a publish or subscribe naming a
    /// type the broker does not route, ``WireErrorCode/digestMismatch`` from `connect`).
    public static func broker(_ error: WireError) -> MyceliumClientError { MyceliumClientError(details: .broker(error)) }

    /// The connection ended: the broker closed it (after `brokerError`, when it sent one,
    /// e.g. ERROR 8 at shutdown or ERROR 6 for a slow consumer) or a read or write failed.
    public static func connectionLost(reason: String, brokerError: WireError?) -> MyceliumClientError {
        MyceliumClientError(details: .connectionLost(reason: reason, brokerError: brokerError))
    }

    /// ``MyceliumClient/close(timeout:)`` was called.
    public static let closed = MyceliumClientError(details: .closed)

    /// The broker sent something the protocol does not allow; the connection was closed.
    public static func protocolViolation(_ text: String) -> MyceliumClientError {
        MyceliumClientError(details: .protocolViolation(text))
    }

    /// A pool could not provide a buffer (its budget is spent and its policy is `fail`).
    public static func pool(_ error: PoolError) -> MyceliumClientError { MyceliumClientError(details: .pool(error)) }

    /// An argument the call cannot use; the text names it and what is allowed.
    public static func invalidArgument(_ text: String) -> MyceliumClientError {
        MyceliumClientError(details: .invalidArgument(text))
    }

    /// The broker did not answer `request` (e.g. `PING`, `STATS_REQUEST`, `flush`,
    /// `SUBSCRIBE 1101`) within `after`: ``MyceliumClient/Options/requestTimeout``, or
    /// ``MyceliumClient/close(timeout:)``'s timeout. The connection stays open (except
    /// after `close`); a reply that comes later is ignored.
    public static func timedOut(request: String, after: Duration) -> MyceliumClientError {
        MyceliumClientError(details: .timedOut(request: request, after: after))
    }

    /// What kind of failure this is.
    public var code: Code {
        switch details {
        case .connectFailed: .connectFailed
        case .broker: .broker
        case .connectionLost: .connectionLost
        case .closed: .closed
        case .protocolViolation: .protocolViolation
        case .pool: .pool
        case .invalidArgument: .invalidArgument
        case .timedOut: .timedOut
        }
    }

    /// The ERROR frame behind this error, if the broker sent one.
    public var brokerError: WireError? {
        switch details {
        case .broker(let error): error
        case .connectionLost(_, let error): error
        default: nil
        }
    }

    /// The address that did not answer (`.connectFailed`).
    public var address: String? {
        if case .connectFailed(let address, _) = details { return address }
        return nil
    }

    /// The error behind this one: the ``EngineError`` of `.connectFailed` or the
    /// ``PoolError`` of `.pool`.
    public var underlying: (any Error)? {
        switch details {
        case .connectFailed(_, let error): error
        case .pool(let error): error
        default: nil
        }
    }

    /// Why the connection ended (`.connectionLost`).
    public var reason: String? {
        if case .connectionLost(let reason, _) = details { return reason }
        return nil
    }

    /// The request that was not answered and how long it waited (`.timedOut`).
    public var unansweredRequest: (request: String, after: Duration)? {
        if case .timedOut(let request, let after) = details { return (request, after) }
        return nil
    }

    /// What went wrong and what to do, as one line.
    public var description: String {
        switch details {
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

extension ErrorCode where Owner == MyceliumClientError {
    /// The connection could not be made.
    public static var connectFailed: Self { Self("connect failed") }
    /// The broker sent an ERROR frame about something this client sent.
    public static var broker: Self { Self("broker") }
    /// The connection ended under the client.
    public static var connectionLost: Self { Self("connection lost") }
    /// ``MyceliumClient/close(timeout:)`` was called.
    public static var closed: Self { Self("closed") }
    /// The broker sent something the protocol does not allow.
    public static var protocolViolation: Self { Self("protocol violation") }
    /// A pool could not provide a buffer.
    public static var pool: Self { Self("pool") }
    /// An argument the call cannot use.
    public static var invalidArgument: Self { Self("invalid argument") }
    /// The broker did not answer a request in time.
    public static var timedOut: Self { Self("timed out") }
}

/// Why a broker could not start, or could not take an in-process publish or subscription.
///
/// A struct with a ``Code`` rather than an enum, so that new kinds can be added without
/// breaking `switch`es: compare ``code``.
///
/// ```swift
/// for try await message in stream { … }   // ends with an error when the broker stops
/// } catch let error as BrokerError where error.code == .stopped {
///     // a normal end
/// }
/// ```
public struct BrokerError: Error, Sendable, CustomStringConvertible {
    /// The kind of a ``BrokerError``: compare it with the static members of its extension.
    public typealias Code = ErrorCode<BrokerError>

    private enum Details: Sendable {
        case invalidConfiguration(String)
        case pool(PoolRegistryError)
        case engine(EngineError)
        case alreadyStarted
        case unknownTypeID(UInt16)
        case payloadTooLarge(typeID: UInt16, length: Int, maximum: Int)
        case invalidArgument(String)
        case outOfMemory(PoolError)
        case slowConsumer(typeIDs: [UInt16], limit: Int)
        case stopped
    }

    private let details: Details

    /// A limit is out of range; `message` names it.
    public static func invalidConfiguration(_ message: String) -> BrokerError {
        BrokerError(details: .invalidConfiguration(message))
    }

    /// The pool could not be made.
    public static func pool(_ error: PoolRegistryError) -> BrokerError { BrokerError(details: .pool(error)) }

    /// A listener could not be bound, or a loop could not start.
    public static func engine(_ error: EngineError) -> BrokerError { BrokerError(details: .engine(error)) }

    /// `start()` was called while the broker ran, started, or after it stopped.
    public static let alreadyStarted = BrokerError(details: .alreadyStarted)

    /// An in-process publish or subscription named a type id the broker does not route.
    public static func unknownTypeID(_ typeID: UInt16) -> BrokerError { BrokerError(details: .unknownTypeID(typeID)) }

    /// An in-process publish of `length` bytes was longer than its type's contract maximum
    /// (or the broker's maximum payload), `maximum` bytes.
    public static func payloadTooLarge(typeID: UInt16, length: Int, maximum: Int) -> BrokerError {
        BrokerError(details: .payloadTooLarge(typeID: typeID, length: length, maximum: maximum))
    }

    /// An in-process call had an argument out of range; `message` says which.
    public static func invalidArgument(_ message: String) -> BrokerError { BrokerError(details: .invalidArgument(message)) }

    /// The pool could not hand out the buffer an in-process publish needed.
    public static func outOfMemory(_ error: PoolError) -> BrokerError { BrokerError(details: .outOfMemory(error)) }

    /// An in-process subscriber of `typeIDs` let `limit` messages wait under the `disconnect`
    /// slow-consumer policy; its stream ended with this error.
    public static func slowConsumer(typeIDs: [UInt16], limit: Int) -> BrokerError {
        BrokerError(details: .slowConsumer(typeIDs: typeIDs, limit: limit))
    }

    /// The broker has stopped: in-process streams end with this error after the messages
    /// they hold, and later publishes and subscriptions fail with it.
    public static let stopped = BrokerError(details: .stopped)

    /// What kind of failure this is.
    public var code: Code {
        switch details {
        case .invalidConfiguration: .invalidConfiguration
        case .pool: .pool
        case .engine: .engine
        case .alreadyStarted: .alreadyStarted
        case .unknownTypeID: .unknownTypeID
        case .payloadTooLarge: .payloadTooLarge
        case .invalidArgument: .invalidArgument
        case .outOfMemory: .outOfMemory
        case .slowConsumer: .slowConsumer
        case .stopped: .stopped
        }
    }

    /// The error behind this one: a ``PoolRegistryError`` (`.pool`), an
    /// ``EngineError`` (`.engine`) or a ``PoolError`` (`.outOfMemory`).
    public var underlying: (any Error)? {
        switch details {
        case .pool(let error): error
        case .engine(let error): error
        case .outOfMemory(let error): error
        default: nil
        }
    }

    /// The type ids the error is about (`.unknownTypeID`, `.payloadTooLarge`,
    /// `.slowConsumer`); empty otherwise.
    public var typeIDs: [UInt16] {
        switch details {
        case .unknownTypeID(let typeID), .payloadTooLarge(let typeID, _, _): [typeID]
        case .slowConsumer(let typeIDs, _): typeIDs
        default: []
        }
    }

    /// What went wrong and what to do, as one line.
    public var description: String {
        switch details {
        case .invalidConfiguration(let message): "invalid broker configuration: \(message)"
        case .pool(let error): "\(error)"
        case .engine(let error): "\(error)"
        case .alreadyStarted: "the broker was started already; make a new Broker to start again"
        case .unknownTypeID(let typeID):
            "type id \(typeID) is not among the broker's message types; add it to the catalog (or the configuration's MessageTypeTable)"
        case .payloadTooLarge(let typeID, let length, let maximum):
            "a \(length)-byte payload of type \(typeID) is above its maximum of \(maximum) bytes"
        case .invalidArgument(let message): message
        case .outOfMemory(let error): "in-process publish: \(error)"
        case .slowConsumer(let typeIDs, let limit):
            "the in-process subscriber of type ids \(typeIDs.map(String.init).joined(separator: ", ")) let \(limit) messages wait and was disconnected; read faster, subscribe with more bufferedMessages, or use the drop-oldest policy"
        case .stopped: "the broker has stopped"
        }
    }
}

extension ErrorCode where Owner == BrokerError {
    /// A limit is out of range.
    public static var invalidConfiguration: Self { Self("invalid configuration") }
    /// The pool could not be made.
    public static var pool: Self { Self("pool") }
    /// A listener could not be bound, or a loop could not start.
    public static var engine: Self { Self("engine") }
    /// `start()` was called while the broker ran, started, stopped, or after it stopped.
    public static var alreadyStarted: Self { Self("already started") }
    /// An in-process publish or subscription named a type id the broker does not route.
    public static var unknownTypeID: Self { Self("unknown type id") }
    /// An in-process publish was longer than its type's maximum.
    public static var payloadTooLarge: Self { Self("payload too large") }
    /// An in-process call had an argument out of range.
    public static var invalidArgument: Self { Self("invalid argument") }
    /// The pool could not hand out the buffer an in-process publish needed.
    public static var outOfMemory: Self { Self("out of memory") }
    /// An in-process subscriber fell behind under the `disconnect` policy.
    public static var slowConsumer: Self { Self("slow consumer") }
    /// The broker has stopped.
    public static var stopped: Self { Self("stopped") }
}

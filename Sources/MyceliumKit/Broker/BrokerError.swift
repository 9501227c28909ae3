/// Why a broker could not start, or could not take an in-process publish or subscription.
public enum BrokerError: Error, Sendable, CustomStringConvertible {
    /// A limit is out of range.
    case invalidConfiguration(String)
    /// The pool could not be made.
    case pool(PoolRegistryError)
    /// A listener could not be bound, or a loop could not start.
    case engine(EngineError)
    /// `start()` was called twice, or after `stop()`.
    case alreadyStarted
    /// An in-process publish or subscription named a type id the broker does not route.
    case unknownTypeID(UInt16)
    /// An in-process publish was longer than its type's contract maximum (or the broker's
    /// maximum payload), in bytes.
    case payloadTooLarge(typeID: UInt16, length: Int, maximum: Int)
    /// An in-process call had an argument out of range (the message says which).
    case invalidArgument(String)
    /// The pool could not hand out the buffer an in-process publish needed.
    case outOfMemory(PoolError)
    /// An in-process subscriber let `limit` messages wait under the `disconnect`
    /// slow-consumer policy; its stream ended with this error.
    case slowConsumer(typeIDs: [UInt16], limit: Int)
    /// The broker has stopped: in-process streams end with this error after the messages
    /// they hold, and later publishes and subscriptions fail with it.
    case stopped

    /// What went wrong and what to do, as one line.
    public var description: String {
        switch self {
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

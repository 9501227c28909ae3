/// Why a broker could not start.
public enum BrokerError: Error, Sendable, CustomStringConvertible {
    /// A limit is out of range.
    case invalidConfiguration(String)
    /// The pool could not be made.
    case pool(PoolRegistryError)
    /// A listener could not be bound, or a loop could not start.
    case engine(EngineError)
    /// `start()` was called twice, or after `stop()`.
    case alreadyStarted

    public var description: String {
        switch self {
        case .invalidConfiguration(let message): "invalid broker configuration: \(message)"
        case .pool(let error): "\(error)"
        case .engine(let error): "\(error)"
        case .alreadyStarted: "the broker was started already; make a new Broker to start again"
        }
    }
}

/// What a broker has done so far: its pool's counters, its connections and its message
/// counts. Sent as the STATS frame's JSON document (``jsonDocument()``).
public struct BrokerStats: Sendable, Hashable {
    /// The pool's counters.
    public var pool: PoolStats
    /// Connections open now.
    public var connections: Int
    /// Data frames received (accepted for routing).
    public var messagesIn: Int
    /// Data frames queued for subscribers: one per subscriber per frame.
    public var messagesOut: Int
    /// Subscribers disconnected by the slow-consumer rule.
    public var slowConsumers: Int
    /// Frames dropped by the `drop-oldest` slow-consumer policy.
    public var dropped: Int
    /// Refusals by access control: connections closed with ERROR 9 (not authorized) plus
    /// frames answered with ERROR 10 (permission denied). 0 without access control, and in
    /// documents from brokers that predate it.
    public var authRefusals: Int
    /// The NATS uplink's state and counts; `nil` for a broker without one.
    public var uplink: UplinkStats?

    /// Creates a snapshot.
    public init(
        pool: PoolStats, connections: Int, messagesIn: Int, messagesOut: Int, slowConsumers: Int, dropped: Int,
        authRefusals: Int = 0, uplink: UplinkStats? = nil
    ) {
        self.pool = pool
        self.connections = connections
        self.messagesIn = messagesIn
        self.messagesOut = messagesOut
        self.slowConsumers = slowConsumers
        self.dropped = dropped
        self.authRefusals = authRefusals
        self.uplink = uplink
    }
}

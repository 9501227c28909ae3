/// Everything a broker counts, at one moment: what `mycelium serve --metrics` renders as
/// Prometheus text and ``Broker/reportMetrics(to:)`` hands to swift-metrics.
///
/// Totals are the broker's since it started (they survive connections closing); the loops
/// publish them once per event batch, so they are at most one batch old. ``pendingBytes``
/// is asked of every loop.
///
/// ```swift
/// let metrics = await broker.metrics()
/// print(metrics.messagesReceived, metrics.pendingBytes)
/// ```
public struct BrokerMetrics: Sendable, Hashable {
    /// Why connections closed, each counted once.
    public struct ClosedConnections: Sendable, Hashable {
        /// The peer closed, or reading or writing failed.
        public var peer: Int
        /// After an error that closes (ERROR 1 frame too large, 5 digest mismatch, 9 not authorized).
        public var protocolError: Int
        /// By the slow-consumer rule (ERROR 6).
        public var slowConsumer: Int
        /// At shutdown (ERROR 8).
        public var shutdown: Int
        /// Turned away at accept: the connection limit was reached (ERROR 8).
        public var refused: Int

        /// Creates the counts; those not given are 0.
        public init(peer: Int = 0, protocolError: Int = 0, slowConsumer: Int = 0, shutdown: Int = 0, refused: Int = 0) {
            self.peer = peer
            self.protocolError = protocolError
            self.slowConsumer = slowConsumer
            self.shutdown = shutdown
            self.refused = refused
        }

        /// The counts by the `reason` label the Prometheus rendering uses.
        public var byReason: [(reason: String, count: Int)] {
            [
                ("peer", peer), ("protocol_error", protocolError), ("slow_consumer", slowConsumer),
                ("shutdown", shutdown), ("refused", refused),
            ]
        }
    }

    /// The broker's version (``MyceliumVersion/current``).
    public var version: String
    /// Connections open now.
    public var connections: Int
    /// Connections accepted since the start.
    public var connectionsOpened: Int
    /// Connections closed since the start, by reason.
    public var connectionsClosed: ClosedConnections
    /// Socket subscriptions held now (one per connection and type).
    public var subscriptions: Int
    /// Data frames received from sockets and published in-process.
    public var messagesReceived: Int
    /// Data frames queued for subscribers: one per subscriber per frame.
    public var messagesDelivered: Int
    /// Bytes read from sockets, control frames included.
    public var bytesReceived: Int
    /// Bytes written to sockets, control frames included.
    public var bytesSent: Int
    /// Frames dropped by the `drop-oldest` slow-consumer policy.
    public var messagesDroppedSlowConsumer: Int
    /// Frames not queued for want of pool memory.
    public var messagesDroppedNoMemory: Int
    /// Subscribers disconnected by the slow-consumer rule.
    public var slowConsumers: Int
    /// Bytes queued for connections and not yet written, now.
    public var pendingBytes: Int
    /// The pool's counters, per size class.
    public var pool: PoolStats
    /// The process's resident memory in bytes (`/proc/self/statm`); 0 when unreadable.
    public var residentMemoryBytes: Int
    /// The process's open file descriptors (`/proc/self/fd`); 0 when unreadable.
    public var openFileDescriptors: Int

    /// Creates a snapshot; every figure is documented on its property.
    public init(
        version: String, connections: Int, connectionsOpened: Int, connectionsClosed: ClosedConnections,
        subscriptions: Int, messagesReceived: Int, messagesDelivered: Int, bytesReceived: Int, bytesSent: Int,
        messagesDroppedSlowConsumer: Int, messagesDroppedNoMemory: Int, slowConsumers: Int, pendingBytes: Int,
        pool: PoolStats, residentMemoryBytes: Int, openFileDescriptors: Int
    ) {
        self.version = version
        self.connections = connections
        self.connectionsOpened = connectionsOpened
        self.connectionsClosed = connectionsClosed
        self.subscriptions = subscriptions
        self.messagesReceived = messagesReceived
        self.messagesDelivered = messagesDelivered
        self.bytesReceived = bytesReceived
        self.bytesSent = bytesSent
        self.messagesDroppedSlowConsumer = messagesDroppedSlowConsumer
        self.messagesDroppedNoMemory = messagesDroppedNoMemory
        self.slowConsumers = slowConsumers
        self.pendingBytes = pendingBytes
        self.pool = pool
        self.residentMemoryBytes = residentMemoryBytes
        self.openFileDescriptors = openFileDescriptors
    }
}

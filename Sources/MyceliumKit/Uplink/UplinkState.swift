/// An uplink's mutable state, behind a pointer: touched on the uplink's thread only.
struct UplinkState: ~Copyable {
    enum Phase: Equatable {
        /// No connection; the next attempt is at ``UplinkState/retryAt``.
        case waiting
        /// A TCP connect is under way.
        case connecting
        /// Connected; waiting for the server's `INFO`.
        case greeting
        /// `CONNECT` and `PING` sent; waiting for the `PONG`.
        case handshaking
        case connected
    }

    var phase = Phase.waiting
    var fd: Int32 = -1
    var servers: [NATSURL]
    /// Per server, authorization errors in a row; two stop retrying it.
    var authFailures: [Int]
    /// Servers that will not be retried: authorization refused twice, or TLS demanded.
    var abandoned: [Bool]
    /// The server being tried or connected to.
    var serverIndex = 0
    /// Failed attempts since the last wait or connection.
    var attemptsThisRound = 0
    var retryAt: UInt64 = 0
    /// When the handshake must be done by.
    var handshakeDeadline: UInt64 = 0
    var everConnected = false
    /// Whether this outage's "no server reachable" line was logged.
    var outageLogged = false
    var serverMaxPayload = 1 << 20
    var input = UplinkBytes(capacity: 64 << 10)
    var output = UplinkBytes(capacity: 64 << 10)
    /// Frames encoded into ``output`` since it was last empty: lost if the connection breaks.
    var unsentMessages = 0
    var wantsWritable = false
    /// Frames waiting to be encoded: bounded by the buffer size.
    var pending = OutputQueue()
    /// Per type (dense index), whether NATS has our subscription (sid = dense index + 1).
    var subscribed: [Bool]
    /// Per type, whether a rejected message was logged already.
    var rejectionLogged: [Bool]
    var pingsOutstanding = 0
    var nextPingAt: UInt64 = 0
    /// `PING`s sent and `PONG`s read since the handshake: a probe waits for the answer to the
    /// `PING` sent after it.
    var pingsSent = 0
    var pongsReceived = 0
    /// Per type, its subscribers in NATS as far as the probes tell.
    var interest: [RemoteInterest]
    /// When absent types are next checked for a due probe.
    var nextInterestScan: UInt64 = 0
    /// Which of ``Uplink/outboxes`` hold messages from NATS.
    var outboxMask: UInt64 = 0
    var counts = DeliveryCounts()
    var messagesOut = 0
    var messagesIn = 0
    var dropped = 0
    var rejected = 0
    var reconnects = 0
    /// Whether a frame above the server's maximum was logged already.
    var oversizeLogged = false
    var finished = false

    init(servers: [NATSURL], typeCount: Int) {
        self.servers = servers
        authFailures = Array(repeating: 0, count: servers.count)
        abandoned = Array(repeating: false, count: servers.count)
        subscribed = Array(repeating: false, count: typeCount)
        rejectionLogged = Array(repeating: false, count: typeCount)
        interest = Array(repeating: .present(nextProbeAt: .max), count: typeCount)
    }
}

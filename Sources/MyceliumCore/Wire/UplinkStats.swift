/// What a broker's NATS uplink has done: part of STATS (``BrokerStats/uplink``) when the
/// broker has one.
public struct UplinkStats: Sendable, Hashable {
    /// `connected`, `connecting` or `disconnected`; `stopped` after the broker stopped.
    public var state: String
    /// The NATS server connected to or being tried, `nats://HOST:PORT`; empty when none.
    public var server: String
    /// Frames published to NATS (written to the connection; those encoded but not written when
    /// it broke count as ``dropped`` instead).
    public var messagesOut: Int
    /// Messages from NATS delivered to local subscribers.
    public var messagesIn: Int
    /// Outbound frames lost: dropped oldest while NATS was unreachable, above the server's
    /// maximum payload, or unsent when the connection broke.
    public var dropped: Int
    /// Messages from NATS refused: a length not valid for the type or another layout.
    public var rejected: Int
    /// Connections made after the first.
    public var reconnects: Int
    /// Frames not sent because NATS had no subscriber of their type (the uplink probes each
    /// type at its probe interval); 0 from a broker that sends every frame.
    public var unwanted: Int

    /// Creates a snapshot.
    public init(
        state: String, server: String, messagesOut: Int, messagesIn: Int, dropped: Int, rejected: Int, reconnects: Int,
        unwanted: Int = 0
    ) {
        self.state = state
        self.server = server
        self.messagesOut = messagesOut
        self.messagesIn = messagesIn
        self.dropped = dropped
        self.rejected = rejected
        self.reconnects = reconnects
        self.unwanted = unwanted
    }
}

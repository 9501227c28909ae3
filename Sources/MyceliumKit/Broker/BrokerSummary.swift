/// What a stopped broker reports: its final stats and whether every queue was flushed in
/// time.
public struct BrokerSummary: Sendable, Hashable, CustomStringConvertible {
    /// The stats after every connection closed.
    public var stats: BrokerStats
    /// Connections open when the stop began.
    public var connectionsAtStop: Int
    /// Whether every queued byte was written before the drain timeout.
    public var drained: Bool

    /// One line: `stopped: 2 connections closed, messages in=… out=…, pool arena hit rate …
    /// (in use …), slow consumers …, dropped …`.
    public var description: String {
        let closed = connectionsAtStop == 1 ? "1 connection closed" : "\(connectionsAtStop) connections closed"
        return
            "stopped: \(closed)\(drained ? "" : " (drain timed out)"), messages in=\(stats.messagesIn) out=\(stats.messagesOut), pool \(stats.pool.name) \(stats.pool.hitRateText) (in use \(stats.pool.inUse)), slow consumers \(stats.slowConsumers), dropped \(stats.dropped)"
    }
}

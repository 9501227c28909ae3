/// What a stopped broker reports: its final stats and whether every queue was flushed in
/// time.
public struct BrokerSummary: Sendable, Hashable, CustomStringConvertible {
    /// The stats after every connection closed.
    public var stats: BrokerStats
    /// Connections open when the stop began.
    public var connectionsAtStop: Int
    /// Whether every queued byte was written before the drain timeout.
    public var drained: Bool

    /// One line: `messages in=… out=…, hit rate …, slow consumers …, dropped …`.
    public var description: String {
        let rate = (stats.pool.hitRate * 10_000).rounded() / 100
        return "stopped: \(connectionsAtStop) connections closed\(drained ? "" : " (drain timed out)"), messages in=\(stats.messagesIn) out=\(stats.messagesOut), pool \(stats.pool.name) hit rate \(rate)% (in use \(stats.pool.inUse)), slow consumers \(stats.slowConsumers), dropped \(stats.dropped)"
    }
}

import Synchronization

/// What every loop of one broker shares: the pool, the routing table, the limits and the
/// counters other threads read.
final class BrokerCore: Sendable {
    /// The limits, as plain integers read on the per-frame path.
    struct Limits {
        let maxPayload: Int
        let maxControlPayload: Int
        let maxPending: Int
        /// The largest payload copied per subscriber: the copy threshold, within the max payload.
        let copyLimit: Int
        let chunkSize: Int
        let maxSubscriptions: Int
        let maxConnections: Int
        let dropsOldest: Bool
        let loopCount: Int
        let drainNanoseconds: UInt64
        let digest: [UInt8]?
    }

    let pool: any PoolBackend
    let routing: RoutingTable
    let limits: Limits
    let connectionCount = Atomic<Int>(0)
    let serials = Atomic<Int>(0)
    let counters: [LoopCounters]
    let local: LocalTransport

    init(configuration: BrokerConfiguration, pool: any PoolBackend) {
        self.pool = pool
        routing = RoutingTable(configuration.messageTypes)
        let drain = configuration.drainTimeout.components
        limits = Limits(
            maxPayload: configuration.maxPayload, maxControlPayload: configuration.maxControlPayload,
            maxPending: configuration.maxPending, copyLimit: min(configuration.copyThreshold, configuration.maxPayload),
            chunkSize: configuration.engineBufferSize, maxSubscriptions: configuration.maxSubscriptions,
            maxConnections: configuration.maxConnections, dropsOldest: configuration.slowConsumerPolicy == .dropOldest,
            loopCount: configuration.loops,
            drainNanoseconds: UInt64(drain.seconds) * 1_000_000_000 + UInt64(drain.attoseconds / 1_000_000_000),
            digest: configuration.digest)
        counters = (0..<configuration.loops).map { _ in LoopCounters() }
        local = LocalTransport(routing: routing, dropsOldest: configuration.slowConsumerPolicy == .dropOldest, pool: pool)
    }

    /// Sums what the loops published last and the in-process counts.
    func stats() -> BrokerStats {
        let local = local.counts()
        return BrokerStats(
            pool: pool.stats(), connections: connectionCount.load(ordering: .relaxed),
            messagesIn: counters.reduce(local.messagesIn) { $0 + $1.messagesIn.load(ordering: .relaxed) },
            messagesOut: counters.reduce(local.messagesOut) { $0 + $1.messagesOut.load(ordering: .relaxed) },
            slowConsumers: counters.reduce(local.slowConsumers) { $0 + $1.slowConsumers.load(ordering: .relaxed) },
            dropped: counters.reduce(local.dropped) { $0 + $1.dropped.load(ordering: .relaxed) })
    }
}

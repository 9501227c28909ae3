import Logging
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
        /// Output chunks' size.
        let chunkSize: Int
        /// The loops' receive buffers' size.
        let receiveSize: Int
        /// Bytes one readable event may read from a connection before the loop moves on.
        let readBudget: Int
        let maxSubscriptions: Int
        let maxConnections: Int
        let dropsOldest: Bool
        let loopCount: Int
        let drainNanoseconds: UInt64
        /// How often each loop asks the pool to give back idle regions; 0 for never.
        let trimNanoseconds: UInt64
        let digest: [UInt8]?
    }

    let pool: any PoolBackend
    /// Where a control reply goes when ``pool`` refuses it an output chunk (its budget spent
    /// under the `fail` policy): the heap, one buffer of the reply's size, so that a PONG or
    /// a STATS is never lost. Only then: the steady state never comes here.
    let replyFallback = SystemPool(configuration: PoolConfiguration(plan: SizeClassPlan(classes: [])))
    let routing: RoutingTable
    let limits: Limits
    let connectionCount = Atomic<Int>(0)
    let serials = Atomic<Int>(0)
    let counters: [LoopCounters]
    let router: DeliveryRouter
    let logger: Logger
    /// The users' permissions when access control is on.
    let permissions: PermissionTable?
    /// The NATS uplink's settings and shared type ids, when it has one.
    let uplink: (settings: UplinkConfiguration, shared: Set<UInt16>)?
    /// The uplink's counts, when it has one.
    let uplinkCounters: UplinkCounters?
    /// What the uplink delivered from NATS to in-process subscribers.
    let uplinkDeliveries = LoopCounters()

    init(configuration: BrokerConfiguration, pool: any PoolBackend) throws(BrokerError) {
        self.pool = pool
        logger = configuration.logger
        uplink = try configuration.uplink.map { (settings) throws(BrokerError) in
            (settings, try settings.validate(against: configuration.messageTypes))
        }
        uplinkCounters = uplink.map { _ in UplinkCounters() }
        routing = RoutingTable(configuration.messageTypes, uplinked: uplink?.shared ?? [])
        limits = Limits(
            maxPayload: configuration.maxPayload, maxControlPayload: configuration.maxControlPayload,
            maxPending: configuration.maxPending, copyLimit: min(configuration.copyThreshold, configuration.maxPayload),
            chunkSize: configuration.engineBufferSize, receiveSize: configuration.receiveBufferSize,
            readBudget: Self.readsPerEvent * configuration.receiveBufferSize,
            maxSubscriptions: configuration.maxSubscriptions,
            maxConnections: configuration.maxConnections, dropsOldest: configuration.slowConsumerPolicy == .dropOldest,
            loopCount: configuration.loops,
            drainNanoseconds: configuration.drainTimeout.wholeNanoseconds,
            trimNanoseconds: configuration.trimInterval.wholeNanoseconds,
            digest: configuration.digest)
        counters = (0..<configuration.loops).map { _ in LoopCounters() }
        router = DeliveryRouter(routing: routing, limits: limits, pool: pool)
        let routing = routing
        permissions = configuration.authorization.map {
            PermissionTable($0, routing: routing, types: configuration.messageTypes)
        }
    }

    /// Full receive buffers one readable event may read, and queue for writing: 4 × 256 KiB
    /// by default (1 MiB). With 64 KiB buffers, 4 was what a publisher at full speed had
    /// waiting per event; the bound on what is queued keeps a fan-out to 4 at one read per
    /// event (measured against reading 1 MiB: TCP 1 -> 4 at 1 and 4 KiB, 1.26 and 1.32x the C
    /// reference's CPU per message with 1 MiB, 1.11 and 1.19x with 256 KiB; 1 -> 1 at 4 KiB
    /// 1.12x with 1 MiB, 1.52x with 256 KiB).
    static let readsPerEvent = 4

    /// What the loops published last plus the in-process publishes' counts.
    private func totals() -> DeliveryCounts {
        (counters + [router.counters, uplinkDeliveries]).reduce(DeliveryCounts()) { $0 + $1.load() }
    }

    /// The metrics, with `pendingBytes` as the loops reported it.
    func metrics(pendingBytes: Int) -> BrokerMetrics {
        let totals = totals()
        return BrokerMetrics(
            version: MyceliumVersion.current, connections: connectionCount.load(ordering: .relaxed),
            connectionsOpened: totals.opened,
            connectionsClosed: BrokerMetrics.ClosedConnections(
                peer: totals.closed.peer, protocolError: totals.closed.protocolError,
                slowConsumer: totals.closed.slowConsumer, shutdown: totals.closed.shutdown, refused: totals.refused),
            subscriptions: totals.subscriptions, messagesReceived: totals.messagesIn, messagesDelivered: totals.messagesOut,
            bytesReceived: totals.bytesIn, bytesSent: totals.bytesOut,
            messagesDroppedSlowConsumer: totals.dropped - totals.droppedNoMemory,
            messagesDroppedNoMemory: totals.droppedNoMemory, slowConsumers: totals.slowConsumers,
            pendingBytes: pendingBytes, pool: pool.stats(), residentMemoryBytes: ProcessResources.residentMemoryBytes(),
            openFileDescriptors: ProcessResources.openFileDescriptors())
    }

    /// Sums what the loops published last and the in-process publishes' counts.
    func stats() -> BrokerStats {
        let totals = totals()
        return BrokerStats(
            pool: pool.stats(), connections: connectionCount.load(ordering: .relaxed), messagesIn: totals.messagesIn,
            messagesOut: totals.messagesOut, slowConsumers: totals.slowConsumers, dropped: totals.dropped,
            authRefusals: totals.authRefusals, uplink: uplinkCounters?.load(unwanted: totals.uplinkUnwanted))
    }
}

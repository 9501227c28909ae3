import Glibc

/// A loop's mutable state, behind a pointer: touched on the loop's thread only.
struct LoopState: ~Copyable {
    var connections: [UnsafeMutablePointer<Connection>] = []
    var dirty: [UnsafeMutablePointer<Connection>] = []
    var grave: [UnsafeMutablePointer<Connection>] = []
    var paused: [UnsafeMutablePointer<Connection>] = []
    /// Per known type (dense index), this loop's subscribers.
    let subscribers: UnsafeMutablePointer<SubscriberList>
    /// Per other loop, frames to hand over at the end of the batch.
    let outboxes: UnsafeMutablePointer<OutputQueue>
    var outboxMask: UInt64 = 0
    /// Frames of types shared through NATS, handed to the uplink at the end of the batch.
    var uplinkOutbox = OutputQueue()
    /// The emptied queue a handed-over batch is exchanged for.
    let spare: UnsafeMutablePointer<OutputQueue>
    let vectors: UnsafeMutablePointer<iovec>
    var listeners: [(fd: Int32, isTCP: Bool)] = []
    var nextLoop = 0
    var counts = DeliveryCounts()
    /// Bytes this loop has put in memory for writing since it started: every copy into an
    /// output chunk (a subscriber's, another loop's outbox, the uplink's), and a frame queued
    /// by reference once, however many queue it. A readable event stops reading once it has
    /// queued ``BrokerCore/Limits/readBudget`` bytes, whatever the fan-out.
    var queuedBytes = 0
    var draining = false
    var drainDeadline: UInt64 = 0
    var finished = false
    var drainedCleanly = true
    /// The receive buffer readable connections read into, one at a time (see
    /// ``BrokerLoop/readable(_:)``): taken from the pool on the first read, lent to the
    /// connection being read and given back after its frames are parsed. `nil` while a
    /// connection that paused keeps it, until the next read takes another.
    var receiveBuffer: PooledBuffer?
    /// When the loop next asks the pool to trim (``BrokerLoop/coarseNow()`` nanoseconds).
    var nextTrim: UInt64 = 0

    static let vectorCount = 64
    /// Connections whose output may wait for the end of the batch: the next one flushes them
    /// all at once, so that a burst fanned out to thousands of subscribers holds this many
    /// output chunks at a time rather than one per subscriber (10,000 × 64 KiB overran the
    /// pool's budget). A fan-out to fewer is flushed once per batch, as before.
    static let dirtyLimit = 64

    init(typeCount: Int, loopCount: Int) {
        subscribers = .allocate(capacity: max(1, typeCount))
        subscribers.initialize(repeating: SubscriberList(), count: max(1, typeCount))
        outboxes = .allocate(capacity: loopCount)
        for index in 0..<loopCount { (outboxes + index).initialize(to: OutputQueue()) }
        vectors = .allocate(capacity: Self.vectorCount)
        spare = .allocate(capacity: 1)
        spare.initialize(to: OutputQueue())
    }
}

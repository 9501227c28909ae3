import Glibc
import Logging
import Synchronization

/// A broker's client of a NATS cluster, on a thread and event loop of its own.
///
/// Loops hand it the frames of shared types they route (one outbox per loop, handed over
/// at the end of the loop's batch; an in-process publish puts its frame in the inbox
/// directly). It encodes them as `HPUB <prefix>.<Type>` and writes them to the server,
/// keeping at most the buffer size while NATS is away. It subscribes to a type while the
/// broker has local subscribers of it, and hands what arrives to the loops like a socket
/// publisher's frames, never back to NATS.
///
/// Connection states: waiting → connecting → greeting (until `INFO`) → handshaking
/// (`CONNECT`+`PING` sent, until `PONG`) → connected; any failure goes to the next server, and after every server
/// failed once, to a wait of 2 s plus up to 100 ms of jitter.
final class Uplink: EventLoopHandler, @unchecked Sendable {
    let eventLoop: EventLoop
    let core: BrokerCore
    let settings: UplinkConfiguration
    /// The broker's id in `Mycelium-Origin` and the `CONNECT` name.
    let origin: String
    /// Per type (dense index), how it is sent and checked.
    let types: UnsafeMutablePointer<UplinkType>
    let typeCount: Int
    /// Per type, its name and subject, for log lines and subscriptions.
    let names: [(type: String, subject: String)]
    let counters: UplinkCounters
    let parser: NATSParser
    /// Frames handed over by loops and in-process publishes, taken once per wake-up.
    let inbox = Lock(OutputQueue())
    let state: UnsafeMutablePointer<UplinkState>
    /// Per loop, messages from NATS to hand over at the end of the batch (the mask of those
    /// holding some is ``UplinkState/outboxMask``).
    let outboxes: UnsafeMutablePointer<OutputQueue>
    /// ``UplinkConfiguration/probeInterval`` in nanoseconds; `nil` sends every frame.
    let probeNanoseconds: UInt64?
    /// ``UplinkConfiguration/pingInterval`` in nanoseconds.
    let pingNanoseconds: UInt64

    static let handshakeTimeout: UInt64 = 5 * 1_000_000_000
    static let retryDelay: UInt64 = 2 * 1_000_000_000
    static let retryJitter: UInt64 = 100 * 1_000_000
    /// Encoded bytes above which no more frames are encoded until the socket takes some.
    static let outputHighWater = 1 << 20

    init(
        core: BrokerCore, table: MessageTypeTable, settings: UplinkConfiguration, shared: Set<UInt16>,
        counters: UplinkCounters
    )
        throws(EngineError)
    {
        self.core = core
        self.settings = settings
        self.counters = counters
        probeNanoseconds = settings.probeInterval?.wholeNanoseconds
        pingNanoseconds = settings.pingInterval.wholeNanoseconds
        let origin = HexBytes.digits((0..<8).map { _ in UInt8.random(in: 0...255) })
        self.origin = origin
        typeCount = table.entries.count
        types = .allocate(capacity: max(1, typeCount))
        for (dense, entry) in table.entries.enumerated() {
            (types + dense).initialize(
                to: UplinkType(entry, dense: dense, settings: settings, shared: shared, origin: origin))
        }
        names = table.entries.map { ($0.name, UplinkType.subject($0, settings)) }
        // NATS's own ceiling: a larger message is a broken stream; a smaller one too long for
        // its type is refused by type.
        parser = NATSParser(maxMessageBytes: 64 << 20)
        eventLoop = try EventLoop(name: "mycelium-uplink")
        outboxes = .allocate(capacity: max(1, core.limits.loopCount))
        for index in 0..<max(1, core.limits.loopCount) { (outboxes + index).initialize(to: OutputQueue()) }
        state = .allocate(capacity: 1)
        state.initialize(
            to: UplinkState(servers: settings.servers, typeCount: typeCount))
    }

    deinit {
        releaseAll()
        outboxes.deinitialize(count: max(1, core.limits.loopCount))
        outboxes.deallocate()
        state.deinitialize(count: 1)
        state.deallocate()
        for dense in 0..<typeCount { types[dense].free() }
        types.deallocate()
    }

    /// Returns the buffers of frames not sent; called once the uplink and the loops ended.
    func releaseAll() {
        state.pointee.pending.releaseAll()
        for index in 0..<max(1, core.limits.loopCount) { outboxes[index].releaseAll() }
        inbox.withLock { $0.releaseAll() }
    }

    // MARK: Hand-over from loops

    /// Takes a loop's batch of frames of shared types, leaving `outbox` empty; any thread.
    func receive(_ outbox: UnsafeMutablePointer<OutputQueue>) {
        let wasEmpty = inbox.withLock { inbox -> Bool in
            let wasEmpty = inbox.count == 0
            inbox.appendAll(from: &outbox.pointee)
            return wasEmpty
        }
        if wasEmpty { eventLoop.wakeUp() }
    }

    /// Takes an in-process publish of a shared type; any thread.
    func receivePublished(_ header: FrameHeader, _ buffer: consuming SharedBuffer) {
        if inbox.appendShared(header, buffer) { eventLoop.wakeUp() }
    }

    /// A type gained its first local subscriber or lost its last: the uplink (un)subscribes
    /// on its next wake-up.
    func interestChanged() {
        eventLoop.wakeUp()
    }

    /// Ends the uplink's loop: it closes its connection on its way out.
    func stop() {
        eventLoop.execute { [self] in state.pointee.finished = true }
    }

    // MARK: EventLoopHandler

    /// Timers (retry, handshake, keepalive) are checked at least every 100 ms.
    var pollTimeout: Int32 { 100 }

    var isFinished: Bool { state.pointee.finished }

    func handleEvent(token: UInt64, events: UInt32) {
        guard state.pointee.fd >= 0 else { return }
        if state.pointee.phase == .connecting {
            if events & (EventLoop.writable | EventLoop.hangUp) != 0 { connectFinished() }
            return
        }
        if events & EventLoop.writable != 0 { flush() }
        if events & (EventLoop.readable | EventLoop.hangUp) != 0 && state.pointee.fd >= 0 { readable() }
    }

    func handleWakeUp() {
        takeInbox()
        if state.pointee.phase == .connected { updateSubscriptions() }
    }

    func endOfBatch() {
        if state.pointee.finished {
            close(reason: "the broker is stopping")
            publishCounters()
            return
        }
        let now = BrokerLoop.now()
        switch state.pointee.phase {
        case .waiting:
            if now >= state.pointee.retryAt { connectNext() }
        case .connecting, .greeting, .handshaking:
            if now >= state.pointee.handshakeDeadline { attemptFailed("no answer within 5 s") }
        case .connected:
            if now >= state.pointee.nextPingAt { keepAlive(now) }
            if probeNanoseconds != nil { requestDueProbes(now: now) }
            encodePending()
            flush()
        }
        if state.pointee.outboxMask != 0 { core.router.handOver(outboxes, mask: &state.pointee.outboxMask) }
        publishCounters()
    }

    private func publishCounters() {
        counters.messagesOut.store(state.pointee.messagesOut, ordering: .relaxed)
        counters.messagesIn.store(state.pointee.messagesIn, ordering: .relaxed)
        counters.dropped.store(state.pointee.dropped, ordering: .relaxed)
        counters.rejected.store(state.pointee.rejected, ordering: .relaxed)
        counters.reconnects.store(state.pointee.reconnects, ordering: .relaxed)
        core.uplinkDeliveries.store(state.pointee.counts)
    }

    /// Records the connection's state and server for STATS.
    func report(_ phase: String) {
        let server = state.pointee.servers[state.pointee.serverIndex].description
        counters.connection.withLock { $0 = (phase, server) }
    }

    /// Sends PING every ping interval; a connection with two unanswered is stale.
    private func keepAlive(_ now: UInt64) {
        if state.pointee.pingsOutstanding >= 2 {
            disconnect(reason: "stale: two PINGs unanswered")
            return
        }
        state.pointee.pingsOutstanding += 1
        state.pointee.pingsSent += 1
        state.pointee.nextPingAt = now + pingNanoseconds
        state.pointee.output.append(Self.pingLine)
    }

    static let pingLine: [UInt8] = Array("PING\r\n".utf8)
    static let pongLine: [UInt8] = Array("PONG\r\n".utf8)
}

import Glibc
import Logging
import Synchronization

/// One event loop of a broker: owns its connections, reads and routes their frames, and
/// flushes every connection that got output once per event batch.
///
/// Hot state lives in ``LoopState`` and ``Connection`` structs behind pointers; the class
/// has only `let` properties, so the per-frame path pays no exclusivity checks.
final class BrokerLoop: EventLoopHandler, @unchecked Sendable {
    let index: Int
    let eventLoop: EventLoop
    let core: BrokerCore
    let limits: BrokerCore.Limits
    let routing: RoutingTable
    let router: DeliveryRouter
    unowned(unsafe) let pool: any PoolBackend
    let state: UnsafeMutablePointer<LoopState>
    /// Frames other loops handed over, taken in one swap per wake-up.
    let inbox = Lock(OutputQueue())
    let counters: LoopCounters

    init(index: Int, core: BrokerCore) throws(EngineError) {
        self.index = index
        self.core = core
        limits = core.limits
        routing = core.routing
        router = core.router
        pool = core.pool
        counters = core.counters[index]
        eventLoop = try EventLoop(name: "mycelium-loop-\(index)")
        state = .allocate(capacity: 1)
        state.initialize(to: LoopState(typeCount: routing.typeCount, loopCount: core.limits.loopCount))
    }

    deinit {
        releaseHandedOver()
        state.pointee.spare.deinitialize(count: 1)
        state.pointee.spare.deallocate()
        state.pointee.outboxes.deinitialize(count: limits.loopCount)
        state.pointee.outboxes.deallocate()
        for index in 0..<max(1, routing.typeCount) { state.pointee.subscribers[index].free() }
        state.pointee.subscribers.deallocate()
        state.pointee.vectors.deallocate()
        state.deinitialize(count: 1)
        state.deallocate()
    }

    /// Returns the buffers of batches still between loops and the receive buffer; called
    /// once the loops ended.
    func releaseHandedOver() {
        if var receive = state.pointee.receiveBuffer.take() { receive.count = receive.capacity }
        state.pointee.spare.pointee.releaseAll()
        for index in 0..<limits.loopCount { state.pointee.outboxes[index].releaseAll() }
        state.pointee.uplinkOutbox.releaseAll()
        inbox.withLock { $0.releaseAll() }
    }

    // MARK: EventLoopHandler

    var pollTimeout: Int32 {
        if state.pointee.draining || !state.pointee.paused.isEmpty { return 10 }
        guard limits.trimNanoseconds > 0 else { return -1 }
        // Wakes for the next trim; a busy loop trims at the end of a batch.
        let now = Self.coarseNow()
        let next = state.pointee.nextTrim
        return next > now ? Int32(min((next - now) / 1_000_000 + 1, UInt64(Int32.max))) : 0
    }

    var isFinished: Bool { state.pointee.finished }

    func handleEvent(token: UInt64, events: UInt32) {
        if token & 1 == 1 {
            acceptAll(listener: Int(token >> 1))
            return
        }
        let connection = UnsafeMutablePointer<Connection>(bitPattern: UInt(token)).unsafelyUnwrapped
        if connection.pointee.isDead { return }
        if events & EventLoop.writable != 0 { flush(connection) }
        if events & (EventLoop.readable | EventLoop.hangUp) != 0 && !connection.pointee.isDead {
            readable(connection)
        }
    }

    /// Takes an in-process publish for this loop's subscribers; called on any thread, by the
    /// ``DeliveryRouter``.
    func receivePublished(_ header: FrameHeader, _ buffer: consuming SharedBuffer) {
        if inbox.appendShared(header, buffer) { eventLoop.wakeUp() }
    }

    func handleWakeUp() {
        let spare = state.pointee.spare
        inbox.withLock { $0.exchange(with: &spare.pointee) }
        deliverHandedOver(&spare.pointee)
    }

    func endOfBatch() {
        flushDirty()
        if state.pointee.outboxMask != 0 { router.handOver(state.pointee.outboxes, mask: &state.pointee.outboxMask) }
        if state.pointee.uplinkOutbox.count > 0 {
            withUnsafeMutablePointer(to: &state.pointee.uplinkOutbox) { router.uplink.unsafelyUnwrapped.receive($0) }
        }
        if !state.pointee.grave.isEmpty { reap() }
        if !state.pointee.paused.isEmpty { resumePaused() }
        if state.pointee.draining { continueDrain() }
        if limits.trimNanoseconds > 0 { trimWhenDue() }
        publishCounters()
    }

    /// Asks the pool to give back its idle regions once per trim interval, so that the
    /// memory a burst took returns (the arena trims only the calling loop's regions).
    private func trimWhenDue() {
        let now = Self.coarseNow()
        guard now >= state.pointee.nextTrim else { return }
        pool.trim()
        state.pointee.nextTrim = now + limits.trimNanoseconds
    }

    func publishCounters() {
        counters.store(state.pointee.counts)
    }

    // MARK: Connections

    /// Watches a listener; its connections are spread over every loop.
    func addListener(fd: Int32, isTCP: Bool) throws(EngineError) {
        let position = state.pointee.listeners.count
        state.pointee.listeners.append((fd, isTCP))
        try eventLoop.register(fd, token: UInt64(position) << 1 | 1, events: EventLoop.readable)
    }

    private func acceptAll(listener position: Int) {
        let listener = state.pointee.listeners[position]
        for _ in 0..<64 {
            guard let fd = Socket.accept(listener: listener.fd, isTCP: listener.isTCP) else {
                let code = errno
                if code != EAGAIN && code != EWOULDBLOCK {
                    core.logger.error(
                        "accept failed",
                        metadata: ["listener": "\(listener.fd)", "error": "\(EngineError("accept", code: code))"])
                }
                return
            }
            if core.connectionCount.add(1, ordering: .relaxed).newValue > limits.maxConnections {
                core.connectionCount.subtract(1, ordering: .relaxed)
                core.logger.warning(
                    "refusing a connection: too many",
                    metadata: ["peer": "\(Socket.peerAddress(fd))", "limit": "\(limits.maxConnections)"])
                let error = WireError(
                    .shuttingDown, "the broker serves \(limits.maxConnections) connections already; try again later")
                state.pointee.counts.refused += 1
                Socket.sendNow(fd, ControlFrame.error(error).encoded())
                shutdown(fd, Int32(SHUT_WR))
                close(fd)
                continue
            }
            let target = state.pointee.nextLoop
            state.pointee.nextLoop = (target + 1) % limits.loopCount
            let isTCP = listener.isTCP
            if target == index {
                adopt(fd, isTCP: isTCP)
            } else {
                let peer = router.peers[target]
                peer.eventLoop.execute { peer.adopt(fd, isTCP: isTCP) }
            }
        }
    }

    /// Takes a connection accepted by any loop (counted in ``BrokerCore/connectionCount``
    /// already); returns it, or `nil` when the loop has finished or cannot watch it (it is
    /// closed then).
    @discardableResult
    func adopt(_ fd: Int32, isTCP: Bool) -> UnsafeMutablePointer<Connection>? {
        if state.pointee.finished {
            close(fd)
            core.connectionCount.subtract(1, ordering: .relaxed)
            return nil
        }
        let connection = UnsafeMutablePointer<Connection>.allocate(capacity: 1)
        connection.initialize(
            to: Connection(
                fd: fd, serial: core.serials.add(1, ordering: .relaxed).newValue,
                publishPermits: core.permissions?.unauthenticated, isTCP: isTCP, now: Self.coarseNow()))
        do {
            try eventLoop.register(fd, token: UInt64(UInt(bitPattern: connection)), events: EventLoop.readable)
        } catch {
            close(fd)
            connection.deinitialize(count: 1)
            connection.deallocate()
            core.connectionCount.subtract(1, ordering: .relaxed)
            return nil
        }
        state.pointee.connections.append(connection)
        state.pointee.counts.opened += 1
        if state.pointee.draining {
            closeWith(connection, WireError(.shuttingDown, "the broker is shutting down"))
        }
        return connection
    }

    /// ERROR replies logged per connection; past that, one line says that no more are.
    static let loggedErrorsPerConnection = 10

    /// Queues `frame` on `connection`. Control replies are never dropped; a connection whose
    /// queued output already passes the pending limit (it does not read the ERRORs and PONGs
    /// its frames cause) is disconnected as a slow consumer instead.
    func send(_ frame: ControlFrame, to connection: UnsafeMutablePointer<Connection>) {
        var closing = false
        if case .error(let error) = frame {
            // Shutdown and slow-consumer closes have lines of their own.
            closing = error.code == .shuttingDown || error.code == .slowConsumer
            if !closing { log(error, to: connection) }
        }
        if !closing && !connection.pointee.isClosing && connection.pointee.output.pendingBytes > limits.maxPending {
            disconnectSlow(connection)
            return
        }
        let queued = frame.encoded().withUnsafeBytes { raw in
            func append(chunkSize: Int, from pool: any PoolBackend) -> Bool {
                (try? connection.pointee.output.appendFrames(
                    raw.baseAddress!, byteCount: raw.count, frameSize: raw.count, chunkSize: chunkSize, pool: pool)) != nil
            }
            return append(chunkSize: limits.chunkSize, from: pool) || append(chunkSize: raw.count, from: core.replyFallback)
        }
        if queued { markDirty(connection) }
    }

    /// Logs an ERROR sent to `connection`, the first ``loggedErrorsPerConnection`` of them:
    /// a client that sends a stream of bad frames must not flood the log.
    private func log(_ error: WireError, to connection: UnsafeMutablePointer<Connection>) {
        connection.pointee.errorsLogged += 1
        switch connection.pointee.errorsLogged {
        case ...Self.loggedErrorsPerConnection:
            core.logger.warning(
                "sending ERROR \(error.code.rawValue)",
                metadata: metadata(connection).merging(["code": "\(error.code)", "message": "\(error.message)"]) { $1 })
        case Self.loggedErrorsPerConnection + 1:
            core.logger.warning(
                "more ERRORs for this connection are not logged (they are still sent)", metadata: metadata(connection))
        default:
            break
        }
    }

    @inline(__always)
    func markDirty(_ connection: UnsafeMutablePointer<Connection>) {
        if !connection.pointee.isDirty {
            connection.pointee.isDirty = true
            state.pointee.dirty.append(connection)
            if state.pointee.dirty.count >= LoopState.dirtyLimit { flushDirty() }
        }
    }

    /// Flushes every connection that got output since the last flush.
    private func flushDirty() {
        // By index, without copying the array: a copy would make `removeAll` allocate.
        var position = 0
        while position < state.pointee.dirty.count {
            let connection = state.pointee.dirty[position]
            position += 1
            if connection.pointee.isDead { continue }
            connection.pointee.isDirty = false
            flush(connection)
        }
        state.pointee.dirty.removeAll(keepingCapacity: true)
    }

    func flush(_ connection: UnsafeMutablePointer<Connection>) {
        let pending = connection.pointee.output.pendingBytes
        let result = connection.pointee.output.flush(
            to: connection.pointee.fd, vectors: state.pointee.vectors, vectorCount: LoopState.vectorCount)
        let written = pending - connection.pointee.output.pendingBytes
        if written > 0 {
            connection.pointee.bytesOut += written
            state.pointee.counts.bytesOut += written
            connection.pointee.lastActive = Self.coarseNow()
        }
        if case .drained = result { connection.pointee.output.releaseEmptiedChunk() }
        switch result {
        case .drained where connection.pointee.isClosing, .failed:
            finish(connection)
        case .drained, .blocked:
            if result.updateWritableInterest(&connection.pointee.wantsWritable) { watch(connection) }
        }
    }

    private func watch(_ connection: UnsafeMutablePointer<Connection>) {
        let events = EventLoop.events(reading: !connection.pointee.isPaused, writing: connection.pointee.wantsWritable)
        eventLoop.modify(connection.pointee.fd, token: UInt64(UInt(bitPattern: connection)), events: events)
    }

    /// Stops reading from `connection` until memory frees (the pool's budget is spent).
    func pause(_ connection: UnsafeMutablePointer<Connection>) {
        guard !connection.pointee.isPaused else { return }
        connection.pointee.isPaused = true
        state.pointee.paused.append(connection)
        watch(connection)
    }

    private func resumePaused() {
        let paused = state.pointee.paused
        state.pointee.paused.removeAll(keepingCapacity: true)
        for connection in paused where !connection.pointee.isDead {
            connection.pointee.isPaused = false
            watch(connection)
            parseBuffered(connection)
        }
    }

    /// Sends `error` after what is queued, then closes: at once, unless the broker is
    /// draining (then when the output is written or the drain times out).
    func closeWith(_ connection: UnsafeMutablePointer<Connection>, _ error: WireError) {
        guard !connection.pointee.isDead else { return }
        send(.error(error), to: connection)
        connection.pointee.isClosing = true
        connection.pointee.closeReason =
            switch error.code {
            case .slowConsumer: .slowConsumer
            case .shuttingDown: .shutdown
            default: .protocolError
            }
        if !state.pointee.draining {
            flush(connection)
            finish(connection)
        }
    }

    /// Closes the descriptor now; the memory goes at the end of the batch.
    func finish(_ connection: UnsafeMutablePointer<Connection>) {
        guard !connection.pointee.isDead else { return }
        connection.pointee.isDead = true
        core.logger.debug("connection closed", metadata: metadata(connection))
        eventLoop.unregister(connection.pointee.fd)
        shutdown(connection.pointee.fd, Int32(SHUT_WR))
        close(connection.pointee.fd)
        state.pointee.grave.append(connection)
    }

    /// Frees closed connections: subscriptions, buffers, memory.
    private func reap() {
        let grave = state.pointee.grave
        state.pointee.grave.removeAll(keepingCapacity: true)
        for connection in grave {
            for typeID in connection.pointee.subscriptions { removeSubscriber(connection, typeID: typeID) }
            if let position = state.pointee.connections.firstIndex(of: connection) {
                state.pointee.connections.swapAt(position, state.pointee.connections.count - 1)
                state.pointee.connections.removeLast()
            }
            // A connection paused for memory and closed in the same batch is still listed
            // there; resumePaused() would read it after it is freed (AddressSanitizer
            // caught that).
            if connection.pointee.isPaused { state.pointee.paused.removeAll { $0 == connection } }
            switch connection.pointee.closeReason {
            case .peer: state.pointee.counts.closed.peer += 1
            case .protocolError: state.pointee.counts.closed.protocolError += 1
            case .slowConsumer: state.pointee.counts.closed.slowConsumer += 1
            case .shutdown: state.pointee.counts.closed.shutdown += 1
            }
            connection.pointee.input.release()
            connection.pointee.output.releaseAll()
            connection.deinitialize(count: 1)
            connection.deallocate()
            core.connectionCount.subtract(1, ordering: .relaxed)
        }
    }

    // MARK: Stopping

    /// Stops accepting, queues ERROR 8 on every connection and drains until `deadline`
    /// (`CLOCK_MONOTONIC` nanoseconds).
    ///
    /// Runs as a task, in the middle of an event batch: the batch's own ``endOfBatch()``
    /// flushes and reaps, after the batch's later events. Reaping here freed connections
    /// that those events still named (a use-after-free AddressSanitizer caught).
    func beginDrain(deadline: UInt64) {
        state.pointee.draining = true
        state.pointee.drainDeadline = deadline
        for listener in state.pointee.listeners {
            eventLoop.unregister(listener.fd)
            close(listener.fd)
        }
        state.pointee.listeners.removeAll()
        for connection in state.pointee.connections where !connection.pointee.isDead {
            closeWith(connection, WireError(.shuttingDown, "the broker is shutting down"))
        }
    }

    private func continueDrain() {
        let open = state.pointee.connections.filter { !$0.pointee.isDead }
        if !open.isEmpty && Self.now() < state.pointee.drainDeadline { return }
        if !open.isEmpty { state.pointee.drainedCleanly = false }
        for connection in open { finish(connection) }
        reap()
        state.pointee.finished = true
    }

    /// Whether every connection's output was written before the deadline.
    var drainedCleanly: Bool { state.pointee.drainedCleanly }

    static func now() -> UInt64 {
        nanoseconds(CLOCK_MONOTONIC)
    }

    /// The monotonic clock at tick resolution (a few milliseconds, no system call): what a
    /// connection's age and idle time are measured with, read once per `recv` and flush.
    static func coarseNow() -> UInt64 {
        nanoseconds(CLOCK_MONOTONIC_COARSE)
    }

    private static func nanoseconds(_ clock: clockid_t) -> UInt64 {
        var time = timespec()
        clock_gettime(clock, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}

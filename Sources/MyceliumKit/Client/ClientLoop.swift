import Glibc
import Logging
import Synchronization

/// The event-loop side of one ``MyceliumClient``: one connection on its own ``EventLoop``
/// thread. It writes what callers queue, reads and parses frames in place, hands each
/// subscribed stream the data frames of a read in one batch (views of the receive buffer, or
/// copies in pooled buffers for a small read) and answers round trips.
///
/// Loop state lives in ``ClientState`` behind a pointer; other threads touch only the
/// ``outbox`` (under its lock) and reach the loop through ``submit(_:)``.
final class ClientLoop: EventLoopHandler, @unchecked Sendable {
    let eventLoop: EventLoop
    let pool: any PoolBackend
    let address: SocketAddress
    let peerName: String
    let digest: [UInt8]
    let token: String?
    let options: MyceliumClient.Options
    let state: UnsafeMutablePointer<ClientState>
    let outbox = Lock(Outbox())
    let tokens = Atomic<UInt64>(1)

    init(
        address: SocketAddress, peerName: String, digest: [UInt8], token: String?, pool: any PoolBackend,
        options: MyceliumClient.Options
    ) throws(EngineError) {
        self.address = address
        self.peerName = peerName
        self.digest = digest
        self.token = token
        self.pool = pool
        self.options = options
        eventLoop = try EventLoop(name: "mycelium-client")
        state = .allocate(capacity: 1)
        state.initialize(to: ClientState())
    }

    deinit {
        outbox.withLock { $0.queue.releaseAll() }
        state.deinitialize(count: 1)
        state.deallocate()
    }

    /// Starts the loop's thread; it runs until ``shutDown()``.
    func startThread() throws(EngineError) {
        _ = try LoopThread(name: eventLoop.name) { [self] in
            eventLoop.run(self)
            pthread_detach(pthread_self())
        }
    }

    // MARK: Calls from other threads

    /// Runs `task` on the loop, or returns why it cannot (the client was closed).
    func submit(_ task: @escaping @Sendable () -> Void) -> MyceliumClientError? {
        outbox.withLock { box -> MyceliumClientError? in
            if box.isShutDown { return box.failure ?? .closed }
            eventLoop.execute(task)
            return nil
        }
    }

    /// Runs a request's `task` on the loop, or returns why it cannot: the client was
    /// closed, or the calling task is cancelled.
    ///
    /// Cancellation is checked under the lock that a cancellation handler's ``submit(_:)``
    /// takes too, and a task is marked cancelled before its handlers run: so either `task`
    /// reaches the loop before the handler's ``abandon(_:with:)``, or it is not sent at all.
    func submitRequest(_ task: @escaping @Sendable () -> Void) -> (any Error)? {
        outbox.withLock { box -> (any Error)? in
            if box.isShutDown { return box.failure ?? MyceliumClientError.closed }
            if Task.isCancelled { return CancellationError() }
            eventLoop.execute(task)
            return nil
        }
    }

    /// Stops taking calls and closes the connection, failing everything still pending with
    /// ``MyceliumClientError/closed``; the loop's thread then ends. With a `timeout`, frames
    /// published before are first written and confirmed (``beginClose(timeout:then:)``).
    /// `done` runs on the loop when that is finished. Returns `false` (and never runs
    /// `done`) when the loop was shut down already.
    @discardableResult
    func shutDown(flushingFor timeout: Duration?, then done: (@Sendable (MyceliumClientError?) -> Void)? = nil)
        -> Bool
    {
        outbox.withLock { box -> Bool in
            guard !box.isShutDown else { return false }
            box.isShutDown = true
            eventLoop.execute { [self] in beginClose(timeout: timeout, then: done) }
            return true
        }
    }

    // MARK: EventLoopHandler

    /// Until the earliest request deadline, in whole milliseconds rounded up.
    var pollTimeout: Int32 {
        guard let deadline = state.pointee.earliestDeadline else { return -1 }
        let (seconds, attoseconds) = (deadline - .now).components
        guard seconds >= 0 && attoseconds >= 0 else { return 0 }
        return Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
    }

    var isFinished: Bool { state.pointee.finished }

    func handleEvent(token: UInt64, events: UInt32) {
        switch state.pointee.phase {
        case .closed:
            return
        case .connecting:
            connected()
        case .greeting, .open:
            if events & EventLoop.writable != 0 { flush() }
            guard events & (EventLoop.readable | EventLoop.hangUp) != 0, state.pointee.phase != .closed else { return }
            if state.pointee.readPauses > 0 {
                // Level-triggered HUP would repeat forever; look again once reading resumes.
                eventLoop.unregister(state.pointee.fd)
                state.pointee.isRegistered = false
                return
            }
            readable()
        }
    }

    func handleWakeUp() {
        takeOutbox()
        flush()
    }

    func endOfBatch() {
        expireRequests()
    }

    // MARK: Connecting

    /// Starts connecting; `continuation` resumes when the broker's HELLO arrives.
    func connect(_ continuation: CheckedContinuation<Void, any Error>) {
        state.pointee.connectContinuation = continuation
        do {
            let (fd, isComplete) = try Socket.startConnect(to: address)
            state.pointee.fd = fd
            try eventLoop.register(fd, token: 0, events: isComplete ? EventLoop.readable : EventLoop.writable)
            state.pointee.isRegistered = true
            if isComplete { greet() }
        } catch {
            fail(.connectFailed(address: address.description, error: error))
        }
    }

    private func connected() {
        let code = Socket.connectionResult(state.pointee.fd)
        guard code == 0 else {
            let error = EngineError(
                "connect \(address)", code: code, reason: String(cString: strerror(code)) + Socket.connectHint(code))
            fail(.connectFailed(address: address.description, error: error))
            return
        }
        greet()
    }

    /// Sends HELLO once connected, and waits for the broker's.
    func greet() {
        state.pointee.phase = .greeting
        send(.hello(Hello(digest: digest, peerName: peerName, token: token)))
        watch()
        flush()
    }

    // MARK: Writing

    /// Moves what callers queued to the loop's output, behind what is there.
    func takeOutbox() {
        outbox.withLock { take(&$0) }
    }

    /// ``takeOutbox()`` under the outbox's lock. An empty output takes the queue whole, so a
    /// run a publisher wrote in part (``Outbox/sendOrAppend(_:)``,
    /// only into an empty output) keeps its written part.
    private func take(_ box: inout Outbox) {
        box.wakeRequested = false
        state.pointee.taken = box.published
        if state.pointee.sending.pendingBytes == 0 && state.pointee.sending.count <= 1 {
            state.pointee.sending.exchange(with: &box.queue)
        } else {
            state.pointee.sending.appendAll(from: &box.queue)
        }
        // Counted at once: publishers would otherwise see the taken bytes as room until
        // the next flush, and pending output could reach twice the limit.
        box.loopPending = state.pointee.sending.pendingBytes
    }

    /// Queues control frames, back to back, after everything callers queued before (under
    /// the outbox's lock, so that no publisher writes the socket past them).
    func send(_ frames: ControlFrame...) {
        let bytes = frames.flatMap { $0.encoded() }
        let failed = outbox.withLock { box -> PoolError? in
            take(&box)
            for case .ping in frames { state.pointee.pingMarks.append(state.pointee.taken) }
            defer { box.loopPending = state.pointee.sending.pendingBytes }
            return bytes.withUnsafeBytes { raw -> PoolError? in
                do throws(PoolError) {
                    try state.pointee.sending.appendFrames(
                        raw.baseAddress!, byteCount: raw.count, frameSize: 0, chunkSize: options.bufferSize, pool: pool)
                    return nil
                } catch {
                    return error
                }
            }
        }
        if let failed { fail(.pool(failed)) }
    }

    /// Writes what the socket takes and tells waiting publishers about the room.
    func flush() {
        guard state.pointee.phase == .greeting || state.pointee.phase == .open else { return }
        let result = state.pointee.sending.flush(
            to: state.pointee.fd, vectors: state.pointee.vectors, vectorCount: ClientState.vectorCount)
        if case .failed(let code) = result {
            lost("writing failed: \(String(cString: strerror(code)))")
            return
        }
        if result.updateWritableInterest(&state.pointee.wantsWritable) { watch() }
        let pending = state.pointee.sending.pendingBytes
        let limit = options.maxPendingBytes
        let waiters = outbox.withLock { box -> [UnsafeContinuation<Outbox.Wake, Never>] in
            box.loopPending = pending
            guard box.queue.pendingBytes + pending < limit else { return [] }
            return box.takeWaiters()
        }
        for waiter in waiters { waiter.resume(returning: .retry) }
    }

    /// Sets what epoll reports for the connection: input unless a stream paused it,
    /// output while the socket is full.
    func watch() {
        let fd = state.pointee.fd
        guard fd >= 0, state.pointee.phase != .closed else { return }
        let events = EventLoop.events(reading: state.pointee.readPauses == 0, writing: state.pointee.wantsWritable)
        if state.pointee.isRegistered {
            eventLoop.modify(fd, token: 0, events: events)
        } else {
            do {
                try eventLoop.register(fd, token: 0, events: events)
                state.pointee.isRegistered = true
            } catch {
                lost("cannot watch the socket: \(error)")
            }
        }
    }

    /// A stream's consumer caught up: read again once no stream is paused.
    func resumeReading() {
        guard state.pointee.readPauses > 0 else { return }
        state.pointee.readPauses -= 1
        if state.pointee.readPauses == 0 { watch() }
    }

    // MARK: Streams

    /// A queue for a new stream: ``MyceliumClient/Options/streamCapacity`` messages, then
    /// reading pauses until its consumer has taken half of them.
    func makeStreamQueue() -> MessageQueue {
        MessageQueue(
            limit: options.streamCapacity,
            overflow: .pauseProducer { [weak self] in
                guard let self else { return }
                _ = submit { self.resumeReading() }
            }, pool: pool)
    }

    /// Routes the data frames of `typeIDs` to `target` from the next frame parsed on.
    func addRoute(to target: SubscriptionRoute.Target, typeIDs: [UInt16]) {
        state.pointee.routes.append(SubscriptionRoute(target, typeIDs: typeIDs))
        state.pointee.routeCache = ClientState.noRoute
    }

    // MARK: Ending

    /// The connection ended under the client.
    func lost(_ reason: String) {
        fail(.connectionLost(reason: reason, brokerError: state.pointee.closingError))
    }

    /// Closes the connection and fails everything waiting with `error`: the connect, round
    /// trips, stats requests, publishers, and every stream (after what it has queued).
    func fail(_ error: MyceliumClientError) {
        guard state.pointee.phase != .closed else { return }
        state.pointee.phase = .closed
        state.pointee.failure = error
        let metadata: Logger.Metadata = ["broker": "\(address)", "name": "\(peerName)"]
        if error.code == .closed {
            options.logger.debug("connection closed", metadata: metadata)
        } else {
            options.logger.warning("connection ended", metadata: metadata.merging(["error": "\(error)"]) { $1 })
        }
        // Before the socket closes: no publisher writes to it from now on.
        let publishers = outbox.withLock { box -> [UnsafeContinuation<Outbox.Wake, Never>] in
            box.failure = error
            box.fd = -1
            box.queue.releaseAll()
            return box.takeWaiters()
        }
        if state.pointee.fd >= 0 {
            if state.pointee.isRegistered { eventLoop.unregister(state.pointee.fd) }
            close(state.pointee.fd)
            state.pointee.fd = -1
        }
        for publisher in publishers { publisher.resume(returning: .failed(error)) }
        state.pointee.connectContinuation.take()?.resume(throwing: error)
        let roundTrips = state.pointee.roundTrips
        state.pointee.roundTrips.removeAll()
        for (_, roundTrip) in roundTrips {
            switch roundTrip {
            case .windowStart, .close, .abandoned: break
            case .ping(_, let continuation): continuation.resume(throwing: error)
            case .subscribe(_, let continuation), .unsubscribe(let continuation), .flush(let continuation):
                // A subscription waiting for its confirmation is routed: it ends below.
                continuation.resume(throwing: error)
            }
        }
        for request in state.pointee.documentRequests { request.continuation?.resume(throwing: error) }
        state.pointee.documentRequests.removeAll()
        state.pointee.deadlines.removeAll()
        state.pointee.earliestDeadline = nil
        endSubscriptions(throwing: error)
        state.pointee.received.removeAll()
        state.pointee.outgoing.releaseAll()
        state.pointee.input.release()
        state.pointee.receiveChunk = nil
        state.pointee.sending.releaseAll()
        if let done = state.pointee.closeDone.take() {
            // Lost while closing: what was not confirmed may be lost too.
            state.pointee.finished = true
            done(error)
        }
    }

    /// Ends every subscription with `error` (a stream after the messages it holds) and
    /// routes nothing from now on; reading resumes if a stream had paused it.
    func endSubscriptions(throwing error: MyceliumClientError) {
        let routes = state.pointee.routes
        state.pointee.routes.removeAll()
        state.pointee.routeCache = ClientState.noRoute
        for route in routes where route.target.finish(throwing: error) { resumeReading() }
    }
}

import Glibc
import Logging

extension ClientLoop {
    /// Reads what the socket has and handles every complete frame.
    func readable() {
        var socket = SocketSource(fd: state.pointee.fd)
        readable(from: &socket)
    }

    /// ``readable()`` with the input read from `source`: the socket, or the bytes a fuzz
    /// target feeds (``FedClient``).
    func readable(from source: inout some ByteSource) {
        defer { wakeConsumers() }
        if state.pointee.input.largeBase != nil {
            readPartial(from: &source)
            return
        }
        if state.pointee.input.base == nil {
            do {
                try state.pointee.input.prepare(pool: pool, byteCount: options.bufferSize)
            } catch {
                fail(.pool(error))
                return
            }
        }
        switch state.pointee.input.receive(from: &source) {
        case .bytes(let end):
            let pausesBefore = state.pointee.readPauses
            parse(base: state.pointee.input.base.unsafelyUnwrapped, end: end)
            if state.pointee.readPauses != pausesBefore { watch() }
        case .wouldBlock:
            return
        case .ended(let code):
            lostReading(code)
        }
    }

    /// Parses the frames in `base[0..<end]`. A data frame that a stream receives is collected
    /// as a view of the receive buffer and handed over with the read's others
    /// (``deliverReceived(usedByteCount:)``), at the end or before a control frame, which is
    /// handled in place. A partial frame moves to the front of the receive buffer (of a fresh
    /// one when the read's was handed over), unless it is larger than the buffer: such a data
    /// frame goes on in a buffer of its own.
    private func parse(base: UnsafeMutableRawPointer, end: Int) {
        var offset = 0
        let capacity = state.pointee.input.capacity
        // The handler of the type last handed to one, `nil` when several receive it; held in
        // a local, it is not retained around every call. Only a control frame can change the
        // routes during a parse (a handler's requests go through this thread, after it).
        var handlerTypeID: UInt16 = 0
        var soleHandler: (any MessageHandler)?
        while state.pointee.phase != .closed {
            if state.pointee.input.skipRemaining > 0 {
                guard state.pointee.input.skip(&offset, end: end) else { break }
                continue
            }
            if end - offset < FrameHeader.byteCount { break }
            let header = FrameHeader(readingFrom: base + offset)
            let payloadStart = offset + FrameHeader.byteCount
            let length = Int(header.length)
            let isData = header.typeID >= ControlFrameType.firstDataTypeID
            if isData && length > options.maxPayload {
                fail(
                    .protocolViolation(
                        "it sent a frame of type \(header.typeID) with length \(length), above this client's maxPayload of \(options.maxPayload) bytes (MyceliumClient.Options.maxPayload; raise it if the broker allows larger frames)"
                    ))
                return
            }
            if isData && !isRouted(header.typeID) {
                offset = state.pointee.input.startSkipping(length, from: payloadStart, end: end)
                continue
            }
            if FrameHeader.byteCount + length > capacity {
                guard isData else {
                    fail(
                        .protocolViolation(
                            "a frame of type \(header.typeID) with length \(length) does not fit the \(capacity)-byte receive buffer"
                        ))
                    return
                }
                offset = startLarge(header, base: base, payloadStart: payloadStart, end: end)
                continue
            }
            if payloadStart + length > end { break }
            if isData {
                if state.pointee.routeCache.toHandlers {
                    let payload = UnsafeRawBufferPointer(start: base + payloadStart, count: length)
                    if header.typeID != handlerTypeID {
                        handlerTypeID = header.typeID
                        soleHandler = self.soleHandler(of: header.typeID)
                    }
                    if soleHandler != nil {
                        // Called on the optional in place: binding it would retain it.
                        soleHandler?.receive(typeID: header.typeID, payload: payload)
                    } else {
                        handle(header.typeID, payload)
                    }
                }
                if state.pointee.routeCache.toStreams {
                    state.pointee.received.append(typeID: header.typeID, base: base + payloadStart, count: length)
                }
            } else {
                deliverReceived(usedByteCount: end)
                control(typeID: header.typeID, payload: UnsafeRawBufferPointer(start: base + payloadStart, count: length))
                handlerTypeID = 0
            }
            offset = payloadStart + length
        }
        if state.pointee.phase != .closed { deliverReceived(usedByteCount: end) }
        guard state.pointee.phase != .closed else {
            state.pointee.received.removeAll()
            state.pointee.receiveChunk = nil
            return
        }
        guard state.pointee.receiveChunk != nil else {
            state.pointee.input.keep(from: offset, end: end)
            return
        }
        do {
            let fresh = try pool.acquire(byteCount: options.bufferSize)
            state.pointee.input.renew(with: fresh, keepingFrom: offset, end: end)
            state.pointee.receiveChunk = nil
        } catch {
            fail(.pool(error))
        }
    }

    /// Whether a subscription receives `typeID`; ``ClientState/routeCache`` says which
    /// kinds after the call (the last answer is cached: a read's frames are mostly of one
    /// type).
    @inline(__always)
    private func isRouted(_ typeID: UInt16) -> Bool {
        if typeID != state.pointee.routeCache.typeID {
            var toStreams = false
            var toHandlers = false
            for route in state.pointee.routes where route.receives(typeID) {
                if case .handler = route.target { toHandlers = true } else { toStreams = true }
            }
            state.pointee.routeCache = (typeID, toStreams, toHandlers)
        }
        return state.pointee.routeCache.toStreams || state.pointee.routeCache.toHandlers
    }

    /// The handler subscribed to `typeID` when it is the only one.
    private func soleHandler(of typeID: UInt16) -> (any MessageHandler)? {
        var sole: (any MessageHandler)?
        for route in state.pointee.routes where route.receives(typeID) {
            guard case .handler(let handler) = route.target else { continue }
            guard sole == nil else { return nil }
            sole = handler
        }
        return sole
    }

    /// Calls every handler subscribed to `typeID` with `payload`, in the order they subscribed.
    private func handle(_ typeID: UInt16, _ payload: UnsafeRawBufferPointer) {
        for route in state.pointee.routes where route.receives(typeID) {
            if case .handler(let handler) = route.target { handler.receive(typeID: typeID, payload: payload) }
        }
    }

    /// Hands the data frames collected from this read to every stream receiving them, one
    /// hand-off per stream; a consumer waiting on one is woken by ``wakeConsumers()`` after
    /// the read. `usedByteCount`: the bytes read into the receive buffer.
    private func deliverReceived(usedByteCount: Int) {
        guard state.pointee.received.count > 0 else { return }
        defer { state.pointee.received.removeAll() }
        for route in state.pointee.routes {
            guard case .stream(let queue) = route.target else { continue }
            if state.pointee.received.hasMixedTypes {
                state.pointee.selected.removeAll()
                for frame in state.pointee.received.all where route.receives(frame.typeID) {
                    state.pointee.selected.append(typeID: frame.typeID, base: frame.base, count: Int(frame.count))
                }
                guard state.pointee.selected.count > 0 else { continue }
                guard collect(state.pointee.selected.all, byteCount: state.pointee.selected.byteCount, usedByteCount)
                else { return }
            } else {
                guard route.receives(state.pointee.received.firstTypeID) else { continue }
                guard collect(state.pointee.received.all, byteCount: state.pointee.received.byteCount, usedByteCount)
                else { return }
            }
            handOff(to: queue)
        }
    }

    /// Puts `frames` (of `byteCount` wire bytes) in the outgoing batch. When they fill at
    /// least half of the receive buffer, as views of it: the buffer is handed over as a chunk
    /// they share, and the next read gets a fresh one. Else each is copied into a pooled
    /// buffer of its own class, so that a stream's waiting messages never hold more than
    /// about twice their bytes. Returns `false` when the pool failed (the connection has
    /// failed then).
    private func collect(
        _ frames: UnsafeBufferPointer<MessageBatch.Entry>, byteCount: Int, _ usedByteCount: Int
    ) -> Bool {
        if byteCount * 2 >= state.pointee.input.capacity {
            if state.pointee.receiveChunk == nil {
                state.pointee.receiveChunk = state.pointee.input.handOver(usedByteCount: usedByteCount)
            }
            if let chunk = state.pointee.receiveChunk?.share() { state.pointee.outgoing.append(frames, in: chunk) }
            return true
        }
        for frame in frames {
            do {
                var own = try pool.acquire(byteCount: max(1, Int(frame.count)))
                own.baseAddress.copyMemory(from: frame.base, byteCount: Int(frame.count))
                own.count = Int(frame.count)
                state.pointee.outgoing.append(typeID: frame.typeID, own.share())
            } catch {
                state.pointee.outgoing.releaseAll()
                fail(.pool(error))
                return false
            }
        }
        return true
    }

    /// A data frame larger than the receive buffer, whose payload starts at `payloadStart`:
    /// copied into a pooled buffer of its own class, the rest read straight into it
    /// (``readPartial(from:)``). Returns where parsing goes on.
    private func startLarge(_ header: FrameHeader, base: UnsafeMutableRawPointer, payloadStart: Int, end: Int) -> Int {
        let length = Int(header.length)
        let buffer: PooledBuffer
        do {
            buffer = try pool.acquire(byteCount: length)
        } catch {
            fail(.pool(error))
            return end
        }
        let available = min(length, end - payloadStart)
        if let frame = state.pointee.input.startLarge(header, in: buffer, from: base + payloadStart, available: available) {
            deliver(header.typeID, frame)
        }
        return payloadStart + available
    }

    /// Reads the rest of a data frame from `source` straight into its buffer.
    private func readPartial(from source: inout some ByteSource) {
        defer { wakeConsumers() }
        switch state.pointee.input.receiveLarge(from: &source) {
        case .bytes: break
        case .wouldBlock: return
        case .ended(let code):
            lostReading(code)
            return
        }
        guard let frame = state.pointee.input.takeLarge() else { return }
        let pausesBefore = state.pointee.readPauses
        deliver(state.pointee.input.largeHeader.typeID, frame)
        if state.pointee.readPauses != pausesBefore { watch() }
    }

    /// The connection ended while reading: the broker closed it (`code` 0) or `recv` failed.
    private func lostReading(_ code: Int32) {
        lost(code == 0 ? "the broker closed the connection" : "reading failed: \(String(cString: strerror(code)))")
    }

    /// Hands one frame in a buffer of its own to every subscription receiving its type: each
    /// handler in turn, then each stream (shared, no copy).
    private func deliver(_ typeID: UInt16, _ buffer: consuming PooledBuffer) {
        let shared = buffer.share()
        handle(typeID, UnsafeRawBufferPointer(start: shared.baseAddress, count: shared.count))
        for route in state.pointee.routes where route.receives(typeID) {
            guard case .stream(let queue) = route.target else { continue }
            state.pointee.outgoing.append(typeID: typeID, shared.share())
            handOff(to: queue)
        }
    }

    /// Moves the outgoing batch into `queue`: a stream that reached its capacity pauses
    /// reading; a waiting consumer is woken after the read.
    private func handOff(to queue: MessageQueue) {
        let (delivery, waiter) = queue.deliverDeferringWake(&state.pointee.outgoing)
        if case .full = delivery { state.pointee.readPauses += 1 }
        if let waiter { state.pointee.wakes.append(waiter) }
    }

    /// Wakes the consumers this read delivered to.
    private func wakeConsumers() {
        guard !state.pointee.wakes.isEmpty else { return }
        for waiter in state.pointee.wakes { waiter.resume() }
        state.pointee.wakes.removeAll(keepingCapacity: true)
    }

    // MARK: Control frames

    private func control(typeID: UInt16, payload: UnsafeRawBufferPointer) {
        let frame: ControlFrame
        do {
            frame = try ControlFrame.decode(typeID: typeID, payload: payload)
        } catch {
            fail(.protocolViolation("it sent a malformed frame of type \(typeID): \(error.message)"))
            return
        }
        switch frame {
        case .hello:
            guard state.pointee.phase == .greeting else {
                fail(.protocolViolation("it sent HELLO twice"))
                return
            }
            state.pointee.phase = .open
            outbox.withLock { $0.fd = state.pointee.fd }
            state.pointee.connectContinuation.take()?.resume()
        case .pong(let bytes):
            guard bytes.count == 8 else {
                fail(.protocolViolation("it sent a PONG of \(bytes.count) bytes to an 8-byte PING"))
                return
            }
            if !state.pointee.pingMarks.isEmpty { state.pointee.confirmed = state.pointee.pingMarks.removeFirst() }
            let token = bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
            state.pointee.deadlines[token] = nil
            if let roundTrip = state.pointee.roundTrips.removeValue(forKey: token) { complete(token, roundTrip) }
        case .error(let error):
            received(error)
        case .stats(let json), .connections(let json):
            guard let index = state.pointee.documentRequests.firstIndex(where: { $0.reply == frame.type }) else {
                fail(.protocolViolation("it sent \(frame.type == .stats ? "STATS" : "CONNECTIONS") nobody asked for"))
                return
            }
            let request = state.pointee.documentRequests.remove(at: index)
            state.pointee.deadlines[request.token] = nil
            request.continuation?.resume(returning: json)
        case .subscribe, .unsubscribe, .ping, .statsRequest, .connectionsRequest:
            fail(.protocolViolation("it sent a frame of type \(typeID) (\(frame.type)), which only clients send"))
        }
    }

    private func received(_ error: WireError) {
        options.logger.debug(
            "the broker sent ERROR \(error.code.rawValue)", metadata: ["broker": "\(address)", "error": "\(error)"])
        if state.pointee.phase == .greeting {
            fail(.broker(error))
            return
        }
        switch error.code {
        case .frameTooLarge, .digestMismatch, .slowConsumer, .shuttingDown, .notAuthorized:
            // The broker closes the connection after these; the loss reports it.
            state.pointee.closingError = error
        default:
            if state.pointee.window != nil && state.pointee.windowError == nil {
                state.pointee.windowError = error
            } else if state.pointee.unclaimedErrors.count < ClientState.unclaimedErrorLimit {
                state.pointee.unclaimedErrors.append(error)
            }
        }
    }

    private func complete(_ token: UInt64, _ roundTrip: PendingRoundTrip) {
        switch roundTrip {
        case .windowStart(let closes):
            state.pointee.window = closes
            state.pointee.windowError = nil
        case .ping(let sentAt, let continuation):
            continuation.resume(returning: ContinuousClock.now - sentAt)
        case .subscribe(let target, let continuation):
            if let error = closeWindow(token) {
                removeRoutes(to: target, throwing: MyceliumClientError.broker(error))
                continuation.resume(throwing: MyceliumClientError.broker(error))
            } else {
                continuation.resume()
            }
        case .unsubscribe(let continuation):
            if let error = closeWindow(token) {
                continuation.resume(throwing: MyceliumClientError.broker(error))
            } else {
                continuation.resume()
            }
        case .flush(let continuation):
            if state.pointee.unclaimedErrors.isEmpty {
                continuation.resume()
            } else {
                continuation.resume(throwing: MyceliumClientError.broker(state.pointee.unclaimedErrors.removeFirst()))
            }
        case .close:
            endClose(state.pointee.unclaimedErrors.first.map(MyceliumClientError.broker))
        case .abandoned:
            _ = closeWindow(token)
        }
    }

    /// Ends the error window `token` owns; returns the ERROR that arrived in it.
    private func closeWindow(_ token: UInt64) -> WireError? {
        guard state.pointee.window == token else { return nil }
        state.pointee.window = nil
        defer { state.pointee.windowError = nil }
        return state.pointee.windowError
    }

    /// Stops routing frames to `target` and ends its subscription with `error` (`nil`:
    /// unsubscribed); returns the type ids no subscription receives any more (none when
    /// `target` was not subscribed).
    @discardableResult
    func removeRoutes(to target: SubscriptionRoute.Target, throwing error: (any Error)?) -> [UInt16] {
        guard let index = state.pointee.routes.firstIndex(where: { $0.target.isSame(as: target) }) else { return [] }
        let removed = state.pointee.routes.remove(at: index)
        state.pointee.routeCache = ClientState.noRoute
        if removed.target.finish(throwing: error) { resumeReading() }
        return removed.typeIDs.filter { typeID in !state.pointee.routes.contains { $0.receives(typeID) } }
    }

    /// Whether `target` is subscribed already.
    func isRouted(_ target: SubscriptionRoute.Target) -> Bool {
        state.pointee.routes.contains { $0.target.isSame(as: target) }
    }
}

import Glibc
import Logging

extension ClientLoop {
    /// Reads what the socket has and handles every complete frame.
    func readable() {
        defer { wakeConsumers() }
        if state.pointee.input.largeBase != nil {
            readPartial()
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
        switch state.pointee.input.receive(from: state.pointee.fd) {
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

    /// Parses the frames in `base[0..<end]`; a partial control frame moves to the front,
    /// a partial data frame goes on in its own buffer.
    private func parse(base: UnsafeMutableRawPointer, end: Int) {
        var offset = 0
        while state.pointee.phase != .closed {
            if state.pointee.input.skipRemaining > 0 {
                guard state.pointee.input.skip(&offset, end: end) else { break }
                continue
            }
            if end - offset < FrameHeader.byteCount { break }
            let header = FrameHeader(readingFrom: base + offset)
            let payloadStart = offset + FrameHeader.byteCount
            let length = Int(header.length)
            if header.typeID >= ControlFrameType.firstDataTypeID {
                offset = dataFrame(header, base: base, payloadStart: payloadStart, end: end)
                continue
            }
            guard FrameHeader.byteCount + length <= state.pointee.input.capacity else {
                fail(
                    .protocolViolation(
                        "a frame of type \(header.typeID) with length \(length) does not fit the \(state.pointee.input.capacity)-byte receive buffer"
                    ))
                return
            }
            if payloadStart + length > end { break }
            control(typeID: header.typeID, payload: UnsafeRawBufferPointer(start: base + payloadStart, count: length))
            offset = payloadStart + length
        }
        guard state.pointee.phase != .closed else { return }
        state.pointee.input.keep(from: offset, end: end)
    }

    /// A data frame whose payload starts at `payloadStart`: copied into its own pooled
    /// buffer of its class and handed to the streams that receive its type; a frame nobody
    /// receives is skipped. Returns where parsing goes on.
    private func dataFrame(_ header: FrameHeader, base: UnsafeMutableRawPointer, payloadStart: Int, end: Int) -> Int {
        let length = Int(header.length)
        guard state.pointee.routes[header.typeID] != nil else {
            return state.pointee.input.startSkipping(length, from: payloadStart, end: end)
        }
        let buffer: PooledBuffer
        do {
            buffer = try pool.acquire(byteCount: max(1, length))
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

    /// Reads the rest of a data frame straight into its buffer.
    private func readPartial() {
        defer { wakeConsumers() }
        switch state.pointee.input.receiveLarge(from: state.pointee.fd) {
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

    /// Hands one frame's buffer to every stream receiving its type (shared, no copy); a
    /// consumer waiting on one is woken by ``wakeConsumers()`` after the read.
    private func deliver(_ typeID: UInt16, _ buffer: consuming PooledBuffer) {
        guard let queues = state.pointee.routes[typeID] else { return }
        let shared = buffer.share()
        for queue in queues {
            let (delivery, waiter) = queue.deliverDeferringWake(typeID: typeID, shared.share())
            if case .full = delivery { state.pointee.readPauses += 1 }
            if let waiter { state.pointee.wakes.append(waiter) }
        }
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
        case .subscribe(let queue, let typeIDs, let continuation):
            if let error = closeWindow(token) {
                removeRoutes(to: queue, typeIDs: typeIDs)
                if queue.finish(throwing: MyceliumClientError.broker(error)) { resumeReading() }
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

    /// Stops routing `typeIDs` to `queue`; returns the ids no stream receives any more.
    @discardableResult
    func removeRoutes(to queue: MessageQueue, typeIDs: [UInt16]) -> [UInt16] {
        var unused: [UInt16] = []
        for typeID in Set(typeIDs) {
            guard var queues = state.pointee.routes[typeID] else { continue }
            queues.removeAll { $0 === queue }
            if queues.isEmpty {
                state.pointee.routes[typeID] = nil
                unused.append(typeID)
            } else {
                state.pointee.routes[typeID] = queues
            }
        }
        return unused.sorted()
    }
}

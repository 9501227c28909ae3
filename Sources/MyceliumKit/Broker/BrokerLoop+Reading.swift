import Glibc

extension BrokerLoop {
    /// Reads what the socket has into the loop's receive buffer and handles every complete
    /// frame in place; a partial frame left at the end is carried in a buffer of its own
    /// class (see ``FrameReceiver/giveBack(to:pool:lentSize:carries:)``), so that an idle
    /// connection holds no pool memory. A data frame above the copy limit is read into its
    /// own buffer.
    ///
    /// Reading goes on while each `recv` fills what it was given, until the event has read
    /// ``BrokerCore/Limits/readBudget`` bytes or queued as many for writing: a fast
    /// publisher's frames then reach the subscribers in a few large writes per event rather
    /// than one per frame (the writes happen at the end of the loop's batch), and a wide
    /// fan-out reads less per event, so what it queues stays in the caches until written.
    func readable(_ connection: UnsafeMutablePointer<Connection>) {
        var socket = SocketSource(fd: connection.pointee.fd)
        readable(connection, from: &socket)
    }

    /// ``readable(_:)`` with the connection's input read from `source`: its socket, or
    /// the bytes a fuzz target feeds (``feed(_:_:ended:)``).
    func readable(_ connection: UnsafeMutablePointer<Connection>, from source: inout some ByteSource) {
        if connection.pointee.isClosing {
            discardInput(connection, from: &source)
            return
        }
        var budget = limits.readBudget
        let queuedBefore = state.pointee.queuedBytes
        while budget > 0 && state.pointee.queuedBytes - queuedBefore < limits.readBudget {
            let read =
                connection.pointee.input.largeBase != nil
                ? readLargeFrame(connection, from: &source) : readIntoBuffer(connection, from: &source)
            guard read > 0, !connection.pointee.isPaused, !connection.pointee.isClosing, !connection.pointee.isDead
            else { return }
            budget -= read
        }
    }

    /// One `recv` into the receive buffer, and the frames it completes; returns the bytes
    /// read when the `recv` filled the buffer (more may be waiting), else 0.
    private func readIntoBuffer(_ connection: UnsafeMutablePointer<Connection>, from source: inout some ByteSource) -> Int {
        // Nothing held or a carried partial frame: borrow the loop's buffer. A paused
        // connection may hold a whole one already.
        if connection.pointee.input.capacity < limits.receiveSize {
            guard let lent = lendReceiveBuffer() else {
                pause(connection)
                return 0
            }
            connection.pointee.input.borrow(lent)
        }
        let base = connection.pointee.input.base.unsafelyUnwrapped
        let filled = connection.pointee.input.received
        let capacity = connection.pointee.input.capacity
        var full = 0
        if filled == capacity {
            // Paused with a full buffer: a zero-length recv would read as end of stream.
            parse(connection, base: base, end: filled)
        } else {
            switch connection.pointee.input.receive(from: &source) {
            case .bytes(let end):
                received(end - filled, on: connection)
                parse(connection, base: base, end: end)
                // A frame above the copy limit started: its rest is probably there too.
                if end == capacity || connection.pointee.input.largeBase != nil { full = end - filled }
            case .wouldBlock: break
            case .ended: finish(connection)
            }
        }
        settleInput(connection)
        return full
    }

    /// The loop's receive buffer, or a new one when a paused connection kept it; `nil` when
    /// the pool has none.
    private func lendReceiveBuffer() -> PooledBuffer? {
        if let lent = state.pointee.receiveBuffer.take() { return lent }
        return try? pool.acquire(byteCount: limits.receiveSize)
    }

    /// After parsing: gives the loop its receive buffer back, carrying a partial frame left
    /// in a buffer of its class (a paused connection keeps what it has). A closing
    /// connection's input is dropped.
    private func settleInput(_ connection: UnsafeMutablePointer<Connection>) {
        if connection.pointee.isClosing || connection.pointee.isDead { connection.pointee.input.received = 0 }
        connection.pointee.input.giveBack(
            to: &state.pointee.receiveBuffer, pool: pool, lentSize: limits.receiveSize,
            carries: !connection.pointee.isPaused)
    }

    /// Goes on with `connection` after a pause: parses the frames it holds already. The peer
    /// may have sent its last bytes before the pause, and then epoll reports nothing more.
    func parseBuffered(_ connection: UnsafeMutablePointer<Connection>) {
        guard !connection.pointee.isClosing, connection.pointee.input.largeBase == nil,
            let base = connection.pointee.input.base, connection.pointee.input.received > 0
        else { return }
        parse(connection, base: base, end: connection.pointee.input.received)
        settleInput(connection)
    }

    /// Parses the frames in `base[0..<end]`; a partial frame is moved to the front.
    ///
    /// Consecutive small data frames of one type form a run that is delivered with one copy
    /// per subscriber; everything else ends the run first. A run whose frames all have one
    /// size (a fixed-size contract) says so, and is split between output chunks without
    /// walking its frames again.
    private func parse(_ connection: UnsafeMutablePointer<Connection>, base: UnsafeMutableRawPointer, end: Int) {
        let slots = routing.slots
        let copyLimit = limits.copyLimit
        // Access control: one byte per type, non-zero when the connection may publish it.
        var permits = connection.pointee.publishPermits
        var offset = 0
        var parsed = 0
        var runType = -1
        var runDense = 0
        var runStart = 0
        var runFrames = 0
        var runFrameSize = 0
        var dataFrames = 0
        while true {
            if connection.pointee.input.skipRemaining > 0 {
                guard connection.pointee.input.skip(&offset, end: end) else { break }
                continue
            }
            if end - offset < FrameHeader.byteCount { break }
            let header = FrameHeader(readingFrom: base + offset)
            let typeID = Int(header.typeID)
            let length = Int(header.length)
            if typeID >= 1000 {
                let slot = slots[typeID]
                if length <= copyLimit && length <= Int(slot.maxPayload)
                    && (permits == nil || permits.unsafelyUnwrapped[Int(slot.dense)] != 0)
                {
                    let size = FrameHeader.byteCount + length
                    if offset + size > end { break }
                    if typeID != runType {
                        if runType >= 0 {
                            router.route(
                                run: runDense, base + runStart, byteCount: offset - runStart, frames: runFrames,
                                frameSize: runFrameSize, from: self)
                        }
                        runType = typeID
                        runDense = Int(slot.dense)
                        runStart = offset
                        runFrames = 0
                        runFrameSize = size
                    } else if size != runFrameSize {
                        runFrameSize = 0
                    }
                    // The whole frames that follow with this one's header pass the same checks:
                    // their headers are compared, nothing else (16 B frames to four subscribers:
                    // the parse went from 19 % to 6 % of the broker's CPU).
                    offset += size
                    var frames = 1
                    while end - offset >= size && FrameHeader(readingFrom: base + offset) == header {
                        offset += size
                        frames += 1
                    }
                    parsed += frames
                    runFrames += frames
                    dataFrames += frames
                    continue
                }
            }
            if runType >= 0 {
                router.route(
                    run: runDense, base + runStart, byteCount: offset - runStart, frames: runFrames,
                    frameSize: runFrameSize, from: self)
                runType = -1
            }
            let outcome = slowFrame(connection, header, base: base, offset: offset, end: end, firstFrame: parsed == 0)
            permits = connection.pointee.publishPermits
            switch outcome {
            case .consumed(let next):
                parsed += 1
                offset = next
            case .incomplete:
                break
            case .closed:
                return
            }
            if case .incomplete = outcome { break }
        }
        if runType >= 0 {
            router.route(
                run: runDense, base + runStart, byteCount: offset - runStart, frames: runFrames,
                frameSize: runFrameSize, from: self)
        }
        connection.pointee.framesSeen += parsed
        connection.pointee.messagesIn += dataFrames
        connection.pointee.input.keep(from: offset, end: end)
    }

    private enum FrameOutcome {
        /// Handled (or set to be skipped); parsing goes on at this offset.
        case consumed(Int)
        /// More bytes are needed (or the pool is out of memory; reading is paused).
        case incomplete
        /// The connection was closed.
        case closed
    }

    /// Every frame that is not a small data frame of a known type within its maximum.
    private func slowFrame(
        _ connection: UnsafeMutablePointer<Connection>, _ header: FrameHeader, base: UnsafeMutableRawPointer,
        offset: Int, end: Int, firstFrame: Bool
    ) -> FrameOutcome {
        let typeID = header.typeID
        let length = Int(header.length)
        let payloadStart = offset + FrameHeader.byteCount
        let name = { self.describe(connection) }
        let isControl = typeID >= 1 && typeID <= ControlFrameType.connections.rawValue
        // Access control on and no valid HELLO yet: only a first-frame HELLO may pass.
        if connection.pointee.publishPermits != nil && connection.pointee.user == nil
            && (typeID != ControlFrameType.hello.rawValue || !firstFrame || connection.pointee.framesSeen > 0)
        {
            refuseUnauthorized(
                connection,
                "\(name()) sent a frame of type \(typeID) before a HELLO with a valid token; this broker requires one first")
            return .closed
        }
        let limit = isControl ? limits.maxControlPayload : limits.maxPayload
        if length > limit {
            closeWith(
                connection,
                WireError(
                    .frameTooLarge,
                    "\(name()) sent a frame of type \(typeID) with length \(length); the limit is \(limit) bytes for \(isControl ? "control frames" : "payloads"); closing the connection"
                ))
            return .closed
        }
        if !isControl {
            let maximum = typeID >= 1000 ? Int(routing.slots[Int(typeID)].maxPayload) : -1
            if maximum < 0 {
                send(
                    .error(
                        WireError(
                            .unknownTypeID,
                            "\(name()) sent a frame of type \(typeID), which is not in the broker's catalog; \(length) bytes skipped"
                        )), to: connection)
                return skip(connection, length, from: payloadStart, end: end)
            }
            if length > maximum {
                send(
                    .error(
                        WireError(
                            .aboveContractMaximum,
                            "\(name()) sent a frame of type \(typeID) with length \(length), above the type's contract maximum of \(maximum) bytes; frame skipped"
                        )), to: connection)
                return skip(connection, length, from: payloadStart, end: end)
            }
            if let permits = connection.pointee.publishPermits, permits[Int(routing.slots[Int(typeID)].dense)] == 0 {
                denyPermission(
                    connection, "\(name()) may not publish type \(typeID); \(length) bytes skipped")
                return skip(connection, length, from: payloadStart, end: end)
            }
            return largeFrame(connection, header, base: base, offset: offset, end: end)
        }
        guard payloadStart + length <= end else { return .incomplete }
        control(
            connection, typeID: typeID, payload: UnsafeRawBufferPointer(start: base + payloadStart, count: length),
            firstFrame: firstFrame && connection.pointee.framesSeen == 0)
        return connection.pointee.isClosing ? .closed : .consumed(payloadStart + length)
    }

    private func skip(_ connection: UnsafeMutablePointer<Connection>, _ length: Int, from start: Int, end: Int)
        -> FrameOutcome
    {
        .consumed(connection.pointee.input.startSkipping(length, from: start, end: end))
    }

    /// A data frame above the copy threshold: read into its own buffer of its class.
    private func largeFrame(
        _ connection: UnsafeMutablePointer<Connection>, _ header: FrameHeader, base: UnsafeMutableRawPointer,
        offset: Int, end: Int
    ) -> FrameOutcome {
        let length = Int(header.length)
        let payloadStart = offset + FrameHeader.byteCount
        let dense = Int(routing.slots[Int(header.typeID)].dense)
        guard hasSubscribers(dense) else {
            state.pointee.counts.messagesIn += 1
            connection.pointee.messagesIn += 1
            return skip(connection, length, from: payloadStart, end: end)
        }
        guard let buffer = try? pool.acquire(byteCount: max(1, length)) else {
            pause(connection)
            return .incomplete
        }
        state.pointee.counts.messagesIn += 1
        connection.pointee.messagesIn += 1
        let available = min(length, end - payloadStart)
        if let frame = connection.pointee.input.startLarge(header, in: buffer, from: base + payloadStart, available: available) {
            router.route(header, dense: dense, frame.share(), from: self)
        }
        return .consumed(payloadStart + available)
    }

    /// Reads the rest of a large frame straight into its buffer, with the next frame's
    /// header behind it into the loop's receive buffer (one `readv`), and routes the frame
    /// once whole; then parses that header, so that a next large frame is read straight into
    /// its own buffer too, none of its payload copied. Returns the bytes read when the read
    /// filled all it was given (more may be waiting), else 0.
    private func readLargeFrame(_ connection: UnsafeMutablePointer<Connection>, from source: inout some ByteSource) -> Int {
        let filled = connection.pointee.input.largeFilled
        if connection.pointee.input.capacity < limits.receiveSize, let lent = lendReceiveBuffer() {
            connection.pointee.input.borrow(lent)
        }
        let carried = connection.pointee.input.received
        let canSpill = connection.pointee.input.base != nil
        var full = 0
        switch connection.pointee.input.receiveLarge(from: &source, spill: FrameHeader.byteCount) {
        case .bytes(let end):
            let spilled = connection.pointee.input.received - carried
            received(end - filled + spilled, on: connection)
            if let buffer = connection.pointee.input.takeLarge() {
                let header = connection.pointee.input.largeHeader
                router.route(header, dense: Int(routing.slots[Int(header.typeID)].dense), buffer.share(), from: self)
                connection.pointee.framesSeen += 1
                if !canSpill || spilled == FrameHeader.byteCount { full = end - filled + spilled }
                if spilled > 0 {
                    parse(
                        connection, base: connection.pointee.input.base.unsafelyUnwrapped, end: connection.pointee.input.received)
                }
            }
        case .wouldBlock: break
        case .ended: finish(connection)
        }
        settleInput(connection)
        return full
    }

    /// Counts `byteCount` bytes a `recv` brought.
    @inline(__always)
    private func received(_ byteCount: Int, on connection: UnsafeMutablePointer<Connection>) {
        connection.pointee.bytesIn += byteCount
        state.pointee.counts.bytesIn += byteCount
        connection.pointee.lastActive = Self.coarseNow()
    }

    /// A closing connection's input is read and dropped, so that closing never resets
    /// the connection before the peer has read its last frames.
    private func discardInput(_ connection: UnsafeMutablePointer<Connection>, from source: inout some ByteSource) {
        let count = withUnsafeTemporaryAllocation(byteCount: 4096, alignment: 8) { scratch in
            source.read(into: scratch.baseAddress.unsafelyUnwrapped, count: scratch.count)
        }
        if count == 0 || (count < 0 && errno != EAGAIN && errno != EINTR) { finish(connection) }
    }
}

import Glibc
import Logging

/// The server's side: reading the socket, parsing, and delivering messages from NATS.
extension Uplink {
    /// Reads what the socket has and handles every complete operation.
    func readable() {
        state.pointee.input.reserve(64 << 10)
        let input = state.pointee.input.base + state.pointee.input.count
        let room = state.pointee.input.capacity - state.pointee.input.count
        let received = recv(state.pointee.fd, input, room, 0)
        if received == 0 {
            disconnect(reason: "the server closed the connection")
            return
        }
        if received < 0 {
            if errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR {
                disconnect(reason: String(cString: strerror(errno)))
            }
            return
        }
        state.pointee.input.count += received
        parseInput()
    }

    /// Handles the complete operations in the input; a partial one stays for the next read.
    private func parseInput() {
        while state.pointee.fd >= 0 && state.pointee.input.unread > 0 {
            let base = state.pointee.input.base + state.pointee.input.start
            let bytes = UnsafeMutableRawBufferPointer(start: base, count: state.pointee.input.unread)
            let parsed: (operation: NATSOperation, byteCount: Int)?
            do {
                parsed = try parser.next(in: UnsafeRawBufferPointer(bytes))
            } catch {
                let server = state.pointee.servers[state.pointee.serverIndex]
                core.logger.error("uplink: \(error)", metadata: ["server": "\(server)"])
                disconnect(reason: "protocol error")
                return
            }
            guard let (operation, byteCount) = parsed else { return }
            state.pointee.input.start += byteCount
            handle(operation, in: bytes)
        }
        if state.pointee.input.unread == 0 { state.pointee.input.clear() }
    }

    private func handle(_ operation: NATSOperation, in bytes: UnsafeMutableRawBufferPointer) {
        switch operation {
        case .message(let message):
            deliver(message, in: bytes)
        case .ping:
            state.pointee.output.append(Self.pongLine)
            flush()
        case .pong:
            if state.pointee.phase == .handshaking {
                handshakeDone()
            } else {
                state.pointee.pingsOutstanding = 0
                pongReceived()
            }
        case .ok:
            break
        case .info(let range):
            do {
                received(info: try NATSServerInfo(json: UnsafeRawBufferPointer(rebasing: bytes[range])))
            } catch {
                disconnect(reason: "\(error)")
            }
        case .error(let range):
            received(error: String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self))
        }
    }

    /// A message on one of the uplink's subscriptions (sid = dense index + 1): checked, then
    /// handed to the loops and in-process subscribers like a socket publisher's frame.
    private func deliver(_ message: NATSMessage, in bytes: UnsafeMutableRawBufferPointer) {
        guard message.sid >= 1 && message.sid <= UInt64(typeCount) else {
            if message.sid == probeSid { probeAnswered(message, in: UnsafeRawBufferPointer(bytes)) }
            return
        }
        let dense = Int(message.sid) - 1
        let type = types[dense]
        let length = message.payload.count
        if length > type.maxPayload {
            reject(
                dense,
                "a message of \(length) bytes on \(names[dense].subject), above the type's maximum of \(type.maxPayload) bytes"
            )
            return
        }
        if type.layout.count > 0, let headers = message.headers,
            let value = NATSParser.headerValue(named: "Mycelium-Layout", in: UnsafeRawBufferPointer(bytes), block: headers),
            !type.layout.elementsEqual(UnsafeRawBufferPointer(rebasing: bytes[value]))
        {
            let theirs = NATSParser.printable(UnsafeRawBufferPointer(bytes), value)
            reject(
                dense,
                "a message on \(names[dense].subject) with layout \(theirs); this broker's layout of \(names[dense].type) is \(String(decoding: type.layout, as: UTF8.self)) (the contracts differ: import the same contract on both sides)"
            )
            return
        }
        // The frame header goes over the bytes before the payload (the end of the MSG line or
        // the header block, both longer than a header): the frame is then contiguous.
        let frame = bytes.baseAddress.unsafelyUnwrapped + message.payload.lowerBound - FrameHeader.byteCount
        FrameHeader(typeID: type.id, length: UInt32(length)).write(to: frame)
        state.pointee.messagesIn += 1
        core.router.routeFromUplink(
            dense, frame, byteCount: FrameHeader.byteCount + length, outboxes: outboxes,
            mask: &state.pointee.outboxMask, counts: &state.pointee.counts)
    }

    /// Counts a refused message and logs the first of each type.
    private func reject(_ dense: Int, _ what: String) {
        state.pointee.rejected += 1
        guard !state.pointee.rejectionLogged[dense] else { return }
        state.pointee.rejectionLogged[dense] = true
        core.logger.warning(
            "uplink: dropped \(what); further drops of \(names[dense].type) are counted, not logged",
            metadata: ["type": "\(names[dense].type)"])
    }
}

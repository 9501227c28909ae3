import Glibc
import Logging

/// The client's side: frames to `HPUB`s, subscriptions, and writing the socket.
extension Uplink {
    /// Moves the frames handed over into the pending queue, dropping the oldest past the
    /// buffer size.
    func takeInbox() {
        inbox.withLock { state.pointee.pending.appendAll(from: &$0) }
        let limit = settings.bufferBytes
        if state.pointee.pending.pendingBytes > limit {
            state.pointee.dropped += state.pointee.pending.dropOldest(toFit: 0, limit: limit)
        }
    }

    /// Encodes pending frames as `HPUB`s while connected and the output is below its mark.
    func encodePending() {
        guard state.pointee.phase == .connected, state.pointee.pending.count > 0,
            state.pointee.output.unread < Self.outputHighWater
        else { return }
        let slots = core.routing.slots
        let now = BrokerLoop.now()
        state.pointee.pending.drain(
            frames: { source, byteCount in
                var offset = 0
                while offset < byteCount {
                    let header = FrameHeader(readingFrom: source + offset)
                    offset += FrameHeader.byteCount
                    encode(Int(slots[Int(header.typeID)].dense), source + offset, Int(header.length), now: now)
                    offset += Int(header.length)
                }
            },
            shared: { header, buffer in
                encode(Int(slots[Int(header.typeID)].dense), buffer.baseAddress, buffer.count, now: now)
            })
    }

    /// `HPUB <subject> [<reply>] <header bytes> <total>\r\n<headers><payload>\r\n`, unless the
    /// server's maximum is smaller; a probe has the reply subject (see ``RemoteInterest``).
    private func encode(_ dense: Int, _ payload: UnsafeRawPointer, _ length: Int, now: UInt64) {
        let type = types[dense]
        let total = type.headerBlock.count + length
        guard total <= state.pointee.serverMaxPayload else {
            state.pointee.dropped += 1
            if !state.pointee.oversizeLogged {
                state.pointee.oversizeLogged = true
                core.logger.warning(
                    "uplink: a \(names[dense].type) frame of \(length) bytes is above the server's max_payload of \(state.pointee.serverMaxPayload) bytes with its headers; such frames are not uplinked but counted as dropped"
                )
            }
            return
        }
        let start = frameStart(dense, now: now)
        state.pointee.output.append(start == .plain ? type.publishStart : type.probeStart)
        state.pointee.output.appendDecimal(total)
        state.pointee.output.appendLineEnd()
        state.pointee.output.append(type.headerBlock)
        state.pointee.output.append(payload, length)
        state.pointee.output.appendLineEnd()
        if start == .probeAndPing {
            state.pointee.output.append(Self.pingLine)
            state.pointee.pingsSent += 1
        }
        state.pointee.messagesOut += 1
        state.pointee.unsentMessages += 1
    }

    /// Subscribes to each shared type with local subscribers, unsubscribes from the rest.
    func updateSubscriptions() {
        var changed = false
        for dense in 0..<typeCount where types[dense].isShared {
            let wanted =
                core.routing.loopMasks[dense].load(ordering: .acquiring) != 0 || core.router.hasInProcessSubscribers(dense)
            guard wanted != state.pointee.subscribed[dense] else { continue }
            state.pointee.subscribed[dense] = wanted
            state.pointee.output.append(
                Array((wanted ? "SUB \(names[dense].subject) \(dense + 1)\r\n" : "UNSUB \(dense + 1)\r\n").utf8))
            changed = true
        }
        if changed { flush() }
    }

    /// Writes what the socket takes; watches for writability while bytes remain.
    func flush() {
        guard state.pointee.fd >= 0 else { return }
        while state.pointee.output.unread > 0 {
            let written = send(
                state.pointee.fd, state.pointee.output.base + state.pointee.output.start, state.pointee.output.unread,
                Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
            if written > 0 {
                state.pointee.output.start += written
                continue
            }
            if written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { break }
            if written < 0 && errno == EINTR { continue }
            disconnect(reason: String(cString: strerror(errno)))
            return
        }
        let blocked = state.pointee.output.unread > 0
        if !blocked {
            state.pointee.output.clear()
            state.pointee.unsentMessages = 0
        }
        if blocked != state.pointee.wantsWritable {
            state.pointee.wantsWritable = blocked
            eventLoop.modify(
                state.pointee.fd, token: 0, events: blocked ? EventLoop.readable | EventLoop.writable : EventLoop.readable)
        }
    }
}

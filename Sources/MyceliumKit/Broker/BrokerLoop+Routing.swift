/// This loop's part of routing (the ``DeliveryRouter`` decides who gets a frame): queueing
/// frames on its own subscribers' connections, and batching them for the other loops.
extension BrokerLoop {
    /// Whether any connection on any loop, or any in-process subscriber, subscribes to the type.
    func hasSubscribers(_ dense: Int) -> Bool {
        if state.pointee.subscribers[dense].count > 0 || routing.uplinked[dense] || router.hasInProcessSubscribers(dense) {
            return true
        }
        return limits.loopCount > 1 && routing.loopMasks[dense].load(ordering: .acquiring) & ~(1 << UInt64(index)) != 0
    }

    /// Copies a run of small frames of one type into the outbox of every other loop that has
    /// subscribers to it, handed over at the end of the batch.
    @inline(__always)
    func handOverLater(run dense: Int, _ source: UnsafeRawPointer, _ byteCount: Int, frames: Int, frameSize: Int) {
        if limits.loopCount > 1 {
            var mask = routing.loopMasks[dense].load(ordering: .acquiring) & ~(1 << UInt64(index))
            while mask != 0 {
                let loop = mask.trailingZeroBitCount
                mask &= mask - 1
                if copy(source, byteCount, frames: frames, frameSize: frameSize, into: state.pointee.outboxes + loop) {
                    state.pointee.outboxMask |= 1 << UInt64(loop)
                }
            }
        }
    }

    /// Copies a run of frames into each local subscriber's output.
    @inline(__always)
    func deliverLocally(_ dense: Int, _ source: UnsafeRawPointer, _ byteCount: Int, frames: Int, frameSize: Int) {
        let list = state.pointee.subscribers[dense]
        guard let members = list.members else { return }
        let maxPending = limits.maxPending
        for position in 0..<list.count {
            let subscriber = members[position]
            if subscriber.pointee.isClosing { continue }
            if subscriber.pointee.output.pendingBytes + byteCount > maxPending {
                overflow(subscriber, source, byteCount)
                continue
            }
            guard copy(source, byteCount, frames: frames, frameSize: frameSize, into: &subscriber.pointee.output) else {
                subscriber.pointee.dropped += frames
                continue
            }
            state.pointee.counts.messagesOut += frames
            subscriber.pointee.messagesOut += frames
            markDirty(subscriber)
        }
    }

    /// A run of frames that would take a subscriber past its pending limit, queued frame by
    /// frame: at the first that does not fit, the subscriber is disconnected, or its oldest
    /// frames are dropped to make room (a run may be larger than the limit: a read holds up
    /// to the receive buffer's size).
    private func overflow(_ subscriber: UnsafeMutablePointer<Connection>, _ source: UnsafeRawPointer, _ byteCount: Int) {
        var offset = 0
        while offset < byteCount {
            let size = FrameHeader.byteCount + Int(FrameHeader(readingFrom: source + offset).length)
            let fits = subscriber.pointee.output.pendingBytes + size <= limits.maxPending
            if !fits && !limits.dropsOldest {
                disconnectSlow(subscriber)
                return
            }
            if fits || makeRoom(subscriber, for: size) {
                if copy(source + offset, size, frames: 1, frameSize: size, into: &subscriber.pointee.output) {
                    state.pointee.counts.messagesOut += 1
                    subscriber.pointee.messagesOut += 1
                } else {
                    subscriber.pointee.dropped += 1
                }
            }
            offset += size
        }
        markDirty(subscriber)
    }

    /// Drops a subscriber's oldest frames until `size` more bytes fit; counts the frame as
    /// dropped and returns `false` when they cannot.
    private func makeRoom(_ subscriber: UnsafeMutablePointer<Connection>, for size: Int) -> Bool {
        var dropped = subscriber.pointee.output.dropOldest(toFit: size, limit: limits.maxPending)
        let fits = subscriber.pointee.output.pendingBytes + size <= limits.maxPending
        if !fits { dropped += 1 }
        state.pointee.counts.dropped += dropped
        subscriber.pointee.dropped += dropped
        return fits
    }

    /// Closes `subscriber` as a slow consumer (ERROR 6 after the frame being written).
    func disconnectSlow(_ subscriber: UnsafeMutablePointer<Connection>) {
        state.pointee.counts.slowConsumers += 1
        core.logger.warning(
            "disconnecting a slow consumer",
            metadata: metadata(subscriber).merging(
                ["pending": "\(subscriber.pointee.output.pendingBytes)", "limit": "\(limits.maxPending)"]
            ) { $1 })
        _ = subscriber.pointee.output.dropAllButCurrentFrame()
        closeWith(
            subscriber,
            WireError(
                .slowConsumer,
                "connection #\(subscriber.pointee.serial) fell behind: its queued output would pass the limit of \(limits.maxPending) bytes; read faster or subscribe to less"
            ))
    }

    /// Queues a frame read into its own buffer, by reference, in the outbox of every other
    /// loop that has subscribers to it, handed over at the end of the batch.
    func handOverLater(_ header: FrameHeader, dense: Int, _ shared: borrowing SharedBuffer) {
        if limits.loopCount > 1 {
            var mask = routing.loopMasks[dense].load(ordering: .acquiring) & ~(1 << UInt64(index))
            while mask != 0 {
                let loop = mask.trailingZeroBitCount
                mask &= mask - 1
                state.pointee.outboxes[loop].appendShared(header, shared.share())
                state.pointee.outboxMask |= 1 << UInt64(loop)
            }
        }
    }

    /// Queues a frame by reference on each local subscriber's output.
    func deliverSharedLocally(_ header: FrameHeader, dense: Int, _ shared: borrowing SharedBuffer) {
        let list = state.pointee.subscribers[dense]
        guard let members = list.members else { return }
        let size = FrameHeader.byteCount + Int(header.length)
        for position in 0..<list.count {
            let subscriber = members[position]
            if subscriber.pointee.isClosing { continue }
            if subscriber.pointee.output.pendingBytes + size > limits.maxPending {
                guard limits.dropsOldest else {
                    disconnectSlow(subscriber)
                    continue
                }
                guard makeRoom(subscriber, for: size) else { continue }
            }
            subscriber.pointee.output.appendShared(header, shared.share())
            state.pointee.counts.messagesOut += 1
            subscriber.pointee.messagesOut += 1
            markDirty(subscriber)
        }
    }

    /// Copies a run of frames of a type shared through NATS into the uplink's outbox,
    /// handed over at the end of the batch; unless NATS has no subscriber of the type (its
    /// ``UplinkGate`` is closed), and then they are counted as unwanted.
    @inline(__always)
    func uplinkLater(run dense: Int, _ source: UnsafeRawPointer, _ byteCount: Int, frames: Int, frameSize: Int) {
        guard routing.uplinkTakes(dense) else {
            state.pointee.counts.uplinkUnwanted += frames
            return
        }
        _ = copy(source, byteCount, frames: frames, frameSize: frameSize, into: &state.pointee.uplinkOutbox)
    }

    /// Copies a run of `frames` frames into `queue` (`frameSize`: see
    /// ``OutputQueue/appendFrames(_:byteCount:frameSize:chunkSize:pool:)``); when the pool has
    /// no memory for it, counts them as dropped for want of memory and returns `false`.
    @inline(__always)
    private func copy(
        _ source: UnsafeRawPointer, _ byteCount: Int, frames: Int, frameSize: Int,
        into queue: UnsafeMutablePointer<OutputQueue>
    ) -> Bool {
        do {
            try queue.pointee.appendFrames(
                source, byteCount: byteCount, frameSize: frameSize, chunkSize: limits.chunkSize, pool: pool)
            state.pointee.queuedBytes &+= byteCount
            return true
        } catch {
            state.pointee.counts.dropped += frames
            state.pointee.counts.droppedNoMemory += frames
            return false
        }
    }

    /// Delivers a batch another loop handed over to this loop's subscribers.
    func deliverHandedOver(_ batch: inout OutputQueue) {
        let slots = routing.slots
        batch.drain(
            frames: { source, byteCount in
                var start = 0
                while start < byteCount {
                    let first = FrameHeader(readingFrom: source + start)
                    let typeID = first.typeID
                    var end = start
                    var frames = 0
                    var frameSize = FrameHeader.byteCount + Int(first.length)
                    while end < byteCount {
                        let header = FrameHeader(readingFrom: source + end)
                        if header.typeID != typeID { break }
                        let size = FrameHeader.byteCount + Int(header.length)
                        if size != frameSize { frameSize = 0 }
                        end += size
                        frames += 1
                    }
                    deliverLocally(
                        Int(slots[Int(typeID)].dense), source + start, end - start, frames: frames, frameSize: frameSize)
                    start = end
                }
            },
            shared: { header, buffer in
                deliverSharedLocally(header, dense: Int(slots[Int(header.typeID)].dense), buffer)
            })
    }

    func addSubscriber(_ connection: UnsafeMutablePointer<Connection>, typeID: UInt16) {
        let dense = Int(routing.slots[Int(typeID)].dense)
        state.pointee.subscribers[dense].add(connection)
        state.pointee.counts.subscriptions += 1
        // Kept with one loop too: in-process publishes are handed only to loops with subscribers.
        if state.pointee.subscribers[dense].count == 1 {
            routing.loopMasks[dense].bitwiseOr(1 << UInt64(index), ordering: .releasing)
            if routing.uplinked[dense] { router.uplink?.interestChanged() }
        }
    }

    func removeSubscriber(_ connection: UnsafeMutablePointer<Connection>, typeID: UInt16) {
        let dense = Int(routing.slots[Int(typeID)].dense)
        state.pointee.subscribers[dense].remove(connection)
        state.pointee.counts.subscriptions -= 1
        if state.pointee.subscribers[dense].count == 0 {
            routing.loopMasks[dense].bitwiseAnd(~(1 << UInt64(index)), ordering: .releasing)
            if routing.uplinked[dense] { router.uplink?.interestChanged() }
        }
    }
}

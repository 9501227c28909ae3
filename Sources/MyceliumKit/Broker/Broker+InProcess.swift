extension Broker {
    /// Subscribes in-process: messages of these types, published by socket clients or
    /// in-process, arrive as the frame's pooled buffer, with no socket and no copy of a
    /// buffer the broker already holds.
    ///
    /// Works before ``start()`` too, so no message published after `start()` is missed. The
    /// stream ends normally after ``unsubscribe(_:)``, and with ``BrokerError/stopped``
    /// when the broker stops (after the messages it holds).
    ///
    /// A subscriber is never allowed to stall the broker: once `bufferedMessages` wait
    /// unread, the configuration's ``BrokerConfiguration/slowConsumerPolicy`` applies: its
    /// stream ends with ``BrokerError/slowConsumer(typeIDs:limit:)`` (`disconnect`), or its
    /// oldest message is dropped for each new one (`dropOldest`). A dropped stream keeps its
    /// subscription until ``unsubscribe(_:)``.
    ///
    /// ```swift
    /// let trades = try broker.subscribe([1101])
    /// for try await message in trades {
    ///     let price = message.payload.loadUnaligned(fromByteOffset: 4, as: Int64.self)
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - typeIDs: the type ids to receive (duplicates are ignored).
    ///   - bufferedMessages: how many messages may wait unread, at least 1.
    /// - Throws: ``BrokerError/unknownTypeID(_:)`` for a type the broker does not route
    ///   (nothing is subscribed then), ``BrokerError/invalidArgument(_:)`` for an empty
    ///   list or a `bufferedMessages` below 1, ``BrokerError/stopped`` after ``stop()``.
    public func subscribe(_ typeIDs: [UInt16], bufferedMessages: Int = 1024) throws(BrokerError) -> MessageStream {
        guard !typeIDs.isEmpty else { throw .invalidArgument("subscribe needs at least one type id") }
        guard bufferedMessages >= 1 else {
            throw .invalidArgument("bufferedMessages must be at least 1, got \(bufferedMessages)")
        }
        var distinct: [UInt16] = []
        for typeID in typeIDs where !distinct.contains(typeID) {
            _ = try dense(typeID)
            distinct.append(typeID)
        }
        let queue = try core.router.subscribe(distinct, bufferedMessages: bufferedMessages)
        return MessageStream(typeIDs: distinct, queue: queue)
    }

    /// Ends an in-process subscription: its stream returns the messages it holds, then
    /// `nil`. A stream that is not this broker's in-process stream is left alone.
    public func unsubscribe(_ stream: MessageStream) {
        core.router.unsubscribe(stream.queue)
    }

    /// Publishes in-process a copy of `payload`, in a buffer from the broker's pool, to every
    /// subscriber of the type: in-process ones and socket clients.
    ///
    /// Never waits: a slow subscriber is handled by the slow-consumer policy.
    ///
    /// - Throws: ``BrokerError/unknownTypeID(_:)``,
    ///   ``BrokerError/payloadTooLarge(typeID:length:maximum:)`` above the type's contract
    ///   maximum, ``BrokerError/outOfMemory(_:)`` when the pool's budget is spent under the
    ///   `fail` policy, ``BrokerError/stopped`` after ``stop()``.
    public func publish(typeID: UInt16, payload: [UInt8]) throws(BrokerError) {
        try publish(typeID: typeID, byteCount: payload.count) { destination in
            payload.withUnsafeBytes { destination.copyMemory(from: $0) }
        }
    }

    /// Publishes in-process `byteCount` payload bytes that `fill` writes into a buffer from
    /// the broker's pool.
    @usableFromInline
    func publish(
        typeID: UInt16, byteCount: Int, fill: (UnsafeMutableRawBufferPointer) -> Void
    ) throws(BrokerError) {
        _ = try checkPublish(typeID, length: byteCount)
        var buffer: PooledBuffer
        do {
            buffer = try pool.acquire(byteCount: max(1, byteCount))
        } catch {
            throw .outOfMemory(error)
        }
        buffer.withUnsafeMutableBytes { fill(UnsafeMutableRawBufferPointer(rebasing: $0[..<byteCount])) }
        buffer.count = byteCount
        try publish(typeID: typeID, buffer: buffer)
    }

    /// Publishes in-process a buffer the caller filled, without a copy: its ``PooledBuffer/count``
    /// bytes are the payload. In-process subscribers get the buffer itself; it returns to
    /// its pool when the last of them is done with it. Take it from ``pool``; a buffer of
    /// another pool keeps that pool alive until then.
    ///
    /// ```swift
    /// var buffer = try broker.pool.acquire(byteCount: 29)
    /// buffer.withUnsafeMutableBytes { encodeTrade(into: $0) }
    /// buffer.count = 29
    /// try broker.publish(typeID: 1101, buffer: buffer)
    /// ```
    ///
    /// - Throws: as ``publish(typeID:payload:)``; the buffer returns to its pool then.
    public func publish(typeID: UInt16, buffer: consuming PooledBuffer) throws(BrokerError) {
        let dense = try checkPublish(typeID, length: buffer.count)
        let header = FrameHeader(typeID: typeID, length: UInt32(buffer.count))
        let shared = buffer.share()
        // The broker's queues keep its own pool alive; a buffer of another pool, which may
        // wait in a stream after that pool's owner is gone, keeps its pool alive itself.
        if !shared.isFrom(pool) { shared.keepPoolAlive() }
        try core.router.publish(header, dense: dense, shared)
    }

    /// The dense index of a type the broker routes whose maximum admits `length` bytes.
    private func checkPublish(_ typeID: UInt16, length: Int) throws(BrokerError) -> Int {
        let dense = try dense(typeID)
        let maximum = min(Int(core.routing.slots[Int(typeID)].maxPayload), core.limits.maxPayload)
        guard length <= maximum else { throw .payloadTooLarge(typeID: typeID, length: length, maximum: maximum) }
        return dense
    }

    private func dense(_ typeID: UInt16) throws(BrokerError) -> Int {
        let dense = Int(core.routing.slots[Int(typeID)].dense)
        guard dense >= 0 else { throw .unknownTypeID(typeID) }
        return dense
    }
}

extension MyceliumClient {
    /// Publishes a generated message (e.g. a `Trade`), encoded straight into the outgoing
    /// frame: no array is made. Returns once the frame is queued, as
    /// ``publish(typeID:payload:)`` does.
    ///
    /// ```swift
    /// try await client.publish(Trade(instrumentID: 7, price: 101_25, quantity: 10, side: 1, timestampNs: 0))
    /// ```
    ///
    /// - Throws: as ``publish(typeID:payload:)``.
    @inlinable
    public func publish(_ message: some MyceliumMessage) async throws {
        try await publish(typeID: type(of: message).typeID, byteCount: type(of: message).payloadSize) {
            message.encode(into: $0)
        }
    }

    /// Subscribes to one generated message type and returns its messages as values, once
    /// the broker has confirmed the subscription (as ``subscribe(_:)``).
    ///
    /// ```swift
    /// let trades = try await client.subscribe(to: Trade.self)
    /// for try await trade in trades { print(trade.price) }
    /// ```
    ///
    /// - Throws: as ``subscribe(_:)``.
    public func subscribe<Message: MyceliumMessage>(to type: Message.Type) async throws -> TypedMessageStream<Message> {
        TypedMessageStream(try await subscribe([Message.typeID]))
    }
}

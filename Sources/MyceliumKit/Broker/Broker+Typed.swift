extension Broker {
    /// Publishes in-process a generated message (e.g. a `Trade`), encoded straight into a
    /// buffer from the broker's pool: no array is made.
    ///
    /// ```swift
    /// try broker.publish(Trade(instrumentID: 7, price: 101_25, quantity: 10, side: 1, timestampNs: 0))
    /// ```
    ///
    /// - Throws: as ``publish(typeID:payload:)``.
    @inlinable
    public func publish(_ message: some MyceliumMessage) throws(BrokerError) {
        try publish(typeID: type(of: message).typeID, byteCount: type(of: message).payloadSize) {
            message.encode(into: $0)
        }
    }

    /// Subscribes in-process to one generated message type and returns its messages as
    /// values (as ``subscribe(_:bufferedMessages:)``).
    ///
    /// ```swift
    /// let trades = try broker.subscribe(to: Trade.self)
    /// for try await trade in trades { print(trade.price) }
    /// ```
    ///
    /// - Throws: as ``subscribe(_:bufferedMessages:)``.
    public func subscribe<Message: MyceliumMessage>(
        to type: Message.Type, bufferedMessages: Int = 1024
    ) throws(BrokerError) -> TypedMessageStream<Message> {
        TypedMessageStream(try subscribe([Message.typeID], bufferedMessages: bufferedMessages))
    }
}

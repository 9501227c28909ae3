/// The messages of one subscription, in the order the broker sent them: from a
/// ``MyceliumClient`` over a socket, or in-process from an embedded ``Broker``.
///
/// Iterate it from one task. A client's stream ends by throwing ``MyceliumClientError``
/// when the connection is lost or the client is closed, a broker's in-process stream with
/// ``BrokerError`` when the broker stops or drops it as a slow consumer (both after the
/// messages already received); either ends normally after its `unsubscribe(_:)`.
///
/// A client's stream holds at most ``MyceliumClient/Options/streamCapacity`` unread
/// messages (plus what one read brings); past that the client stops reading from the
/// broker until you catch up, so a consumer that stops reading is eventually dropped by the
/// broker's slow-consumer rule rather than growing memory. An in-process stream holds at
/// most the `bufferedMessages` it was subscribed with, then the slow-consumer policy applies.
///
/// ```swift
/// let stream = try await client.subscribe([1001])
/// for try await message in stream {
///     handle(message.typeID, message.payload)
/// }
/// ```
public struct MessageStream: AsyncSequence, Sendable {
    /// Each element is one received data frame.
    public typealias Element = Message

    /// The type ids this stream receives.
    public let typeIDs: [UInt16]
    let queue: MessageQueue

    /// The stream's iterator; the previous message's view ends when `next()` is called.
    public struct Iterator: AsyncIteratorProtocol {
        let queue: MessageQueue

        /// The next message, waiting for one; `nil` after the stream ended normally.
        ///
        /// - Throws: ``MyceliumClientError`` when the connection was lost or the client
        ///   closed, ``BrokerError`` when an in-process stream's broker stopped or dropped it;
        ///   `CancellationError` when the waiting task is cancelled.
        public mutating func next() async throws -> Message? {
            try await queue.next()
        }
    }

    /// Makes the iterator; make one per stream.
    public func makeAsyncIterator() -> Iterator {
        Iterator(queue: queue)
    }
}

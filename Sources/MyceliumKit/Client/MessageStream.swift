/// The messages of one subscription, in the order the broker sent them.
///
/// Iterate it from one task. It ends by throwing ``MyceliumClientError`` when the connection
/// is lost or the client is closed (after the messages already received), and normally
/// after ``MyceliumClient/unsubscribe(_:)``.
///
/// A stream holds at most ``MyceliumClient/Options/streamCapacity`` unread messages (plus
/// what one read brings); past that the client stops reading from the broker until you
/// catch up, so a consumer that stops reading is eventually dropped by the broker's
/// slow-consumer rule rather than growing memory.
///
/// ```swift
/// let stream = try await client.subscribe([1001])
/// for try await message in stream {
///     handle(message.typeID, message.payload)
/// }
/// ```
public struct MessageStream: AsyncSequence, Sendable {
    public typealias Element = Message

    /// The type ids this stream receives.
    public let typeIDs: [UInt16]
    let queue: MessageQueue

    init(typeIDs: [UInt16], queue: MessageQueue) {
        self.typeIDs = typeIDs
        self.queue = queue
    }

    /// The stream's iterator; the previous message's view ends when `next()` is called.
    public struct Iterator: AsyncIteratorProtocol {
        let queue: MessageQueue

        /// The next message, waiting for one; `nil` after the stream ended normally.
        ///
        /// - Throws: ``MyceliumClientError`` when the connection was lost or the client
        ///   closed; `CancellationError` when the waiting task is cancelled.
        public mutating func next() async throws -> Message? {
            try await queue.next()
        }
    }

    /// Makes the iterator; make one per stream.
    public func makeAsyncIterator() -> Iterator {
        Iterator(queue: queue)
    }
}

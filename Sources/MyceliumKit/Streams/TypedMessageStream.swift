/// The messages of one type, as values of its generated struct: what
/// ``MyceliumClient/subscribe(to:)`` and ``Broker/subscribe(to:bufferedMessages:)`` return.
///
/// It reads the ``MessageStream`` underneath (``messages``) and decodes each payload as it
/// arrives; the pooled buffer goes back as soon as the value is made.
///
/// ```swift
/// let trades = try await client.subscribe(to: Trade.self)
/// for try await trade in trades {
///     print(trade.instrumentID, trade.price)
/// }
/// ```
public struct TypedMessageStream<Element: MyceliumMessage>: AsyncSequence, Sendable {
    /// The stream of raw messages underneath: pass it to ``MyceliumClient/unsubscribe(_:)`` or
    /// ``Broker/unsubscribe(_:)`` to end the subscription.
    public let messages: MessageStream

    /// Wraps `messages`, which must receive only `Element`'s type id.
    init(_ messages: MessageStream) {
        self.messages = messages
    }

    /// The stream's iterator.
    public struct Iterator: AsyncIteratorProtocol {
        @usableFromInline var base: MessageStream.Iterator

        @inlinable
        init(base: MessageStream.Iterator) {
            self.base = base
        }

        /// The next value, waiting for one; `nil` after the stream ended normally.
        ///
        /// - Throws: what ``MessageStream/Iterator/next()`` throws, and
        ///   ``MessageDecodingError`` for a payload that is not `Element`'s size (a publisher
        ///   with other contracts); the next call goes on with the next message.
        @inlinable
        public mutating func next() async throws -> Element? {
            guard let message = try await base.next() else { return nil }
            return try message.decode(as: Element.self)
        }
    }

    /// Makes the iterator; make one per stream.
    @inlinable
    public func makeAsyncIterator() -> Iterator {
        Iterator(base: messages.makeAsyncIterator())
    }
}

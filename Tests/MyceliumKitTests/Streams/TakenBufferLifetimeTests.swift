import MyceliumBackends
import MyceliumKit
import MyceliumTestSupport
import Testing

/// Sees whether a pool is still alive without keeping it alive.
private final class PoolWatch: @unchecked Sendable {
    weak var pool: (any PoolBackend)?

    init(_ pool: any PoolBackend) {
        self.pool = pool
    }

    /// Waits (at most 20 s) until the pool is freed; throws when it is not.
    func waitUntilFreed() async throws {
        try await waitUntil("the pool freed") { pool == nil }
    }
}

/// A buffer moved out of a stream with `takeBuffer()` keeps its pool alive after the client
/// or broker that owned the pool is released, and lets it go once dropped.
@Suite struct TakenBufferLifetimeTests {
    /// The next message of `stream` (within a minute), its buffer taken.
    private func takeNext(_ stream: MessageStream) async throws -> SharedBuffer {
        let message = try await within(60, "a message") {
            var iterator = stream.makeAsyncIterator()
            guard let message = try await iterator.next() else { throw TimedOut("the stream ended") }
            return message
        }
        guard let buffer = message.takeBuffer() else { throw TimedOut("no buffer to take") }
        return buffer
    }

    @Test func aBufferTakenFromAClientsStreamOutlivesTheClient() async throws {
        try await withBroker(.forTests()) { _, addresses in
            let publisher = try await connectClient(addresses[0], name: "publisher")
            // The client makes its own pool: nothing but the client holds it.
            var subscriber: MyceliumClient? = try await MyceliumClient.connect(
                to: addresses[0], name: "subscriber", options: .forTests)
            let watch = PoolWatch(try #require(subscriber?.pool))
            var stream: MessageStream? = try await subscriber?.subscribe([TestTypes.small])
            try await publisher.publish(typeID: TestTypes.small, payload: sequencePayload(7))
            let buffer = try await takeNext(try #require(stream))
            try await subscriber?.close()
            subscriber = nil
            stream = nil
            #expect(buffer.copyBytes() == sequencePayload(7))
            #expect(buffer.holderCount() == 1)
            _ = consume buffer
            // The pool is freed once the taken buffer is dropped.
            try await watch.waitUntilFreed()
            try await publisher.close()
        }
    }

    @Test(arguments: ["arena", "system"])
    func aBufferTakenFromABrokersStreamOutlivesTheBroker(pool: String) async throws {
        // A socket client publishes, so the buffer comes from a loop's read path.
        var broker: Broker? = try Broker(configuration: .forTests(pool: pool))
        let addresses = try #require(try broker?.start())
        let watch = PoolWatch(try #require(broker?.pool))
        var stream: MessageStream? = try broker?.subscribe([TestTypes.small])
        let publisher = try await connectClient(addresses[0], name: "publisher")
        try await publisher.publish(typeID: TestTypes.small, payload: sequencePayload(3))
        let buffer = try await takeNext(try #require(stream))
        try await publisher.close()
        _ = await broker?.stop()
        broker = nil
        stream = nil
        // Loops are joined by stop(): nothing but the buffer can hold the pool now.
        #expect(watch.pool != nil, "the taken buffer keeps the broker's pool alive")
        #expect(buffer.copyBytes() == sequencePayload(3))
        _ = consume buffer
        #expect(watch.pool == nil, "the pool is freed once the taken buffer is dropped")
    }

    @Test func aPublishedBufferOfAnotherPoolKeepsThatPoolAliveInAStream() async throws {
        var broker: Broker? = try Broker(configuration: .forTests(pool: "arena", listeners: []))
        let stream = try #require(try broker?.subscribe([TestTypes.small]))
        var other: SystemPool? = clientPool()
        let watch = PoolWatch(try #require(other))
        var buffer = try #require(other).acquire(byteCount: 8)
        buffer.append(contentsOf: sequencePayload(5))
        try broker?.publish(typeID: TestTypes.small, buffer: buffer)
        other = nil
        _ = await broker?.stop()
        broker = nil
        #expect(watch.pool != nil, "the queued buffer keeps its pool alive")
        let taken = try await takeNext(stream)
        #expect(taken.copyBytes() == sequencePayload(5))
        _ = consume taken
        #expect(watch.pool == nil, "the pool is freed once the buffer is dropped")
    }
}
